// The daemon's configuration (docs/configuration.md), parsed and validated in one typed pass:
// unknown keys, bad values and broken cross-references are errors that name the file, line and
// column.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/config/scope.hpp"
#include "enumwatch/config/shard.hpp"
#include "enumwatch/core/duration.hpp"
#include "enumwatch/core/model.hpp"

namespace enumwatch {

// notify (docs/instant-detection.md): listen for the event trigger where the database has it
// (automatic), demand it (on: a missing trigger is an error in the target's status), or never
// listen (off).
enum class NotifyMode { automatic, on, off };
[[nodiscard]] std::string_view to_string(NotifyMode mode);

// Everything that may be set in [defaults] and overridden per [[target]].
struct TargetOptions {
  Duration interval{std::chrono::seconds(30)};
  Duration timeout{std::chrono::seconds(10)};  // whole poll: connect + queries
  Scope scope;
  bool report_unexpected = true;
  bool check_order = true;
  bool checks = true;  // also read CHECK-constraint enums (docs/snapshot-format.md [[check]])
  NamingPolicy naming = NamingPolicy::snake_case;
  Duration drift_for{0};
  std::string migration_table;  // "" = none; "table" or "schema.table"
  MigrationTool migration_tool = MigrationTool::alembic;
  // How often the migration table alone is re-read between polls; a new revision polls at once.
  Duration revision_check_interval{std::chrono::seconds(5)};
  NotifyMode notify = NotifyMode::automatic;
  // A direct DSN for the LISTEN connection, for a dsn through PgBouncer in transaction pooling
  // (LISTEN needs a session of its own). "": listen over dsn.
  std::string notify_dsn;
  // The safety-net interval while the database is listened to (docs/instant-detection.md,
  // "The interval while listening"): notifications bring changes at once, polls only confirm.
  Duration interval_listening{std::chrono::minutes(5)};
  // migration_lock = "auto" (docs/migration-locks.md): each poll also asks whether a migration
  // tool holds its lock, and drift that appears meanwhile is held back as migrating, for at most
  // migration_grace. "off": never asked.
  bool watch_migration_locks = true;
  Duration migration_grace{std::chrono::minutes(15)};

  bool operator==(const TargetOptions&) const = default;
};

struct TargetConfig {
  std::string name;
  std::string dsn;
  std::optional<std::string> password_file;
  std::vector<std::string> snapshots;
  std::map<std::string, std::string> labels;
  TargetOptions options;

  bool operator==(const TargetConfig&) const = default;
};

struct SnapshotSource {
  std::string name;
  std::optional<std::string> path;  // absent: registered over the API

  bool operator==(const SnapshotSource&) const = default;
};

struct ListenAddress {
  std::string host;
  unsigned short port = 0;
};

// Where poll durations are exported (docs/metrics.md, "At fleet size"): a histogram per target
// (the default below 1 000 targets), or one histogram for all of them.
enum class DurationHistogram { automatic, per_target, fleet };
// automatic: per target below this many targets watched, fleet from there on.
inline constexpr std::size_t kPerTargetHistogramLimit = 1000;

struct DaemonSettings {
  std::string listen = "127.0.0.1:9747";
  std::string state_dir = "/var/lib/enumwatch";
  std::string log_level = "info";
  std::string log_format = "text";
  int max_concurrent_polls = 16;
  ShardSetting shard;  // docs/fleet.md, "Shards"
  bool per_enum_metrics = false;
  DurationHistogram poll_duration_histogram = DurationHistogram::automatic;
  std::optional<std::string> api_token_file;
  // With both: the listener speaks HTTPS only. With a client CA too: clients must present a
  // certificate it signed (mutual TLS).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
};

struct AlertingSettings {
  std::vector<std::string> alertmanager_urls;
  std::vector<std::string> webhook_urls;
  Duration resend_interval{std::chrono::minutes(1)};
  std::string external_url;
  std::string runbook_url;
  // For https:// receivers: a CA file instead of the system's CAs, and a client certificate.
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
};

struct Config {
  std::string path;  // where it was loaded from
  DaemonSettings daemon;
  std::map<std::string, SnapshotSource> snapshots;
  std::vector<TargetConfig> targets;
  AlertingSettings alerting;

  [[nodiscard]] const TargetConfig* find_target(std::string_view name) const;
};

// Relative paths (snapshot files, password files, token file) are resolved against base_dir.
[[nodiscard]] Config parse_config(std::string_view text, std::string_view origin,
                                  const std::string& base_dir);
[[nodiscard]] Config load_config(const std::string& path);

[[nodiscard]] std::optional<ListenAddress> parse_listen(std::string_view text);

}  // namespace enumwatch
