// Every metric of docs/metrics.md: each target's own series as numbers with their rendered lines
// (target_samples.hpp), the others in a prometheus-cpp registry. Polls write into them; a scrape
// only serializes what the last polls left and never waits on a database.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "enumwatch/config/config.hpp"
#include "enumwatch/diff/diff.hpp"
#include "poll/poll_result.hpp"
#include "snapshots/snapshot_set.hpp"

namespace enumwatch {

class Metrics {
 public:
  explicit Metrics(bool per_enum_metrics);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void set_per_enum_metrics(bool enabled);
  // Series for a target exist from the moment it is configured (up 0, counters 0).
  void add_target(const TargetConfig& target);
  void remove_target(const std::string& target);
  void record_poll(const TargetConfig& target, std::span<const NamedSnapshot> snapshots,
                   const PollResult& result);
  // enumwatch_notify_listening, enumwatch_notifications_total and
  // enumwatch_notifications_coalesced_total (docs/instant-detection.md).
  void set_listening(const std::string& target, bool listening);
  // enumwatch_poll_interval_seconds: interval, or interval_listening while the target listens.
  void set_poll_interval(const std::string& target, std::chrono::milliseconds interval);
  void count_change_notifications(const std::string& target, std::size_t count);
  void count_coalesced_notifications(const std::string& target, std::size_t count);
  // enumwatch_secondary_read_failures_total{read}: dependents, column_stats, migration_revision.
  void count_secondary_read_failure(std::string_view read);
  void set_snapshots(const SnapshotSet& snapshots);
  // Whether enumwatch_poll_duration_seconds{target} is exported (docs/metrics.md, "At fleet
  // size"); enumwatch_fleet_poll_duration_seconds always is.
  void set_duration_histograms(DurationHistogram mode, std::size_t watched_targets);
  // enumwatch_shard_info and enumwatch_targets{state} (docs/fleet.md).
  void set_shard(const Shard& shard, std::size_t watched, std::size_t other_shard);
  void record_reload(bool success, std::chrono::system_clock::time_point when);
  void count_alert_notification(const std::string& receiver, bool ok);
  // enumwatch_internal_errors_total{component}: an error caught at a loop's edge.
  void count_internal_error(const std::string& component);

  // Text exposition format 0.0.4, process_* metrics included. Renders what polls changed since
  // the last scrape (so it is const for callers but not free).
  [[nodiscard]] std::string serialize() const;
  // The same, as a gzip body (docs/http-api.md, "Compression"). The per-target lines are kept
  // deflated in blocks, with the numbers they were written from: a block whose numbers stand is
  // reused as it was compressed (docs/design.md, "Metrics rendering").
  [[nodiscard]] std::string serialize_gzip() const;

  // The per-target families as serialize() writes them by hand, and as prometheus-cpp's
  // TextSerializer writes the same families: the two must carry the same samples.
  [[nodiscard]] std::string target_families_text() const;
  [[nodiscard]] std::string target_families_text_by_prometheus_cpp() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace enumwatch
