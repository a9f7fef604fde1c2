// How results look to the outside: the JSON of docs/cli.md (check, diff, /api/v1/status) and the
// short aligned text that people read in a terminal.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "enumwatch/catalog/ddl_log.hpp"
#include "enumwatch/diff/diff.hpp"

namespace enumwatch {

// A migration tool holds its lock on the target's database (docs/migration-locks.md): new drift
// is held back as migrating until it ends, or until migration_grace has passed (stuck).
struct MigrationInProgress {
  std::vector<std::string> tools;  // whose lock is held; empty for the second after a release
  std::chrono::system_clock::time_point since;
  bool stuck = false;
  bool operator==(const MigrationInProgress&) const = default;
};

struct TargetReport {
  std::string name;
  bool up = false;
  std::optional<std::string> error;
  std::optional<std::chrono::system_clock::time_point> polled_at;
  std::optional<std::string> migration_revision;
  std::vector<DriftItem> drift;
  std::vector<std::string> unregistered_snapshots;  // API-managed, no version yet
  // The newest logged changes in the target's schemas, newest first, at most kChangelogSize:
  // served by /api/v1/targets/{name}/changes and the target's page, not in the status JSON.
  std::vector<LoggedChange> changes{};
  std::optional<MigrationInProgress> migration{};
};

// {"changes":[{"at","role","current_role","application_name","client_addr","command_tag",
// "statement","schema","object","txid"}…]} (docs/who-changed-it.md, "Changelog").
[[nodiscard]] boost::json::value changes_json(std::span<const LoggedChange> changes);

[[nodiscard]] boost::json::value to_json(const DriftItem& item);
[[nodiscard]] boost::json::value to_json(const TargetReport& target);
// {"tools","since","stuck"}: the target's "migration_in_progress" (docs/http-api.md).
[[nodiscard]] boost::json::value to_json(const MigrationInProgress& migration);
// "sqitch holds its migration lock since 14:02:11 UTC: new drift is held until it ends", or that
// it seems stuck; plain text, the page and the status text say it.
[[nodiscard]] std::string migration_text(const MigrationInProgress& migration);
[[nodiscard]] boost::json::value status_json(
    std::span<const TargetReport> targets);                                     // {"targets":[...]}
[[nodiscard]] boost::json::value drift_json(std::span<const DriftItem> items);  // {"drift":[...]}

[[nodiscard]] std::string render_items_text(std::span<const DriftItem> items, bool color);
[[nodiscard]] std::string render_status_text(std::span<const TargetReport> targets, bool color);

// "~1.2 M rows hold "cancelled" (pg_stats most_common_vals)", one clause per value the item
// names; empty when the item has no impact.
[[nodiscard]] std::string impact_text(const DriftItem& item);
[[nodiscard]] std::string row_count_text(double rows);  // 12, 45.3 k, 1.2 M, 3.0 G

// `"ALTER TYPE public.s ADD VALUE 'x'" by role deploy (application_name alembic) from 10.0.3.7
// at 2026-12-05 14:02:11 UTC`: the statement on one line, control characters escaped, at most
// kShownStatementChars characters of it (docs/who-changed-it.md).
inline constexpr std::size_t kShownStatementChars = 200;
[[nodiscard]] std::string changed_by_text(const ChangedBy& who);
[[nodiscard]] boost::json::value to_json(const ChangedBy& who);

// RFC 3339 in UTC with milliseconds, e.g. 2026-11-24T08:53:08.123Z.
[[nodiscard]] std::string format_timestamp(std::chrono::system_clock::time_point t);

}  // namespace enumwatch
