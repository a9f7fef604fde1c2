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

// A name as a statement wrote it, after the parser's folding (unquoted names in lower case); the
// schema only when the statement wrote one.
struct WrittenName {
  std::optional<std::string> schema;
  std::string name;
  bool operator==(const WrittenName&) const = default;
};

// An object a statement drops, or a dependency it ends (ALTER COLUMN ... TYPE): what a finding
// that compares the copy before and after the migration (dependents_lost) points at.
struct RemovedObject {
  // pg_describe_object's word for it: "table", "view", "materialized view", "index", "type"
  // (DROP TYPE and DROP DOMAIN), "function", "procedure", "schema", or for a part of a table
  // "column", "constraint", "default value", "trigger", "policy".
  std::string kind;
  WrittenName name;    // the object; for a part of a table, the table
  std::string member;  // the column, constraint, trigger or policy; empty for a whole object
  bool operator==(const RemovedObject&) const = default;
};

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
  // CREATE TYPE (node CreateEnumStmt: an enum), ALTER TYPE ... ADD VALUE / RENAME VALUE
  // (AlterEnumStmt), ALTER TYPE ... RENAME TO (RenameStmt): the type, as written.
  std::optional<WrittenName> type;
  std::optional<std::string> type_renamed_to;  // ALTER TYPE ... RENAME TO: the new name
  // DROP ... (every object it names), ALTER TABLE ... DROP COLUMN / DROP CONSTRAINT / ALTER
  // COLUMN ... DROP DEFAULT / ALTER COLUMN ... TYPE (the column's old type lets go of it).
  std::vector<RemovedObject> removes;
  // ALTER TABLE ... ALTER COLUMN c TYPE ...: the table and the column.
  std::vector<std::pair<WrittenName, std::string>> retyped_columns;
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

// An identifier as PostgreSQL's quote_identifier() writes it, and so as pg_describe_object names
// objects: bare when it is lower-case ASCII letters, digits and underscores, not starting with a
// digit, and no keyword that would need quotes (by the parser's own keyword list); otherwise in
// double quotes, with its double quotes doubled.
[[nodiscard]] std::string postgres_quote_identifier(std::string_view identifier);

// The order in which a directory's files apply, from their names: Flyway's V<version>__x.sql by
// version (V2 before V10, V1.1 between V1 and V2), golang-migrate's <number>_x.up.sql by number,
// then the others by name. *.down.sql, Flyway's undo (U...) and repeatable (R__...) files and
// names not ending in .sql are left out.
[[nodiscard]] std::vector<std::string> migration_order(std::vector<std::string> names);

}  // namespace enumwatch
