#include "enumwatch/report/report.hpp"

#include "enumwatch/core/text.hpp"
#include "enumwatch/core/utf8.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>

namespace enumwatch {
namespace {

boost::json::value side_json(const DriftSide& side) {
  if (const auto* s = std::get_if<std::string>(&side)) return boost::json::string(*s);
  if (const auto* list = std::get_if<std::vector<std::string>>(&side)) {
    boost::json::array out;
    for (const auto& v : *list) out.emplace_back(v);
    return out;
  }
  return nullptr;
}

boost::json::value optional_json(const std::optional<std::string>& value) {
  return value ? boost::json::value(*value) : boost::json::value(nullptr);
}

boost::json::value nonempty_json(const std::string& value) {
  return value.empty() ? boost::json::value(nullptr) : boost::json::value(value);
}

const char* colour_of(Severity s) {
  switch (s) {
    case Severity::critical:
      return "\033[1;31m";
    case Severity::warning:
      return "\033[33m";
    case Severity::info:
      return "\033[36m";
  }
  return "";
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string enum_label(const DriftItem& item) {
  return item.enum_name.empty() ? std::string("(migration)") : item.schema + "." + item.enum_name;
}

// A database whose encoding is SQL_ASCII hands over names in any bytes; JSON must be UTF-8, so an
// invalid byte becomes U+FFFD (the text output shows it as \xNN instead).
void repair_utf8(boost::json::value& value) {
  if (auto* s = value.if_string()) {
    if (!is_valid_utf8(*s)) *s = to_valid_utf8(*s);
  } else if (auto* a = value.if_array()) {
    for (auto& v : *a) repair_utf8(v);
  } else if (auto* o = value.if_object()) {
    for (auto& kv : *o) repair_utf8(kv.value());
  }
}

// RFC 3339 in UTC, with or without milliseconds, for people: 2026-12-05T14:02:11Z and
// 2026-12-05T14:02:11.123Z → 2026-12-05 14:02:11 UTC. Anything else is shown as it is.
std::string readable_utc(const std::string& rfc3339) {
  if (rfc3339.size() < 20 || rfc3339[10] != 'T' || rfc3339.back() != 'Z') return rfc3339;
  return rfc3339.substr(0, 10) + " " + rfc3339.substr(11, 8) + " UTC";
}

}  // namespace

boost::json::value to_json(const DriftItem& item) {
  boost::json::object o;
  o["target"] = item.target;
  o["snapshot"] = nonempty_json(item.snapshot);
  o["schema"] = nonempty_json(item.schema);
  o["enum"] = nonempty_json(item.enum_name);
  o["kind"] = to_string(item.kind);
  o["severity"] = to_string(item.severity());
  o["expected"] = side_json(item.expected);
  o["actual"] = side_json(item.actual);
  o["message"] = item.message;
  o["remediation_sql"] = optional_json(item.remediation_sql);
  o["code_fix"] = optional_json(item.code_fix);
  boost::json::array used_by;
  for (const auto& u : item.used_by) used_by.emplace_back(u);
  o["used_by"] = std::move(used_by);
  o["table"] = optional_json(item.table);
  o["column"] = optional_json(item.column);
  o["changed_by"] = item.changed_by ? to_json(*item.changed_by) : boost::json::value(nullptr);
  o["migrating"] = item.migrating;
  if (item.impact.empty()) {
    o["impact"] = nullptr;
  } else {
    boost::json::array impact;
    for (const auto& i : item.impact) {
      boost::json::object entry;
      entry["value"] = i.value;
      entry["rows"] =
          i.rows ? boost::json::value(std::llround(*i.rows)) : boost::json::value(nullptr);
      entry["estimated"] = i.estimated;
      entry["how"] = i.how;
      impact.push_back(std::move(entry));
    }
    o["impact"] = std::move(impact);
  }
  boost::json::value out = std::move(o);
  repair_utf8(out);
  return out;
}

boost::json::value to_json(const TargetReport& target) {
  boost::json::object o;
  o["name"] = target.name;
  o["up"] = target.up;
  o["error"] = optional_json(target.error);
  o["polled_at"] = target.polled_at ? boost::json::value(format_timestamp(*target.polled_at))
                                    : boost::json::value(nullptr);
  o["migration_revision"] = optional_json(target.migration_revision);
  boost::json::array drift;
  for (const auto& item : target.drift) drift.push_back(to_json(item));
  o["drift"] = std::move(drift);
  boost::json::array pending;
  for (const auto& s : target.unregistered_snapshots) pending.emplace_back(s);
  o["unregistered_snapshots"] = std::move(pending);
  o["migration_in_progress"] =
      target.migration ? to_json(*target.migration) : boost::json::value(nullptr);
  boost::json::value out = std::move(o);
  repair_utf8(out);
  return out;
}

boost::json::value status_json(std::span<const TargetReport> targets) {
  boost::json::array list;
  for (const auto& t : targets) list.push_back(to_json(t));
  return boost::json::object{{"targets", std::move(list)}};
}

boost::json::value drift_json(std::span<const DriftItem> items) {
  boost::json::array list;
  for (const auto& i : items) list.push_back(to_json(i));
  return boost::json::object{{"drift", std::move(list)}};
}

std::string render_items_text(std::span<const DriftItem> items, bool color) {
  std::size_t kind_width = 0, enum_width = 0;
  for (const auto& i : items) {
    kind_width = std::max(kind_width, to_string(i.kind).size());
    enum_width = std::max(enum_width, escape_control(enum_label(i)).size());
  }
  const std::string reset = color ? "\033[0m" : "";
  const std::string indent(2 + 9 + kind_width + 2 + enum_width + 2, ' ');
  std::string out;
  for (const auto& i : items) {
    std::string sev = pad(std::string(to_string(i.severity())), 9);
    if (color) sev = colour_of(i.severity()) + sev + reset;
    out += "  " + sev + pad(std::string(to_string(i.kind)), kind_width + 2) +
           pad(escape_control(enum_label(i)), enum_width + 2) + escape_control(i.message) + "\n";
    if (i.code_fix) out += indent + "code: " + escape_control(*i.code_fix) + "\n";
    if (!i.impact.empty()) out += indent + "rows: " + escape_control(impact_text(i)) + "\n";
    if (i.changed_by) out += indent + "changed: " + changed_by_text(*i.changed_by) + "\n";
    if (i.migrating) out += indent + "held: a migration is in flight; no alert until it ends\n";
  }
  return out;
}

boost::json::value to_json(const ChangedBy& who) {
  boost::json::object o;
  o["at"] = who.at;
  o["role"] = who.role;
  o["current_role"] = optional_json(who.current_role);
  o["application_name"] = optional_json(who.application_name);
  o["client_addr"] = optional_json(who.client_addr);
  o["command_tag"] = who.command_tag;
  o["statement"] = who.statement;
  boost::json::value out = std::move(o);
  repair_utf8(out);
  return out;
}

boost::json::value changes_json(std::span<const LoggedChange> changes) {
  boost::json::array list;
  for (const auto& change : changes) {
    boost::json::object entry = to_json(change.who).as_object();
    entry["schema"] = change.schema;
    entry["object"] = nonempty_json(change.object);
    entry["txid"] = change.txid;
    list.push_back(std::move(entry));
  }
  boost::json::value out = boost::json::object{{"changes", std::move(list)}};
  repair_utf8(out);
  return out;
}

std::string changed_by_text(const ChangedBy& who) {
  // One line: runs of white space (a script's newlines) become one space; then bounded.
  std::string statement;
  for (char c : who.statement) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (space && (statement.empty() || statement.back() == ' ')) continue;
    statement += space ? ' ' : c;
  }
  while (!statement.empty() && statement.back() == ' ') statement.pop_back();
  const std::string shown = utf8_prefix(statement, kShownStatementChars);
  std::string out = "\"" + escape_control(shown) + (shown.size() < statement.size() ? "…" : "") +
                    "\" by role " + escape_control(who.role);
  if (who.current_role) out += " (as " + escape_control(*who.current_role) + ")";
  if (who.application_name)
    out += " (application_name " + escape_control(*who.application_name) + ")";
  out += who.client_addr ? " from " + escape_control(*who.client_addr) : " over a unix socket";
  return out + " at " + escape_control(readable_utc(who.at));
}

std::string row_count_text(double rows) {
  char buf[32];
  if (rows >= 1e9) {
    std::snprintf(buf, sizeof buf, "%.1f G", rows / 1e9);
  } else if (rows >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.1f M", rows / 1e6);
  } else if (rows >= 1e4) {
    std::snprintf(buf, sizeof buf, "%.1f k", rows / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(std::llround(rows)));
  }
  return buf;
}

std::string impact_text(const DriftItem& item) {
  std::string out;
  for (const auto& i : item.impact) {
    if (!out.empty()) out += "; ";
    const std::string value = "\"" + i.value + "\"";
    if (!i.rows) {
      out += "rows holding " + value + ": unknown (" + i.how + ")";
      continue;
    }
    const auto rounded = std::llround(*i.rows);
    out += (i.estimated ? "~" : "") + row_count_text(*i.rows) +
           (rounded == 1 ? " row holds " : " rows hold ") + value + " (" + i.how + ")";
  }
  return out;
}

std::string render_status_text(std::span<const TargetReport> targets, bool color) {
  std::size_t name_width = 0;
  for (const auto& t : targets) name_width = std::max(name_width, t.name.size());
  const std::string reset = color ? "\033[0m" : "";
  std::string out;
  for (const auto& t : targets) {
    std::string state = t.up ? "up  " : "DOWN";
    if (color) state = (t.up ? "\033[32m" : "\033[1;31m") + state + reset;
    out += pad(t.name, name_width + 2) + state + "  ";
    if (!t.up) {
      out += escape_control(t.error.value_or("not polled yet")) + "\n";
      continue;
    }
    if (t.drift.empty()) {
      out += "no drift";
    } else {
      std::map<Severity, int> counts;
      for (const auto& i : t.drift) ++counts[i.severity()];
      out += std::to_string(t.drift.size()) +
             (t.drift.size() == 1 ? " drift item (" : " drift items (");
      bool first = true;
      for (Severity s : {Severity::critical, Severity::warning, Severity::info}) {
        if (!counts[s]) continue;
        out += (first ? "" : ", ") + std::to_string(counts[s]) + " " + std::string(to_string(s));
        first = false;
      }
      out += ")";
    }
    if (t.migration_revision) out += "  revision " + escape_control(*t.migration_revision);
    for (const auto& s : t.unregistered_snapshots) out += "  snapshot " + s + " not registered yet";
    if (t.migration) out += "\n  " + migration_text(*t.migration);
    out += "\n" + render_items_text(t.drift, color);
  }
  return out;
}

boost::json::value to_json(const MigrationInProgress& migration) {
  boost::json::array tools;
  for (const auto& t : migration.tools) tools.emplace_back(t);
  return boost::json::object{{"tools", std::move(tools)},
                             {"since", format_timestamp(migration.since)},
                             {"stuck", migration.stuck}};
}

std::string migration_text(const MigrationInProgress& migration) {
  std::string tools;
  for (const auto& t : migration.tools) tools += (tools.empty() ? "" : ", ") + t;
  const std::string since = readable_utc(format_timestamp(migration.since));
  if (migration.stuck) {
    return "the migration seems stuck: " + (tools.empty() ? "its lock" : tools + "'s lock") +
           " has been held since " + since + ", longer than migration_grace; its drift alerts";
  }
  if (tools.empty())
    return "a migration just released its lock: new drift is held for a second more";
  return "migration in progress: " + tools + " holds its lock since " + since +
         "; new drift is held until it ends";
}

std::string format_timestamp(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

}  // namespace enumwatch
