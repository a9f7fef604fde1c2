#include "http/page/status_page.hpp"

#include <algorithm>
#include <tuple>

#include "enumwatch/core/sha256.hpp"
#include "enumwatch/core/text.hpp"
#include "enumwatch/core/utf8.hpp"

namespace enumwatch {
namespace {

// What lies between <style> and </style>, and between <script> and </script>: exactly what the
// Content-Security-Policy hashes, so the page and its policy cannot disagree.
std::string style_text(const PageAssets& assets) {
  return "\n" + std::string(assets.css);
}
std::string script_text(const PageAssets& assets) {
  return "\n" + std::string(assets.script);
}

// "'sha256-BASE64'": a CSP source naming one inline element by the SHA-256 of its text
// (CSP Level 3, "hash-source"; docs/status-page.md, "Content-Security-Policy").
std::string csp_hash(std::string_view text) {
  return "'sha256-" + sha256_base64(text) + "'";
}

using Clock = std::chrono::system_clock;

std::string e(std::string_view text) {
  return html_escape(text);
}

struct Counts {
  int critical = 0, warning = 0, info = 0;
};

Counts count(const TargetReport& t) {
  Counts c;
  for (const auto& item : t.drift) {
    switch (item.severity()) {
      case Severity::critical:
        ++c.critical;
        break;
      case Severity::warning:
        ++c.warning;
        break;
      case Severity::info:
        ++c.info;
        break;
    }
  }
  return c;
}

std::string time_element(std::optional<Clock::time_point> at, Clock::time_point now) {
  if (!at) return "<span class=\"muted\">never</span>";
  const std::string stamp = format_timestamp(*at);
  return "<time datetime=\"" + stamp + "\" title=\"" + stamp + "\">" + age_text(at, now) +
         "</time>";
}

std::string state_cell(const TargetReport& t) {
  if (!t.up) {
    return "<span class=\"badge down\">down</span> <span class=\"error\">" +
           e(t.error.value_or(t.polled_at ? "poll failed" : "not polled yet")) + "</span>";
  }
  std::string out = "<span class=\"badge up\">up</span>";
  if (t.migration) {
    out += t.migration->stuck ? " <span class=\"badge migrating stuck\">migration stuck</span>"
                              : " <span class=\"badge migrating\">migrating</span>";
  }
  if (t.error) out += " <span class=\"error\">" + e(*t.error) + "</span>";
  return out;
}

std::string count_cell(int n, std::string_view severity) {
  return "<td class=\"num" + std::string(n ? " " : "") + (n ? std::string(severity) : "") +
         "\" data-severity=\"" + std::string(severity) + "\" data-value=\"" + std::to_string(n) +
         "\">" + std::to_string(n) + "</td>";
}

std::string labels_text(const std::map<std::string, std::string>& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out += ' ';
    out += "<span class=\"label\">" + e(k) + "=" + e(v) + "</span>";
  }
  return out;
}

std::string head(std::string_view title, const PageAssets& assets) {
  return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"color-scheme\" content=\"light dark\">\n<title>" +
         e(title) + "</title>\n<style>" + style_text(assets) + "</style>\n</head>\n";
}

std::string page_header(const StatusPage& page, std::string_view subtitle) {
  return "<header>\n<p class=\"brand\"><a href=\"/\">enumwatch</a></p>\n<p class=\"meta\">" +
         e(subtitle) + " · version " + e(page.version) + " · rendered " +
         time_element(page.now, page.now) +
         " · <span id=\"live\" role=\"status\" aria-live=\"polite\">static (no live updates "
         "without JavaScript)</span></p>\n</header>\n";
}

std::string page_end(const PageAssets& assets) {
  return "<script>" + script_text(assets) + "</script>\n</body>\n</html>\n";
}

std::string side_text(const DriftSide& side) {
  if (const auto* s = std::get_if<std::string>(&side)) return "\"" + *s + "\"";
  if (const auto* list = std::get_if<std::vector<std::string>>(&side)) {
    std::string out = "[";
    for (std::size_t i = 0; i < list->size(); ++i) out += (i ? ", \"" : "\"") + (*list)[i] + "\"";
    return out + "]";
  }
  return "—";
}

std::string item_html(const DriftItem& item, std::size_t index) {
  const std::string severity(to_string(item.severity()));
  const std::string id = "item-" + std::to_string(index);
  std::string out = "<article class=\"item " + severity + "\" aria-labelledby=\"" + id + "\">\n";
  out += "<h3 id=\"" + id + "\"><span class=\"badge " + severity + "\">" + severity +
         "</span> <code>" + std::string(to_string(item.kind)) + "</code> " +
         e(item.enum_name.empty() ? "(migration)" : item.schema + "." + item.enum_name) + "</h3>\n";
  out += "<p class=\"message\">" + e(item.message) + "</p>\n<dl>\n";
  out += "<dt>snapshot</dt><dd>" + e(item.snapshot.empty() ? "—" : item.snapshot) + "</dd>\n";
  out += "<dt>expected</dt><dd><code>" + e(side_text(item.expected)) + "</code></dd>\n";
  out += "<dt>actual</dt><dd><code>" + e(side_text(item.actual)) + "</code></dd>\n";
  if (item.code_fix) out += "<dt>code fix</dt><dd>" + e(*item.code_fix) + "</dd>\n";
  if (!item.used_by.empty()) {
    out += "<dt>used by</dt><dd><ul class=\"plain\">";
    for (const auto& u : item.used_by) out += "<li><code>" + e(u) + "</code></li>";
    out += "</ul></dd>\n";
  }
  if (!item.impact.empty()) out += "<dt>rows</dt><dd>" + e(impact_text(item)) + "</dd>\n";
  if (item.changed_by)
    out += "<dt>changed</dt><dd class=\"changed-by\">" + e(changed_by_text(*item.changed_by)) +
           "</dd>\n";
  if (item.migrating)
    out +=
        "<dt>held</dt><dd class=\"migrating\">a migration is in flight: no alert until it "
        "ends</dd>\n";
  out += "</dl>\n";
  if (item.remediation_sql) {
    const std::string sql_id = "sql-" + std::to_string(index);
    out +=
        "<div class=\"sql\"><div class=\"sql-bar\"><span>remediation SQL</span><button "
        "type=\"button\" class=\"copy\" data-copy=\"" +
        sql_id + "\">Copy SQL</button></div><pre><code id=\"" + sql_id + "\">" +
        e(*item.remediation_sql) + "</code></pre></div>\n";
  }
  return out + "</article>\n";
}

// The target's changelog (docs/who-changed-it.md, "Changelog"): the newest logged changes in its
// schemas, each on one line, the statement escaped and bounded as everywhere else.
std::string changelog_html(const std::vector<LoggedChange>& changes) {
  std::string out =
      "<section aria-labelledby=\"changes-title\">\n<h2 id=\"changes-title\">Changes</h2>\n";
  if (changes.empty()) {
    return out +
           "<p class=\"muted\">None logged: no event trigger with its log "
           "(<code>enumwatch install-trigger</code>), or nothing changed since.</p>\n</section>\n";
  }
  out += "<ol class=\"plain changes\">\n";
  for (const auto& c : changes) {
    out += "<li><code>" + e(c.who.command_tag) + "</code> " +
           e(c.object.empty() ? c.schema : c.schema + "." + c.object) + ": " +
           e(changed_by_text(c.who)) + "</li>\n";
  }
  return out + "</ol>\n</section>\n";
}

const TargetReport* find_target(const StatusPage& page, std::string_view name) {
  const auto it = std::find_if(page.targets.begin(), page.targets.end(),
                               [&](const TargetReport& t) { return t.name == name; });
  return it == page.targets.end() ? nullptr : &*it;
}

// One row of the overview's targets table: the overview renders every row with it, and the
// script swaps in a fresh one from /targets/NAME/row when the target changes.
std::string target_row(const StatusPage& page, const TargetReport& t) {
  const Counts c = count(t);
  const std::string row_class = !t.up        ? "down"
                                : c.critical ? "critical"
                                : c.warning  ? "warning"
                                : c.info     ? "info"
                                             : "ok";
  const auto age =
      t.polled_at
          ? std::chrono::duration_cast<std::chrono::seconds>(page.now - *t.polled_at).count()
          : -1;
  std::string out = "<tr class=\"" + row_class + "\" data-target=\"" + e(t.name) + "\">";
  out += "<th scope=\"row\" data-value=\"" + e(t.name) + "\"><a href=\"" +
         target_page_path(t.name) + "\">" + e(t.name) + "</a></th>";
  auto labels = page.labels.find(t.name);
  out += "<td class=\"labels\">" +
         (labels == page.labels.end() ? std::string() : labels_text(labels->second)) + "</td>";
  out += "<td class=\"state\" data-value=\"" + std::string(t.up ? "1" : "0") + "\">" +
         state_cell(t) + "</td>";
  out += "<td class=\"age\" data-value=\"" + std::to_string(age) + "\">" +
         time_element(t.polled_at, page.now) + "</td>";
  out += count_cell(c.critical, "critical") + count_cell(c.warning, "warning") +
         count_cell(c.info, "info") + "</tr>\n";
  return out;
}

// The overview's first section: the summary, the filter and one row per target.
std::string targets_section(const StatusPage& page) {
  std::string out;
  int down = 0, drifting = 0;
  for (const auto& t : page.targets) {
    down += t.up ? 0 : 1;
    drifting += t.up && !t.drift.empty() ? 1 : 0;
  }
  out += "<section aria-labelledby=\"targets-title\">\n<h1 id=\"targets-title\">Targets</h1>\n";
  out += "<p class=\"summary\"><span id=\"count-total\">" + std::to_string(page.targets.size()) +
         "</span> targets · <span id=\"count-down\">" + std::to_string(down) +
         "</span> down · <span id=\"count-drifting\">" + std::to_string(drifting) +
         "</span> drifting</p>\n";
  out +=
      "<div class=\"filter\" hidden><label for=\"filter\">Filter targets</label> <input "
      "id=\"filter\" type=\"search\" placeholder=\"name, label, error\" "
      "autocomplete=\"off\"></div>\n";
  out +=
      "<div class=\"scroll\"><table id=\"targets\">\n<caption>Every target: its state, the age "
      "of its last poll and its drift items by severity</caption>\n<thead><tr>";
  for (const auto& [key, title, type] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"name", "Target", "text"},
           {"labels", "Labels", "text"},
           {"state", "State", "text"},
           {"age", "Last poll", "number"},
           {"critical", "Critical", "number"},
           {"warning", "Warning", "number"},
           {"info", "Info", "number"}}) {
    out += "<th scope=\"col\" data-key=\"" + key + "\" data-type=\"" + type +
           "\" aria-sort=\"none\"><span class=\"th\">" + title + "</span></th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& t : page.targets) out += target_row(page, t);
  out += "</tbody>\n</table></div>\n</section>\n";
  return out;
}

