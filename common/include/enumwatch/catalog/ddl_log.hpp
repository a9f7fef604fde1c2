// The event trigger's log of who changed what (docs/who-changed-it.md): the reads the daemon and
// the commands make of enumwatch.ddl_log, and how a drift item finds the change that explains it.
// Pure, like catalog_query.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/catalog/catalog_query.hpp"
#include "enumwatch/config/scope.hpp"
#include "enumwatch/core/drift.hpp"
#include "enumwatch/core/model.hpp"

namespace enumwatch {

// One row of the log, as the reads decode it.
struct LoggedChange {
  long long id = 0;
  long long txid = 0;
  std::string object_type;  // type, table, domain, ...: pg_event_trigger_ddl_commands' words
  std::string schema;
  std::string object;  // the type's or the table's name; empty for a command with no object
  ChangedBy who;
  bool operator==(const LoggedChange&) const = default;
};

// What a drift item is about in the log: its type (kind "type"), or a check's table ("table").
struct LoggedObject {
  std::string kind;
  TypeName name;
  auto operator<=>(const LoggedObject&) const = default;
};
[[nodiscard]] std::vector<LoggedObject> logged_objects(std::span<const DriftItem> items);

// Whether the database has the log (an install from before it has not), from the catalog.
[[nodiscard]] CatalogRead<bool> ddl_log_exists_read();

// The newest logged change of each of `objects`, one round trip. The log is superuser-owned and
// holds only built-in types: nothing in it runs anyone's code.
[[nodiscard]] CatalogRead<std::vector<LoggedChange>> latest_changes_read(
    std::span<const LoggedObject> objects);

// The changelog a target keeps (docs/who-changed-it.md, "Changelog"): at most this many.
inline constexpr std::size_t kChangelogSize = 100;

// The newest logged changes after row `after_id` in the schemas of `scope` (as catalog_query's
// reads take it: $1 schemas, $2 excluded ones), newest first, at most kChangelogSize.
[[nodiscard]] CatalogRead<std::vector<LoggedChange>> recent_changes_read(long long after_id,
                                                                         const Scope& scope);
// `older` (newest first) with `newer` (newest first) in front, at most kChangelogSize.
void merge_changelog(std::vector<LoggedChange>& older, std::vector<LoggedChange> newer);

// Sets changed_by on each item that one of `changes` explains.
void attach_changed_by(std::span<DriftItem> items, std::span<const LoggedChange> changes);

// A statement as it may be shown: every password literal (PASSWORD '...', E'...', an unclosed one
// to the end) replaced by '[redacted]', then cut to at most `max_bytes` at a character boundary.
// The trigger redacts before it stores; this is the second line, for anything else in the log.
[[nodiscard]] std::string shown_statement(std::string_view statement, std::size_t max_bytes = 4096);

}  // namespace enumwatch
