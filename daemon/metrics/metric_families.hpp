// The families of docs/metrics.md that are not a target's own (those are target_samples.hpp),
// grouped by what they hold: what polls leave, the enums drifting, the revisions on either side,
// the daemon's configuration, and its alerts and errors. Each group registers its families when
// it is built.
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
#include "metrics/target_samples.hpp"

namespace enumwatch {

// Of enumwatch_fleet_poll_duration_seconds: the per-target histogram's bounds.
inline const prometheus::Histogram::BucketBoundaries kPollDurationBuckets(
    kPollDurationBounds.begin(), kPollDurationBounds.end());

// What polls leave beyond each target's own series: every poll's duration, and the reads after a
// catalog read that failed.
struct PollFamilies {
  explicit PollFamilies(prometheus::Registry& registry);

  // docs/metrics.md, "At fleet size": every poll's duration, whatever the target; the per-target
  // histogram is rendered only while Metrics exports it.
  prometheus::Histogram& fleet_duration;
  prometheus::Family<prometheus::Counter>& secondary_read_failures;
  std::map<std::string, prometheus::Counter*, std::less<>> secondary_read_counters;
};

// The enums drifting in a target's last poll, and with per_enum_metrics their values on either
// side.
struct DriftFamilies {
  explicit DriftFamilies(prometheus::Registry& registry);

  DynamicSeries<prometheus::Gauge> enum_drifted;
  DynamicSeries<prometheus::Gauge> enum_values;  // only with per_enum_metrics
};

// Which revision each side is at: the snapshots registered and the database's migration revision.
struct RevisionFamilies {
  explicit RevisionFamilies(prometheus::Registry& registry);

  DynamicSeries<prometheus::Gauge> snapshot_info;
  DynamicSeries<prometheus::Gauge> migration_info;
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