// Every snapshot: how it is managed, its revision and digest, its earlier versions.
std::string snapshots_section(const StatusPage& page) {
  std::string out;
  out +=
      "<section aria-labelledby=\"snapshots-title\">\n<h2 id=\"snapshots-title\">Snapshots</h2>\n";
  out +=
      "<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">Snapshot</th><th "
      "scope=\"col\">Managed</th><th scope=\"col\">Revision</th><th scope=\"col\">Digest</th><th "
      "scope=\"col\">Registered</th><th scope=\"col\">History</th></tr></thead>\n<tbody>\n";
  for (const auto& s : page.snapshots) {
    out += "<tr><th scope=\"row\">" + e(s.name) + "</th><td>" +
           std::string(s.file_managed ? "file" : "API") + "</td>";
    if (!s.registered) {
      out += "<td colspan=\"4\" class=\"muted\">not registered yet</td></tr>\n";
      continue;
    }
    out += "<td>" + e(s.revision.value_or("—")) + "</td><td><code title=\"" + e(s.digest) + "\">" +
           e(s.digest.substr(0, 12)) + "</code></td><td>" +
           (s.registered_at ? time_element(s.registered_at, page.now) : std::string("—")) +
           "</td><td>";
    if (s.history.empty()) {
      out += "—";
    } else {
      out += "<details><summary>" + std::to_string(s.history.size()) +
             " earlier</summary><ol class=\"plain\">";
      for (const auto& v : s.history)
        out += "<li><code>" + e(v.digest.substr(0, 12)) + "</code> " +
               time_element(v.registered_at, page.now) + "</li>";
      out += "</ol></details>";
    }
    out += "</td></tr>\n";
  }
  out += "</tbody>\n</table></div>\n</section>\n";
  return out;
}

