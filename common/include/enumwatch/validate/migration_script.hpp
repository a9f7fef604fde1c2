// A migration as PostgreSQL's own parser reads it (libpg_query: PostgreSQL 15's grammar and
// scanner, never a regular expression): its statements, the line of each one's first token, what
// each one is, and whether the file manages its own transactions (docs/validate.md, "How a
// migration is read").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace enumwatch {

// BEGIN / START TRANSACTION, COMMIT / END, ROLLBACK / ABORT; `other` is SAVEPOINT, RELEASE,
// ROLLBACK TO, PREPARE TRANSACTION and the like: they too mean the file manages its transactions.
enum class TransactionControl { none, begin, commit, rollback, other };

struct MigrationStatement {
  int line = 0;      // of its first token, comments and blank lines before it skipped
  std::string sql;   // from its first token to its end, without the ';'
  std::string node;  // the parse tree's node: "AlterEnumStmt", "CreateStmt", "TransactionStmt"...
  TransactionControl control = TransactionControl::none;
  // ALTER TYPE ... ADD VALUE: the value, so that a failure using it in the same transaction
  // (SQLSTATE 55P04) can point at the statement that added it.
  std::optional<std::string> added_value;
  // ALTER TYPE ... RENAME VALUE: the old and the new label, so that a rename the running code
  // still uses points at its line.
  std::optional<std::pair<std::string, std::string>> renamed_value;
};

struct MigrationScript {
  std::string file;  // as given; "-" is standard input
  std::vector<MigrationStatement> statements;
  // True when the file has transaction control of its own: it then runs as written; otherwise
  // it runs in one transaction, as Alembic, Django and Flyway run a migration.
  [[nodiscard]] bool manages_transactions() const;
};

// Throws Error "FILE:LINE:COLUMN: <the parser's message>" when the text does not parse.
[[nodiscard]] MigrationScript parse_migration(std::string file, std::string_view sql);

// The order in which a directory's files apply, from their names: Flyway's V<version>__x.sql by
// version (V2 before V10, V1.1 between V1 and V2), golang-migrate's <number>_x.up.sql by number,
// then the others by name. *.down.sql, Flyway's undo (U...) and repeatable (R__...) files and
// names not ending in .sql are left out.
[[nodiscard]] std::vector<std::string> migration_order(std::vector<std::string> names);

}  // namespace enumwatch
