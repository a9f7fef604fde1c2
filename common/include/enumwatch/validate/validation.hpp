// What `enumwatch validate` found when it ran a migration on a throwaway copy (docs/validate.md):
// each statement as it ran (its command tag, the locks it took, whether it rewrote a table), the
// findings with their file, line, message and fix, and the drift left against the code. Pure:
// daemon/cli/validate.cpp runs the migration and fills this in.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/core/drift.hpp"
#include "enumwatch/core/model.hpp"
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

// order_changed for each enum type present before and after whose common values changed their
// relative order (ORDER BY and < on the type change meaning). Values added or removed are not
// reorders.
[[nodiscard]] std::vector<Finding> order_changes(const Catalog& before, const Catalog& after);

// drift_after_migration, one per item, with the item's severity and its remediation as the fix.
[[nodiscard]] std::vector<Finding> drift_findings(std::span<const DriftItem> items);

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
