// What `enumwatch validate` found when it ran a migration on a throwaway copy (docs/validate.md):
// each statement as it ran (its command tag, the locks it took, whether it rewrote a table), the
// findings with their file, line, message and fix, and the drift left against the code. Pure:
// daemon/cli/validate.cpp runs the migration and fills this in.
#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/core/drift.hpp"
#include "enumwatch/core/model.hpp"
#include "enumwatch/diff/diff.hpp"
#include "enumwatch/validate/migration_script.hpp"

namespace enumwatch {

enum class FindingKind {
  migration_failed,
  drift_after_migration,
  dependents_lost,
  rename_breaks_running_code,
  unreadable_by_running_code,
  value_removed_rows_remain,
  table_rewrite,
  lock_without_timeout,
  order_changed,
};
[[nodiscard]] std::string_view to_string(FindingKind kind);

// A lock a statement took on a table that existed before its transaction (pg_locks' spelling of
// the mode: AccessExclusiveLock), and whether the statement gave the table a new file (a
// rewrite).
struct LockTaken {
  std::string relation;  // schema.table, quoted where PostgreSQL would quote it
  std::string mode;
  bool rewrite = false;
  bool operator==(const LockTaken&) const = default;
};

struct StatementRun {
  std::string file;
  int line = 0;
  std::string sql;
  std::string tag;  // PostgreSQL's command tag, as the server returned it: "ALTER TYPE"
  std::vector<LockTaken> locks;
  std::optional<double> rows;  // production's estimate for its table (validate --dsn), else none
  // lock_timeout was in force while it ran (SET lock_timeout / SET LOCAL before it).
  bool lock_timeout_set = false;
};

struct Finding {
  FindingKind kind{};
  Severity severity{};
  std::string file;
  std::optional<int> line;
  std::string message;
  std::optional<std::string> fix;
};

struct ValidationReport {
  std::string shadow;  // "initdb" or "shadow-dsn"
  std::vector<StatementRun> statements;
  std::vector<Finding> findings;
  std::vector<DriftItem> drift;
};

// Above this many rows a rewrite is critical (docs/validate.md, "Findings").
inline constexpr double kCriticalRewriteRows = 1'000'000;

// table_rewrite for each table the statement rewrote, lock_without_timeout for each ACCESS
// EXCLUSIVE or SHARE lock it took while no lock_timeout was set.
[[nodiscard]] std::vector<Finding> statement_findings(const StatementRun& run);

// migration_failed for `failed`, which the server refused with `sqlstate` and `message`. For
// 55P04 (a new enum value used in the transaction that added it) the finding names the statement
// of `script` that added the value, and says how each tool commits between the two.
[[nodiscard]] Finding migration_failed(const MigrationScript& script,
                                       const MigrationStatement& failed, std::string_view sqlstate,
                                       std::string_view message);

// True when `failure` (a migration_failed) is the server's refusal with that SQLSTATE.
[[nodiscard]] bool failed_with(const Finding& failure, std::string_view sqlstate);

// An ALTER COLUMN ... TYPE refused because views use the column (0A000): the message names the
// views (`views`, as schema.name) and the fix says to drop and re-create them around it.
void name_blocking_views(Finding& failure, std::span<const std::string> views);

// The part of `script` that took effect when its statement at `failed_index` failed, for the
// findings that compare before and after to point into: nothing of a script run in one
// transaction; of one that manages its own, the statements outside any block and those of the
// blocks it committed before the failure.
[[nodiscard]] MigrationScript committed_part(const MigrationScript& script,
                                             std::size_t failed_index);

// The findings below that come from comparing the copy before and after the migration point at
// the statement of `scripts` (the parts that took effect) that caused them, where it can be told
// from the statements as PostgreSQL's parser read them; else their file and line are empty:
// - a lost dependent: the last statement that drops it (DROP VIEW, ALTER TABLE ... DROP COLUMN,
//   ...), else the DROP TYPE of its type (followed through ALTER TYPE ... RENAME TO);
// - a value removed: its RENAME VALUE, else the CREATE TYPE that re-created the type without it,
//   else the type's DROP TYPE; a value added: its ADD VALUE or RENAME VALUE, else the CREATE
//   TYPE; a reorder: the CREATE TYPE that re-created the type (through its RENAME TO).

// order_changed for each enum type present before and after whose common values changed their
// relative order (ORDER BY and < on the type change meaning). Values added or removed are not
// reorders.
[[nodiscard]] std::vector<Finding> order_changes(const Catalog& before, const Catalog& after,
                                                 std::span<const MigrationScript> scripts = {});

// A rolling deploy runs the code of now (`previous`) beside the code after it (`next`) against
// the migrated database: rename_breaks_running_code for each value (or type) the migration
// removes or renames that a previous snapshot still names, unreadable_by_running_code for each
// value it adds that a next snapshot writes and the previous snapshot of that type lacks; each at
// the statement of `scripts` that did it (above).
[[nodiscard]] std::vector<Finding> rolling_deploy_findings(
    const Catalog& before, const Catalog& after, std::span<const NamedSnapshot> previous,
    std::span<const NamedSnapshot> next, std::span<const MigrationScript> scripts);

// Objects that depended on an enum type (a view's rule, a column default, a constraint, an index,
// a function...), as pg_describe_object names them, per type. dependents_lost for each one
// present before the migration and absent after it, whether the type was recreated or dropped.
using TypeDependentNames = std::map<std::string, std::set<std::string>>;  // by type display
[[nodiscard]] std::vector<Finding> lost_dependents(const TypeDependentNames& before,
                                                   const TypeDependentNames& after,
                                                   std::span<const MigrationScript> scripts = {});

// The values each type loses by the migration (removed, renamed, or dropped with the type), as
// unexpected_value items naming the value on the database side: the reader fills in their impact
// from production's statistics (catalog/impact.hpp), as `diff` does.
[[nodiscard]] std::vector<DriftItem> removed_value_items(const Catalog& before,
                                                         const Catalog& after);
// value_removed_rows_remain for each such item whose impact says production rows hold the value
// (critical), or that production's statistics cannot say (warning: run ANALYZE).
[[nodiscard]] std::vector<Finding> rows_remain_findings(
    std::span<const DriftItem> items, std::span<const MigrationScript> scripts = {});

// drift_after_migration, one per item, with the item's severity and its remediation as the fix;
// an item the migration brought (a value of an enum type that `before` lacked, a value it took
// away, a type it created) points at the statement that did it.
[[nodiscard]] std::vector<Finding> drift_findings(std::span<const DriftItem> items,
                                                  const Catalog& before = {},
                                                  std::span<const MigrationScript> scripts = {});

// True when a finding is at or above `threshold` (validate --fail-on).
[[nodiscard]] bool has_findings_at(const ValidationReport& report, Severity threshold);

// {"shadow","statements":[...],"findings":[...],"drift":[...]} (docs/validate.md, "JSON").
[[nodiscard]] boost::json::value to_json(const ValidationReport& report);
// For a terminal: each finding as "file:line: severity kind: message", its fix indented below.
[[nodiscard]] std::string render_validation_text(const ValidationReport& report);
// For a pull-request comment: a verdict line, a findings table, the statements that locked or
// rewrote, and the fixes.
[[nodiscard]] std::string render_validation_markdown(const ValidationReport& report);

}  // namespace enumwatch