// Every alert receiver: its last delivery, its last error, what is queued.
std::string receivers_section(const StatusPage& page) {
  std::string out;
  out +=
      "<section aria-labelledby=\"receivers-title\">\n<h2 id=\"receivers-title\">Alert "
      "receivers</h2>\n";
  if (page.receivers.empty()) {
    out += "<p class=\"muted\">No receiver is configured ([alerting] in the config).</p>\n";
  } else {
    out +=
        "<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">Receiver</th><th "
        "scope=\"col\">Kind</th><th scope=\"col\">Last delivery</th><th scope=\"col\">Last "
        "error</th><th scope=\"col\">Queued</th></tr></thead>\n<tbody>\n";
    for (const auto& r : page.receivers) {
      out += "<tr><th scope=\"row\">" + e(r.label) + "</th><td>" + e(r.kind) + "</td><td>" +
             time_element(r.last_delivery, page.now) + "</td><td>" +
             (r.last_error.empty() ? std::string("—")
                                   : "<span class=\"error\">" + e(r.last_error) + "</span> " +
                                         time_element(r.last_failure, page.now)) +
             "</td><td class=\"num\">" + std::to_string(r.queued) + "</td></tr>\n";
    }
    out += "</tbody>\n</table></div>\n";
  }
  out += "</section>\n";
  return out;
}

