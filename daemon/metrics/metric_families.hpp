// The families of docs/metrics.md, grouped by what they hold: what each poll of a target leaves,
// the drift it found, its change notifications, the revisions on either side, the daemon's
// configuration, and its alerts and errors. Each group registers its families when it is built.
//
// prometheus-cpp writes a registry's families type by type, each type in the order its families
// were registered. Metrics builds the groups in the order they are declared here, and each group
// registers in the order of its members: that is what keeps the exposition in the order
// docs/metrics.md lists it, and a reordering here reorders every scrape.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <functional>
#include <map>
#include <string>
#include <utility>

#include "metrics/dynamic_series.hpp"

namespace enumwatch {

// The per-target families, in exposition order. Metrics writes their lines by hand
// (exposition.hpp) under these headers; prometheus-cpp holds the same families in the target
// registry.
enum TargetFamily {
  kUp,
  kDuration,
  kPolls,
  kLastSuccess,
  kLastPoll,
  kInterval,
  kDrift,
  kEnums,
  kListening,
  kChangeNotifications,
  kNotificationsCoalesced,
  kTriggerInstalled,
  kMigrationInProgress,
  kTargetFamilies
};

struct FamilyHeader {
  const char* name;
  const char* help;
  const char* type;
};
inline constexpr FamilyHeader kTargetFamilyHeaders[kTargetFamilies] = {
    {"enumwatch_up", "1 if the last poll of the target succeeded, else 0.", "gauge"},
    {"enumwatch_poll_duration_seconds",
     "Duration of target polls (connect and queries) in seconds.", "histogram"},
    {"enumwatch_polls_total", "Polls of the target by outcome.", "counter"},
    {"enumwatch_last_successful_poll_timestamp_seconds",
     "Unix time of the target's last successful poll.", "gauge"},
    {"enumwatch_last_poll_timestamp_seconds",
     "Unix time of the end of the target's last poll, whatever its outcome.", "gauge"},
    {"enumwatch_poll_interval_seconds",
     "The target's configured poll interval: a poll older than a few of these is stale.", "gauge"},
    {"enumwatch_drift_items", "Current drift items of the target by kind.", "gauge"},
    {"enumwatch_enums", "Number of enum types seen, in the database or in the target's snapshots.",
     "gauge"},
    {"enumwatch_notify_listening",
     "1 while the target's LISTEN connection for the event trigger is up "
     "(docs/instant-detection.md).",
     "gauge"},
    {"enumwatch_notifications_total",
     "Change notifications received from the target's event trigger.", "counter"},
    {"enumwatch_notifications_coalesced_total",
     "Change notifications that asked for a poll while one was already pending: folded into it.",
     "counter"},
    {"enumwatch_notify_trigger_installed",
     "1 if the event trigger is installed and enabled in the target's database, as its last "
     "successful poll saw it.",
     "gauge"},
    {"enumwatch_migration_in_progress",
     "1 while the migration tool holds its lock on the target's database "
     "(docs/migration-locks.md); present with migration_lock = \"auto\".",
     "gauge"},
};

// Of enumwatch_poll_duration_seconds and enumwatch_fleet_poll_duration_seconds alike.
inline const prometheus::Histogram::BucketBoundaries kPollDurationBuckets{
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

// What each poll of a target leaves: its outcome, duration and time, the interval it runs at, and
// the reads after its catalog read that failed.
struct PollFamilies {
  PollFamilies(prometheus::Registry& registry, prometheus::Registry& target_registry);

  prometheus::Family<prometheus::Gauge>& up;
  prometheus::Family<prometheus::Histogram>& duration;
  prometheus::Family<prometheus::Counter>& polls;
  prometheus::Family<prometheus::Gauge>& last_success;
  prometheus::Family<prometheus::Gauge>& last_poll;
  prometheus::Family<prometheus::Gauge>& interval;
  // docs/metrics.md, "At fleet size": every poll's duration, whatever the target; the per-target
  // histogram is rendered only while Metrics exports it.
  prometheus::Histogram& fleet_duration;
  prometheus::Family<prometheus::Counter>& secondary_read_failures;
  std::map<std::string, prometheus::Counter*, std::less<>> secondary_read_counters;
};

// The drift a target's last poll found, and the enums it saw on either side.
struct DriftFamilies {
  DriftFamilies(prometheus::Registry& registry, prometheus::Registry& target_registry);

  prometheus::Family<prometheus::Gauge>& drift_items;
  prometheus::Family<prometheus::Gauge>& enums;
  DynamicSeries<prometheus::Gauge> enum_drifted;
  DynamicSeries<prometheus::Gauge> enum_values;  // only with per_enum_metrics
};

// The event trigger and the LISTEN connection that wake a target's polls
// (docs/instant-detection.md).
struct NotifyFamilies {
  explicit NotifyFamilies(prometheus::Registry& target_registry);

  prometheus::Family<prometheus::Gauge>& listening;
  prometheus::Family<prometheus::Counter>& change_notifications;
  prometheus::Family<prometheus::Counter>& coalesced_notifications;
  prometheus::Family<prometheus::Gauge>& trigger_installed;
};

// Which revision each side is at: the snapshots registered, the database's migration revision,
// and a migration in flight on it (docs/migration-locks.md).
struct RevisionFamilies {
  RevisionFamilies(prometheus::Registry& registry, prometheus::Registry& target_registry);

  DynamicSeries<prometheus::Gauge> snapshot_info;
  DynamicSeries<prometheus::Gauge> migration_info;
  prometheus::Family<prometheus::Gauge>& migration_in_progress;
};

// What the daemon runs as: its configuration's last reload, its shard and the targets that fall
// to it (docs/fleet.md), its build.
struct ConfigFamilies {
  explicit ConfigFamilies(prometheus::Registry& registry);

  prometheus::Gauge& reload_ok;
  prometheus::Gauge& reload_time;
  DynamicSeries<prometheus::Gauge> shard_info;
  prometheus::Family<prometheus::Gauge>& targets_by_state;
  prometheus::Gauge& watched_targets;
  prometheus::Gauge& other_shard_targets;
};

// The alert notifications the daemon sent, and the errors it caught at a loop's edge.
struct AlertAndErrorFamilies {
  explicit AlertAndErrorFamilies(prometheus::Registry& registry);

  prometheus::Family<prometheus::Counter>& alert_notifications;
  std::map<std::pair<std::string, bool>, prometheus::Counter*> alert_counters;  // receiver, ok
  prometheus::Family<prometheus::Counter>& internal_errors;
  std::map<std::string, prometheus::Counter*, std::less<>> internal_error_counters;
};

}  // namespace enumwatch
