#include "metrics/metric_families.hpp"

#include "version.hpp"

namespace enumwatch {
namespace prom = prometheus;

PollFamilies::PollFamilies(prom::Registry& registry)
    : fleet_duration(prom::BuildHistogram()
                         .Name("enumwatch_fleet_poll_duration_seconds")
                         .Help("Duration of every target's polls (connect and queries) in seconds.")
                         .Register(registry)
                         .Add({}, kPollDurationBuckets)),
      secondary_read_failures(
          prom::BuildCounter()
              .Name("enumwatch_secondary_read_failures_total")
              .Help("Reads after a poll's catalog read that failed (the poll still counted): "
                    "the dependents of drifting types, pg_stats, the migration revision.")
              .Register(registry)) {
  // Present at 0 from the start, so that rules see a counter rise from 0 rather than appear.
  for (const char* read :
       {"dependents", "column_stats", "changed_by", "migration_revision", "migration_lock"})
    secondary_read_counters.emplace(read, &secondary_read_failures.Add({{"read", read}}));
}

DriftFamilies::DriftFamilies(prom::Registry& registry)
    : enum_drifted(prom::BuildGauge()
                       .Name("enumwatch_enum_drifted")
                       .Help("1 while the enum drifts; severity is the highest of its items.")
                       .Register(registry)),
      enum_values(prom::BuildGauge()
                      .Name("enumwatch_enum_values")
                      .Help("Number of values of each enum (only with per_enum_metrics).")
                      .Register(registry)) {}

RevisionFamilies::RevisionFamilies(prom::Registry& registry)
    : snapshot_info(prom::BuildGauge()
                        .Name("enumwatch_snapshot_info")
                        .Help("Registered snapshots with their revision and digest.")
                        .Register(registry)),
      migration_info(prom::BuildGauge()
                         .Name("enumwatch_migration_revision_info")
                         .Help("The target database's migration revision.")
                         .Register(registry)) {}

ConfigFamilies::ConfigFamilies(prom::Registry& registry)
    : reload_ok(prom::BuildGauge()
                    .Name("enumwatch_config_last_reload_successful")
                    .Help("1 if the last configuration load succeeded.")
                    .Register(registry)
                    .Add({})),
      reload_time(prom::BuildGauge()
                      .Name("enumwatch_config_last_reload_success_timestamp_seconds")
                      .Help("Unix time of the last successful configuration load.")
                      .Register(registry)
                      .Add({})),
      shard_info(prom::BuildGauge()
                     .Name("enumwatch_shard_info")
                     .Help("1: this daemon's shard (shard) of how many (shards); 0 of 1 unsharded.")
                     .Register(registry)),
      targets_by_state(prom::BuildGauge()
                           .Name("enumwatch_targets")
                           .Help("Configured targets this daemon watches (watched) and leaves to "
                                 "other shards (other_shard).")
                           .Register(registry)),
      watched_targets(targets_by_state.Add({{"state", "watched"}})),
      other_shard_targets(targets_by_state.Add({{"state", "other_shard"}})) {
  prom::BuildGauge()
      .Name("enumwatch_build_info")
      .Help("enumwatch version and source revision.")
      .Register(registry)
      .Add({{"version", kVersion}, {"revision", kRevision}})
      .Set(1);
}

AlertAndErrorFamilies::AlertAndErrorFamilies(prom::Registry& registry)
    : alert_notifications(prom::BuildCounter()
                              .Name("enumwatch_alert_notifications_total")
                              .Help("Alert notifications sent, by receiver and outcome.")
                              .Register(registry)),
      internal_errors(prom::BuildCounter()
                          .Name("enumwatch_internal_errors_total")
                          .Help("Unexpected errors caught at a loop's edge, by component (should "
                                "stay 0: each is logged with its cause).")
                          .Register(registry)) {
  // Present at 0 from the start, as the secondary read failures are.
  for (const char* component : {"scheduler", "revision_watch", "listener", "alerting", "http",
                                "reload", "housekeeping", "snapshot_store", "migration_watch"}) {
    internal_error_counters.emplace(component, &internal_errors.Add({{"component", component}}));
  }
}

}  // namespace enumwatch
