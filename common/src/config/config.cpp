#include "enumwatch/config/config.hpp"
#include "enumwatch/core/file_io.hpp"

#include <toml++/toml.h>
#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

#include "enumwatch/config/dsn.hpp"
#include "enumwatch/config/http_url.hpp"
#include "enumwatch/core/error.hpp"
#include "enumwatch/core/fields.hpp"
#include "enumwatch/core/text.hpp"

namespace enumwatch {
namespace {

constexpr std::string_view kOptionKeys =
    "interval, timeout, schemas, exclude_schemas, ignore, report_unexpected, check_order, naming, "
    "drift_for, migration_table, migration_tool, revision_check_interval, checks, notify, "
    "notify_dsn, interval_listening, migration_lock, migration_grace";

void read_options(Fields& f, TargetOptions& options) {
  if (auto d = f.duration("interval")) {
    if (d->count() < 100) f.fail_at("interval", f.key_path("interval") + " must be at least 100ms");
    options.interval = *d;
  }
  if (auto d = f.duration("interval_listening")) {
    if (d->count() < 100) {
      f.fail_at("interval_listening", f.key_path("interval_listening") + " must be at least 100ms");
    }
    options.interval_listening = *d;
  }
  if (auto d = f.duration("timeout")) {
    if (d->count() < 10) f.fail_at("timeout", f.key_path("timeout") + " must be at least 10ms");
    options.timeout = *d;
  }
  if (auto v = f.strings("schemas")) options.scope.schemas = *v;
  if (auto v = f.strings("exclude_schemas")) options.scope.exclude_schemas = *v;
  if (auto v = f.strings("ignore")) options.scope.ignore = *v;
  if (auto b = f.boolean("report_unexpected")) options.report_unexpected = *b;
  if (auto b = f.boolean("check_order")) options.check_order = *b;
  if (auto b = f.boolean("checks")) options.checks = *b;
  if (auto s = f.string("naming")) {
    if (*s == "none") {
      options.naming = NamingPolicy::none;
    } else if (*s == "snake_case") {
      options.naming = NamingPolicy::snake_case;
    } else {
      f.fail_at("naming",
                f.key_path("naming") + " = \"" + *s + "\": use \"none\" or \"snake_case\"");
    }
  }
  if (auto d = f.duration("drift_for")) options.drift_for = *d;
  if (auto s = f.string("migration_table")) {
    static const std::regex shape(R"(^([^.]{1,63}\.)?[^.]{1,63}$)");
    if (!s->empty() && !std::regex_match(*s, shape)) {
      f.fail_at("migration_table", f.key_path("migration_table") + " = \"" + *s +
                                       "\": write \"table\" or \"schema.table\"");
    }
    options.migration_table = *s;
    // The format follows the table's name (a target that names another table does not inherit
    // the tool of [defaults]'s table), unless migration_tool beside it says otherwise.
    const std::string base = s->substr(s->find('.') == std::string::npos ? 0 : s->find('.') + 1);
    options.migration_tool = base == "flyway_schema_history" ? MigrationTool::flyway
                             : base == "schema_migrations"   ? MigrationTool::schema_migrations
                                                             : MigrationTool::alembic;
  }
  if (auto s = f.string("migration_tool")) {
    if (*s == "alembic") {
      options.migration_tool = MigrationTool::alembic;
    } else if (*s == "flyway") {
      options.migration_tool = MigrationTool::flyway;
    } else if (*s == "schema_migrations") {
      options.migration_tool = MigrationTool::schema_migrations;
    } else {
      f.fail_at("migration_tool", f.key_path("migration_tool") + " = \"" + *s +
                                      "\": use \"alembic\", \"flyway\" or \"schema_migrations\"");
    }
  }
  if (auto d = f.duration("revision_check_interval")) options.revision_check_interval = *d;
  if (auto s = f.string("notify")) {
    if (*s == "auto") {
      options.notify = NotifyMode::automatic;
    } else if (*s == "on") {
      options.notify = NotifyMode::on;
    } else if (*s == "off") {
      options.notify = NotifyMode::off;
    } else {
      f.fail_at("notify",
                f.key_path("notify") + " = \"" + *s + "\": use \"auto\", \"on\" or \"off\"");
    }
  }
  if (auto s = f.string("notify_dsn")) {
    if (!s->empty()) {
      try {
        (void)parse_dsn(*s);
      } catch (const Error& e) {
        f.fail_at("notify_dsn", f.key_path("notify_dsn") + ": " + e.what());
      }
    }
    options.notify_dsn = *s;
  }
  if (auto s = f.string("migration_lock")) {
    if (*s != "auto" && *s != "off") {
      f.fail_at("migration_lock",
                f.key_path("migration_lock") + " = \"" + *s + "\": use \"auto\" or \"off\"");
    }
    options.watch_migration_locks = *s == "auto";
  }
  if (auto d = f.duration("migration_grace")) {
    if (d->count() < 1000) {
      f.fail_at("migration_grace", f.key_path("migration_grace") + " must be at least 1s");
    }
    options.migration_grace = *d;
  }
}

std::string resolve_path(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path.front() == '/' || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

bool is_label_name(std::string_view s) {
  static const std::regex shape("^[a-zA-Z_][a-zA-Z0-9_]*$");
  return std::regex_match(s.begin(), s.end(), shape) && !s.starts_with("__");
}

void read_daemon(Fields f, DaemonSettings& d, const std::string& base_dir) {
  if (auto s = f.string("listen")) {
    if (!parse_listen(*s)) {
      f.fail_at("listen", "daemon.listen = \"" + *s + "\": write host:port, e.g. 127.0.0.1:9747");
    }
    d.listen = *s;
  }
  if (auto s = f.string("state_dir")) d.state_dir = resolve_path(base_dir, *s);
  if (auto s = f.string("log_level")) {
    static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error"};
    if (!levels.contains(*s)) {
      f.fail_at("log_level",
                "daemon.log_level = \"" + *s + "\": use trace, debug, info, warn or error");
    }
    d.log_level = *s;
  }
  if (auto s = f.string("log_format")) {
    if (*s != "text" && *s != "json") {
      f.fail_at("log_format", "daemon.log_format = \"" + *s + "\": use text or json");
    }
    d.log_format = *s;
  }
  if (auto i = f.integer("max_concurrent_polls")) {
    if (*i < 1 || *i > 10000) {
      f.fail_at("max_concurrent_polls", "daemon.max_concurrent_polls must be between 1 and 10000");
    }
    d.max_concurrent_polls = static_cast<int>(*i);
  }
  if (auto s = f.string("shard")) {
    try {
      d.shard = parse_shard_setting(*s);
    } catch (const Error& e) {
      f.fail_at("shard", e.what());
    }
  }
  if (auto b = f.boolean("per_enum_metrics")) d.per_enum_metrics = *b;
  if (auto s = f.string("poll_duration_histogram")) {
    if (*s == "auto") {
      d.poll_duration_histogram = DurationHistogram::automatic;
    } else if (*s == "per_target") {
      d.poll_duration_histogram = DurationHistogram::per_target;
    } else if (*s == "fleet") {
      d.poll_duration_histogram = DurationHistogram::fleet;
    } else {
      f.fail_at("poll_duration_histogram", "daemon.poll_duration_histogram = \"" + *s +
                                               "\": use \"auto\", \"per_target\" or \"fleet\"");
    }
  }
  if (auto s = f.string("api_token_file")) d.api_token_file = resolve_path(base_dir, *s);
  if (auto v = f.string("tls_cert_file"); v && !v->empty())
    d.tls_cert_file = resolve_path(base_dir, *v);
  if (auto v = f.string("tls_key_file"); v && !v->empty())
    d.tls_key_file = resolve_path(base_dir, *v);
  if (auto v = f.string("tls_client_ca_file"); v && !v->empty())
    d.tls_client_ca_file = resolve_path(base_dir, *v);
  if (d.tls_cert_file.empty() != d.tls_key_file.empty()) {
    f.fail_at(d.tls_cert_file.empty() ? "tls_key_file" : "tls_cert_file",
              "daemon.tls_cert_file and daemon.tls_key_file go together: set both or neither");
  }
  if (!d.tls_client_ca_file.empty() && d.tls_cert_file.empty()) {
    f.fail_at("tls_client_ca_file",
              "daemon.tls_client_ca_file asks clients for certificates over TLS: set "
              "tls_cert_file and tls_key_file too");
  }
  f.reject_unknown(
      "listen, state_dir, log_level, log_format, max_concurrent_polls, shard, per_enum_metrics, "
      "poll_duration_histogram, "
      "api_token_file, tls_cert_file, tls_key_file, tls_client_ca_file");
}

// Receiver URLs often carry a secret (userinfo, a token in the path or query): an error names
// the entry by its position, never by its text (docs/security.md).
void check_url(Fields& f, std::string_view key, const std::string& url, std::size_t index) {
  try {
    (void)parse_http_url(url);
  } catch (const Error& e) {
    f.fail_at(key, f.key_path(key) + " entry " + std::to_string(index + 1) + ": " + e.what() +
                       "; write http[s]://[user:password@]host[:port][/path] (the URL is not "
                       "shown: it may hold a secret)");
  }
}

void read_alerting(Fields f, AlertingSettings& a, const std::string& base_dir) {
  if (auto v = f.strings("alertmanager_urls")) {
    for (std::size_t i = 0; i < v->size(); ++i) check_url(f, "alertmanager_urls", (*v)[i], i);
    a.alertmanager_urls = *v;
  }
  if (auto v = f.strings("webhook_urls")) {
    for (std::size_t i = 0; i < v->size(); ++i) check_url(f, "webhook_urls", (*v)[i], i);
    a.webhook_urls = *v;
  }
  if (auto d = f.duration("resend_interval")) {
    if (d->count() < 1000)
      f.fail_at("resend_interval", "alerting.resend_interval must be at least 1s");
    a.resend_interval = *d;
  }
  if (auto s = f.string("external_url")) a.external_url = *s;
  if (auto s = f.string("runbook_url")) a.runbook_url = *s;
  if (auto s = f.string("tls_ca_file"); s && !s->empty())
    a.tls_ca_file = resolve_path(base_dir, *s);
  if (auto s = f.string("tls_cert_file"); s && !s->empty())
    a.tls_cert_file = resolve_path(base_dir, *s);
  if (auto s = f.string("tls_key_file"); s && !s->empty())
    a.tls_key_file = resolve_path(base_dir, *s);
  if (a.tls_cert_file.empty() != a.tls_key_file.empty()) {
    f.fail_at(a.tls_cert_file.empty() ? "tls_key_file" : "tls_cert_file",
              "alerting.tls_cert_file and alerting.tls_key_file go together: set both or neither");
  }
  f.reject_unknown(
      "alertmanager_urls, webhook_urls, resend_interval, external_url, runbook_url, tls_ca_file, "
      "tls_cert_file, tls_key_file");
}

TargetConfig read_target(Fields f, const TargetOptions& defaults, const std::string& base_dir) {
  TargetConfig t;
  t.options = defaults;
  auto name = f.string("name");
  if (!name) f.fail_here("[[target]] without name");
  if (!is_valid_name(*name)) {
    f.fail_at("name", "target name \"" + *name + "\" must match " + std::string(kNameRule));
  }
  t.name = *name;
  auto dsn = f.string("dsn");
  if (!dsn) f.fail_here("target " + t.name + " has no dsn");
  try {
    (void)parse_dsn(*dsn);
  } catch (const Error& e) {
    f.fail_at("dsn", "target " + t.name + ": " + e.what());
  }
  t.dsn = *dsn;
  if (auto p = f.string("password_file")) t.password_file = resolve_path(base_dir, *p);
  auto snapshots = f.strings("snapshots");
  if (!snapshots || snapshots->empty()) {
    f.fail_here("target " + t.name + " names no snapshots: add snapshots = [\"...\"]");
  }
  t.snapshots = *snapshots;
  if (const auto* labels = f.table("labels")) {
    for (const auto& [key, value] : *labels) {
      const auto* s = value.as_string();
      if (!s)
        f.fail(value.source(),
               "target " + t.name + ": label " + std::string(key.str()) + " must be a string");
      static const std::set<std::string> reserved{"alertname", "target", "schema", "enum",
                                                  "severity"};
      if (!is_label_name(key.str()) || reserved.contains(std::string(key.str()))) {
        f.fail(key.source(),
               "target " + t.name + ": \"" + std::string(key.str()) +
                   "\" cannot be a label name (Prometheus label syntax; not alertname, "
                   "target, schema, enum or severity)");
      }
      t.labels.emplace(key.str(), s->get());
    }
  }
  read_options(f, t.options);
  f.reject_unknown(std::string("name, dsn, password_file, snapshots, labels, ") +
                   std::string(kOptionKeys));
  return t;
}

}  // namespace

std::optional<ListenAddress> parse_listen(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string host(text.substr(0, colon));
  if (host.front() == '[') {
    if (host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
  }
  std::string_view port_text = text.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5) return std::nullopt;
  unsigned port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  if (port > 65535) return std::nullopt;
  return ListenAddress{host, static_cast<unsigned short>(port)};
}

std::string_view to_string(NotifyMode mode) {
  switch (mode) {
    case NotifyMode::on:
      return "on";
    case NotifyMode::off:
      return "off";
    case NotifyMode::automatic:
      break;
  }
  return "auto";
}

const TargetConfig* Config::find_target(std::string_view name) const {
  for (const auto& t : targets) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

Config parse_config(std::string_view text, std::string_view origin, const std::string& base_dir) {
  toml::table root;
  try {
    root = toml::parse(text, std::string(origin));
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw Error(located({std::string(origin), static_cast<int>(b.line), static_cast<int>(b.column)},
                        "invalid TOML: " + std::string(e.description())));
  }
  Config config;
  config.path = std::string(origin);
  Fields top(root, "", std::string(origin));

  if (const auto* t = top.table("daemon"))
    read_daemon(Fields(*t, "daemon", config.path), config.daemon, base_dir);

  TargetOptions defaults;
  if (const auto* t = top.table("defaults")) {
    Fields f(*t, "defaults", config.path);
    read_options(f, defaults);
    f.reject_unknown(kOptionKeys);
  }

  if (const auto* t = top.table("snapshots")) {
    for (const auto& [name, node] : *t) {
      const auto* table = node.as_table();
      if (!table)
        top.fail(node.source(), "snapshots." + std::string(name.str()) + " must be a table");
      if (!is_valid_name(name.str())) {
        top.fail(name.source(), "snapshot name \"" + std::string(name.str()) + "\" must match " +
                                    std::string(kNameRule));
      }
      Fields f(*table, "snapshots." + std::string(name.str()), config.path);
      SnapshotSource source{std::string(name.str()), std::nullopt};
      if (auto p = f.string("path")) source.path = resolve_path(base_dir, *p);
      f.reject_unknown("path");
      config.snapshots.emplace(source.name, std::move(source));
    }
  }

  if (const toml::node* n = top.node("target")) {
    const auto* list = n->as_array();
    if (!list) top.fail(n->source(), "target must be an array of tables: write [[target]]");
    for (const auto& item : *list) {
      const auto* table = item.as_table();
      if (!table) top.fail(item.source(), "each [[target]] must be a table");
      TargetConfig target = read_target(Fields(*table, "target", config.path), defaults, base_dir);
      if (config.find_target(target.name)) {
        top.fail(table->source(), "duplicate target name \"" + target.name + "\"");
      }
      for (const auto& s : target.snapshots) {
        if (!config.snapshots.contains(s)) {
          top.fail(table->get("snapshots")->source(),
                   "target " + target.name + " uses snapshot \"" + s +
                       "\" which is not defined: add a [snapshots." + s + "] table");
        }
      }
      config.targets.push_back(std::move(target));
    }
  }

  if (const auto* t = top.table("alerting"))
    read_alerting(Fields(*t, "alerting", config.path), config.alerting, base_dir);

  top.reject_unknown("daemon, defaults, snapshots, target, alerting");
  config.targets.shrink_to_fit();  // kept while the daemon runs: 4 MB at 10 000 targets, not 6
  return config;
}

Config load_config(const std::string& path) {
  std::string base = std::filesystem::path(path).parent_path().string();
  return parse_config(read_file(path, "config"), path, base);
}

}  // namespace enumwatch
