// The status page (docs/status-page.md): every target at a glance, one target's drift with its
// fixes, the snapshots, the receivers and the last reload, as one self-contained HTML page. Pure:
// the daemon gathers the state and the page's CSS and script (compiled into the binary); this
// renders it, escaping every string that came from a catalog, a config or a snapshot.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/report/report.hpp"

namespace enumwatch {

struct SnapshotVersion {
  std::string digest;
  std::chrono::system_clock::time_point registered_at;
};

struct SnapshotView {
  std::string name;
  bool file_managed = false;
  bool registered = false;  // an API-managed one before its first version: false
  std::string digest;
  std::optional<std::string> revision, source;
  std::optional<std::chrono::system_clock::time_point> registered_at;  // API-managed only
  std::vector<SnapshotVersion> history;                                // newest first
};

struct ReceiverView {
  std::string label;  // scheme://host:port, never a path or a password
  std::string kind;   // alertmanager | webhook
  std::optional<std::chrono::system_clock::time_point> last_delivery, last_failure;
  std::string last_error;  // of the last failure; empty when the last attempt succeeded
  std::size_t queued = 0;
};

struct ReloadView {
  bool ok = true;
  std::optional<std::chrono::system_clock::time_point> at;  // of the last successful load
  std::string error;                                        // of the last failed reload
};

struct StatusPage {
  std::vector<TargetReport> targets;                                 // in config order
  std::map<std::string, std::map<std::string, std::string>> labels;  // by target
  std::vector<SnapshotView> snapshots;
  std::vector<ReceiverView> receivers;
  ReloadView reload;
  std::chrono::system_clock::time_point now;
  std::string version;
};

// The page's own style and script, inlined into every page (no external file of any kind).
struct PageAssets {
  std::string_view css;
  std::string_view script;
};

[[nodiscard]] std::string render_overview(const StatusPage& page, const PageAssets& assets);
// The overview's row of one target (GET /targets/NAME/row): what the script swaps in when the
// target changes, so the page has one renderer. Nothing when no target has that name.
[[nodiscard]] std::optional<std::string> render_target_row(const StatusPage& page,
                                                           std::string_view target);
// Nothing when no target has that name.
[[nodiscard]] std::optional<std::string> render_target_page(const StatusPage& page,
                                                            std::string_view target,
                                                            const PageAssets& assets);

// The page's Content-Security-Policy: its inline style and script are allowed by their SHA-256
// hashes (no 'unsafe-inline'), nothing else may load or run, and it talks only to its origin.
[[nodiscard]] std::string content_security_policy(const PageAssets& assets);

// &, <, >, " and ' as entities, invalid UTF-8 repaired, NUL as U+FFFD: a string from a catalog
// is text wherever it lands, in an element or an attribute (a newline stays one inside <pre>).
[[nodiscard]] std::string html_escape(std::string_view text);
// The path of a target's page. Target names follow kNameRule ([A-Za-z0-9_.-]): safe in a URL.
[[nodiscard]] std::string target_page_path(std::string_view target);

// "42 s ago", "3 min ago", "2 h ago", "5 d ago"; "never" without a time.
[[nodiscard]] std::string age_text(std::optional<std::chrono::system_clock::time_point> at,
                                   std::chrono::system_clock::time_point now);

}  // namespace enumwatch