// The config: loaded, or the last reload's error.
std::string reload_section(const StatusPage& page) {
  std::string out;
  out +=
      "<section aria-labelledby=\"reload-title\">\n<h2 id=\"reload-title\">Configuration</h2>\n<p>";
  out += page.reload.ok ? "<span class=\"badge up\">loaded</span> "
                        : "<span class=\"badge down\">last reload failed</span> <span "
                          "class=\"error\">" +
                              e(page.reload.error) + "</span> · running with the config loaded ";
  out += time_element(page.reload.at, page.now) + "</p>\n</section>\n";
  return out;
}

}  // namespace

std::string html_escape(std::string_view text) {
  const std::string valid = is_valid_utf8(text) ? std::string(text) : to_valid_utf8(text);
  std::string out;
  out.reserve(valid.size());
  for (char c : valid) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";  // U+FFFD: HTML has no way to write NUL
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string target_page_path(std::string_view target) {
  return "/targets/" + std::string(target);
}

std::string age_text(std::optional<Clock::time_point> at, Clock::time_point now) {
  if (!at) return "never";
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - *at).count();
  if (seconds < 0) return "just now";
  if (seconds < 120) return std::to_string(seconds) + " s ago";
  if (seconds < 7200) return std::to_string(seconds / 60) + " min ago";
  if (seconds < 172800) return std::to_string(seconds / 3600) + " h ago";
  return std::to_string(seconds / 86400) + " d ago";
}

std::string render_overview(const StatusPage& page, const PageAssets& assets) {
  std::string out = head("enumwatch: " + std::to_string(page.targets.size()) + " targets", assets);
  out += "<body data-page=\"overview\">\n" + page_header(page, "status") + "<main>\n";
  out += targets_section(page) + snapshots_section(page) + receivers_section(page) +
         reload_section(page);
  return out + "</main>\n" + page_end(assets);
}

std::optional<std::string> render_target_row(const StatusPage& page, std::string_view target) {
  const TargetReport* t = find_target(page, target);
  if (!t) return std::nullopt;
  return target_row(page, *t);
}

std::optional<std::string> render_target_page(const StatusPage& page, std::string_view target,
                                              const PageAssets& assets) {
  const TargetReport* found = find_target(page, target);
  if (!found) return std::nullopt;
  const TargetReport& t = *found;
  std::string out = head("enumwatch: " + t.name, assets);
  out += "<body data-page=\"target\" data-target=\"" + e(t.name) + "\">\n" +
         page_header(page, "target") + "<main>\n";
  out += "<p><a href=\"/\">← all targets</a></p>\n<h1>" + e(t.name) + "</h1>\n";
  // What changes with a poll, in one element: the script swaps in the same element of a freshly
  // rendered page.
  out += "<div id=\"target-live\">\n";
  out += "<dl class=\"facts\"><dt>state</dt><dd id=\"target-state\">" + state_cell(t) + "</dd>";
  out += "<dt>last poll</dt><dd id=\"target-age\">" + time_element(t.polled_at, page.now) + "</dd>";
  if (auto labels = page.labels.find(t.name);
      labels != page.labels.end() && !labels->second.empty())
    out += "<dt>labels</dt><dd>" + labels_text(labels->second) + "</dd>";
  out += "<dt>migration revision</dt><dd id=\"target-revision\">" +
         e(t.migration_revision.value_or("—")) + "</dd>";
  if (!t.unregistered_snapshots.empty()) {
    out += "<dt>not registered yet</dt><dd>";
    for (const auto& s : t.unregistered_snapshots) out += "<code>" + e(s) + "</code> ";
    out += "</dd>";
  }
  out += "</dl>\n";
  // docs/migration-locks.md: while a migration tool holds its lock, and when it seems stuck.
  if (t.migration) {
    out += "<p id=\"target-migration\" class=\"migration" +
           std::string(t.migration->stuck ? " stuck" : "") + "\">" +
           e(migration_text(*t.migration)) + "</p>\n";
  }
  out +=
      "<section aria-labelledby=\"drift-title\">\n<h2 id=\"drift-title\">Drift (<span "
      "id=\"drift-count\">" +
      std::to_string(t.drift.size()) + "</span>)</h2>\n<div id=\"drift\">\n";
  if (t.drift.empty()) {
    out += t.up ? "<p class=\"ok-note\">No drift: the database matches its snapshots.</p>\n"
                : "<p class=\"muted\">Unknown while the target is down.</p>\n";
  }
  for (std::size_t i = 0; i < t.drift.size(); ++i) out += item_html(t.drift[i], i);
  out += "</div>\n</section>\n";
  out += changelog_html(t.changes);
  out += "</div>\n";
  return out + "</main>\n" + page_end(assets);
}

std::string content_security_policy(const PageAssets& assets) {
  return "default-src 'none'; style-src " + csp_hash(style_text(assets)) + "; script-src " +
         csp_hash(script_text(assets)) +
         "; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
         "frame-ancestors 'none'";
}

}  // namespace enumwatch
