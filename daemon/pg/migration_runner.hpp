// Runs a migration on a throwaway copy the way its tool would, statement by statement, and
// watches each one from inside its transaction: the command tag, the locks it took on tables that
// existed before, whether it gave one a new file (a rewrite), and whether lock_timeout was set
// (docs/validate.md, "What each statement is checked for").
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <vector>

#include "enumwatch/validate/migration_script.hpp"
#include "enumwatch/validate/validation.hpp"
#include "pg/connection.hpp"

namespace enumwatch {

struct MigrationOutcome {
  std::vector<StatementRun> statements;  // those that ran, the failed one last
  std::optional<Finding> failure;        // migration_failed: the run stopped there
};

// A script without transaction control of its own runs in one transaction; one with its own
// runs as written (locks are seen inside its blocks only). A failed statement rolls its
// transaction back and ends the run. Throws PgError when the connection breaks or the deadline
// passes (a migration waiting on a lock).
[[nodiscard]] boost::asio::awaitable<MigrationOutcome> run_migration(PgConnection& connection,
                                                                     const MigrationScript& script,
                                                                     Deadline deadline);

// What depends on each enum type of the copy (or on its array type), by the type's
// schema.name: pg_describe_object's names of the dependents (docs/validate.md, "Findings").
[[nodiscard]] boost::asio::awaitable<TypeDependentNames> read_type_dependents(
    PgConnection& connection, Deadline deadline);

// Runs a schema (validate --schema-from, or production's pg_dump) as it is, without watching it:
// the starting point of the copy. Throws Error naming the file and line of a statement that fails.
[[nodiscard]] boost::asio::awaitable<void> load_schema(PgConnection& connection,
                                                       const MigrationScript& schema,
                                                       Deadline deadline);

}  // namespace enumwatch
