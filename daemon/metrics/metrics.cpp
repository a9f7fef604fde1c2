#include "metrics/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <set>

#include "enumwatch/catalog/migration_lock.hpp"
#include "metrics/exposition.hpp"
#include "metrics/process_metrics.hpp"
#include "version.hpp"

namespace enumwatch {
namespace prom = prometheus;

namespace {

double seconds_since_epoch(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// Series whose label sets come and go (per enum, per revision): added when first seen, removed
// when a new set no longer has them.
template <typename Metric>
class DynamicSeries {
 public:
  explicit DynamicSeries(prom::Family<Metric>& family) : family_(family) {}

  // Replaces every series whose labels match `owner` with `wanted` (labels -> value).
  void replace(const prom::Labels& owner, const std::map<prom::Labels, double>& wanted) {
    for (auto it = series_.begin(); it != series_.end();) {
      if (owned_by(it->first, owner) && !wanted.contains(it->first)) {
        family_.Remove(it->second);
        it = series_.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& [labels, value] : wanted) {
      auto [it, inserted] = series_.try_emplace(labels, nullptr);
      if (inserted) it->second = &family_.Add(labels);
      it->second->Set(value);
    }
  }

 private:
  static bool owned_by(const prom::Labels& labels, const prom::Labels& owner) {
    for (const auto& [k, v] : owner) {
      auto it = labels.find(k);
      if (it == labels.end() || it->second != v) return false;
    }
    return true;
  }

  prom::Family<Metric>& family_;
  std::map<prom::Labels, Metric*> series_;
};

// The per-target families, in exposition order.
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
constexpr FamilyHeader kTargetFamilyHeaders[kTargetFamilies] = {
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

const prom::Histogram::BucketBoundaries kPollBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                     0.5,   1,    2.5,   5,    10,  30};

}  // namespace

struct Metrics::Impl {
  explicit Impl(bool per_enum)
      : per_enum_metrics(per_enum),
        registry(std::make_shared<prom::Registry>()),
        target_registry(std::make_shared<prom::Registry>()),
        up(prom::BuildGauge()
               .Name(kTargetFamilyHeaders[kUp].name)
               .Help(kTargetFamilyHeaders[kUp].help)
               .Register(*target_registry)),
        poll_duration(prom::BuildHistogram()
                          .Name(kTargetFamilyHeaders[kDuration].name)
                          .Help(kTargetFamilyHeaders[kDuration].help)
                          .Register(*target_registry)),
        polls(prom::BuildCounter()
                  .Name(kTargetFamilyHeaders[kPolls].name)
                  .Help(kTargetFamilyHeaders[kPolls].help)
                  .Register(*target_registry)),
        last_success(prom::BuildGauge()
                         .Name(kTargetFamilyHeaders[kLastSuccess].name)
                         .Help(kTargetFamilyHeaders[kLastSuccess].help)
                         .Register(*target_registry)),
        last_poll(prom::BuildGauge()
                      .Name(kTargetFamilyHeaders[kLastPoll].name)
                      .Help(kTargetFamilyHeaders[kLastPoll].help)
                      .Register(*target_registry)),
        interval(prom::BuildGauge()
                     .Name(kTargetFamilyHeaders[kInterval].name)
                     .Help(kTargetFamilyHeaders[kInterval].help)
                     .Register(*target_registry)),
        drift_items(prom::BuildGauge()
                        .Name(kTargetFamilyHeaders[kDrift].name)
                        .Help(kTargetFamilyHeaders[kDrift].help)
                        .Register(*target_registry)),
        enum_drifted_family(
            prom::BuildGauge()
                .Name("enumwatch_enum_drifted")
                .Help("1 while the enum drifts; severity is the highest of its items.")
                .Register(*registry)),
        enums(prom::BuildGauge()
                  .Name(kTargetFamilyHeaders[kEnums].name)
                  .Help(kTargetFamilyHeaders[kEnums].help)
                  .Register(*target_registry)),
        listening(prom::BuildGauge()
                      .Name(kTargetFamilyHeaders[kListening].name)
                      .Help(kTargetFamilyHeaders[kListening].help)
                      .Register(*target_registry)),
        change_notifications(prom::BuildCounter()
                                 .Name(kTargetFamilyHeaders[kChangeNotifications].name)
                                 .Help(kTargetFamilyHeaders[kChangeNotifications].help)
                                 .Register(*target_registry)),
        coalesced_notifications(prom::BuildCounter()
                                    .Name(kTargetFamilyHeaders[kNotificationsCoalesced].name)
                                    .Help(kTargetFamilyHeaders[kNotificationsCoalesced].help)
                                    .Register(*target_registry)),
        trigger_installed(prom::BuildGauge()
                              .Name(kTargetFamilyHeaders[kTriggerInstalled].name)
                              .Help(kTargetFamilyHeaders[kTriggerInstalled].help)
                              .Register(*target_registry)),
        migration_in_progress(prom::BuildGauge()
                                  .Name(kTargetFamilyHeaders[kMigrationInProgress].name)
                                  .Help(kTargetFamilyHeaders[kMigrationInProgress].help)
                                  .Register(*target_registry)),
        secondary_read_failures(
            prom::BuildCounter()
                .Name("enumwatch_secondary_read_failures_total")
                .Help("Reads after a poll's catalog read that failed (the poll still counted): "
                      "the dependents of drifting types, pg_stats, the migration revision.")
                .Register(*registry)),
        enum_values_family(prom::BuildGauge()
                               .Name("enumwatch_enum_values")
                               .Help("Number of values of each enum (only with per_enum_metrics).")
                               .Register(*registry)),
        snapshot_info_family(prom::BuildGauge()
                                 .Name("enumwatch_snapshot_info")
                                 .Help("Registered snapshots with their revision and digest.")
                                 .Register(*registry)),
        migration_info_family(prom::BuildGauge()
                                  .Name("enumwatch_migration_revision_info")
                                  .Help("The target database's migration revision.")
                                  .Register(*registry)),
        alert_notifications(prom::BuildCounter()
                                .Name("enumwatch_alert_notifications_total")
                                .Help("Alert notifications sent, by receiver and outcome.")
                                .Register(*registry)),
        internal_errors(prom::BuildCounter()
                            .Name("enumwatch_internal_errors_total")
                            .Help("Unexpected errors caught at a loop's edge, by component (should "
                                  "stay 0: each is logged with its cause).")
                            .Register(*registry)),
        reload_ok(prom::BuildGauge()
                      .Name("enumwatch_config_last_reload_successful")
                      .Help("1 if the last configuration load succeeded.")
                      .Register(*registry)
                      .Add({})),
        reload_time(prom::BuildGauge()
                        .Name("enumwatch_config_last_reload_success_timestamp_seconds")
                        .Help("Unix time of the last successful configuration load.")
                        .Register(*registry)
                        .Add({})),
        enum_drifted(enum_drifted_family),
        enum_values(enum_values_family),
        snapshot_info(snapshot_info_family),
        migration_info(migration_info_family) {
    prom::BuildGauge()
        .Name("enumwatch_build_info")
        .Help("enumwatch version and source revision.")
        .Register(*registry)
        .Add({{"version", kVersion}, {"revision", kRevision}})
        .Set(1);
    // Present at 0 from the start, so that rules see a counter rise from 0 rather than appear.
    for (const char* component : {"scheduler", "revision_watch", "listener", "alerting", "http",
                                  "reload", "housekeeping", "snapshot_store", "migration_watch"}) {
      internal_error_counters.emplace(component, &internal_errors.Add({{"component", component}}));
    }
    for (const char* read :
         {"dependents", "column_stats", "changed_by", "migration_revision", "migration_lock"})
      secondary_read_counters.emplace(read, &secondary_read_failures.Add({{"read", read}}));
  }

  struct TargetSeries {
    prom::Gauge* up;
    prom::Histogram* duration;
    std::map<PollOutcome, prom::Counter*> polls;
    prom::Gauge* last_success = nullptr;
    prom::Gauge* last_poll = nullptr;
    prom::Gauge* interval;
    std::map<DriftKind, prom::Gauge*> drift;
    prom::Gauge* enums_database;
    prom::Gauge* enums_snapshot;
    prom::Gauge* listening;
    prom::Counter* change_notifications;
    prom::Counter* coalesced_notifications;
    prom::Gauge* trigger_installed;
    // One per tool (kMigrationLockTools) with migration_lock = "auto", else none.
    std::map<std::string_view, prom::Gauge*> migration;
    std::array<std::string, kTargetFamilies> text;  // rendered lines per family
    bool stale = true;
  };

  // Re-renders one target's lines from its metric objects.
  void render(const std::string& name, TargetSeries& s) {
    s.stale = false;
    for (auto& t : s.text) t.clear();
    exposition::append_sample(s.text[kUp], kTargetFamilyHeaders[kUp].name, {name}, s.up->Value());
    exposition::append_histogram(s.text[kDuration], kTargetFamilyHeaders[kDuration].name, name,
                                 s.duration->Collect().histogram);
    for (const auto& [outcome, counter] : s.polls) {
      exposition::append_sample(s.text[kPolls], kTargetFamilyHeaders[kPolls].name,
                                {name, "outcome", to_string(outcome)}, counter->Value());
    }
    if (s.last_success) {
      exposition::append_sample(s.text[kLastSuccess], kTargetFamilyHeaders[kLastSuccess].name,
                                {name}, s.last_success->Value());
    }
    if (s.last_poll) {
      exposition::append_sample(s.text[kLastPoll], kTargetFamilyHeaders[kLastPoll].name, {name},
                                s.last_poll->Value());
    }
    exposition::append_sample(s.text[kInterval], kTargetFamilyHeaders[kInterval].name, {name},
                              s.interval->Value());
    for (const auto& [kind, gauge] : s.drift) {
      exposition::append_sample(s.text[kDrift], kTargetFamilyHeaders[kDrift].name,
                                {name, "kind", to_string(kind)}, gauge->Value());
    }
    exposition::append_sample(s.text[kEnums], kTargetFamilyHeaders[kEnums].name,
                              {name, "source", "database"}, s.enums_database->Value());
    exposition::append_sample(s.text[kEnums], kTargetFamilyHeaders[kEnums].name,
                              {name, "source", "snapshot"}, s.enums_snapshot->Value());
    exposition::append_sample(s.text[kListening], kTargetFamilyHeaders[kListening].name, {name},
                              s.listening->Value());
    exposition::append_sample(s.text[kChangeNotifications],
                              kTargetFamilyHeaders[kChangeNotifications].name, {name},
                              s.change_notifications->Value());
    exposition::append_sample(s.text[kNotificationsCoalesced],
                              kTargetFamilyHeaders[kNotificationsCoalesced].name, {name},
                              s.coalesced_notifications->Value());
    exposition::append_sample(s.text[kTriggerInstalled],
                              kTargetFamilyHeaders[kTriggerInstalled].name, {name},
                              s.trigger_installed->Value());
    for (const auto& [tool, gauge] : s.migration) {
      exposition::append_sample(s.text[kMigrationInProgress],
                                kTargetFamilyHeaders[kMigrationInProgress].name,
                                {name, "tool", tool}, gauge->Value());
    }
  }

  bool per_enum_metrics;
  std::shared_ptr<prom::Registry> registry;         // collected at every scrape: small families
  std::shared_ptr<prom::Registry> target_registry;  // per-target values; rendered per poll
  prom::Family<prom::Gauge>& up;
  prom::Family<prom::Histogram>& poll_duration;
  prom::Family<prom::Counter>& polls;
  prom::Family<prom::Gauge>& last_success;
  prom::Family<prom::Gauge>& last_poll;
  prom::Family<prom::Gauge>& interval;
  prom::Family<prom::Gauge>& drift_items;
  prom::Family<prom::Gauge>& enum_drifted_family;
  prom::Family<prom::Gauge>& enums;
  prom::Family<prom::Gauge>& listening;
  prom::Family<prom::Counter>& change_notifications;
  prom::Family<prom::Counter>& coalesced_notifications;
  prom::Family<prom::Gauge>& trigger_installed;
  prom::Family<prom::Gauge>& migration_in_progress;
  prom::Family<prom::Counter>& secondary_read_failures;
  prom::Family<prom::Gauge>& enum_values_family;
  prom::Family<prom::Gauge>& snapshot_info_family;
  prom::Family<prom::Gauge>& migration_info_family;
  prom::Family<prom::Counter>& alert_notifications;
  prom::Family<prom::Counter>& internal_errors;
  prom::Gauge& reload_ok;
  prom::Gauge& reload_time;
  DynamicSeries<prom::Gauge> enum_drifted;
  DynamicSeries<prom::Gauge> enum_values;
  DynamicSeries<prom::Gauge> snapshot_info;
  DynamicSeries<prom::Gauge> migration_info;
  // docs/metrics.md, "At fleet size": every poll's duration, whatever the target; the per-target
  // histogram is rendered only while per_target_durations.
  prom::Histogram& fleet_duration =
      prom::BuildHistogram()
          .Name("enumwatch_fleet_poll_duration_seconds")
          .Help("Duration of every target's polls (connect and queries) in seconds.")
          .Register(*registry)
          .Add({}, kPollBuckets);
  bool per_target_durations = true;
  // docs/fleet.md: which shard this daemon is, and the targets it watches or leaves to others.
  DynamicSeries<prom::Gauge> shard_info{
      prom::BuildGauge()
          .Name("enumwatch_shard_info")
          .Help("1: this daemon's shard (shard) of how many (shards); 0 of 1 unsharded.")
          .Register(*registry)};
  prom::Family<prom::Gauge>& targets_by_state =
      prom::BuildGauge()
          .Name("enumwatch_targets")
          .Help(
              "Configured targets this daemon watches (watched) and leaves to other shards "
              "(other_shard).")
          .Register(*registry);
  prom::Gauge& watched_targets = targets_by_state.Add({{"state", "watched"}});
  prom::Gauge& other_shard_targets = targets_by_state.Add({{"state", "other_shard"}});
  std::map<std::string, TargetSeries> targets;
  std::map<std::pair<std::string, bool>, prom::Counter*> notifications;
  std::map<std::string, prom::Counter*, std::less<>> internal_error_counters;
  std::map<std::string, prom::Counter*, std::less<>> secondary_read_counters;
};

namespace {

// enumwatch_migration_in_progress{target,tool}: every tool at 0 or 1 while the target watches
// the locks, none when it does not (a reload may turn it on or off).
void set_migration(Metrics::Impl& m, const TargetConfig& target, Metrics::Impl::TargetSeries& s,
                   const PollResult& result) {
  if (!target.options.watch_migration_locks) {
    for (auto& [tool, gauge] : s.migration) m.migration_in_progress.Remove(gauge);
    s.migration.clear();
    return;
  }
  if (s.migration.empty()) {
    for (std::string_view tool : kMigrationLockTools) {
      s.migration[tool] =
          &m.migration_in_progress.Add({{"target", target.name}, {"tool", std::string(tool)}});
    }
  }
  for (auto& [tool, gauge] : s.migration) {
    const auto& held = result.report.migration;
    const bool holds =
        held && std::find(held->tools.begin(), held->tools.end(), tool) != held->tools.end();
    gauge->Set(holds ? 1 : 0);
  }
}

}  // namespace

Metrics::Metrics(bool per_enum_metrics) : impl_(std::make_unique<Impl>(per_enum_metrics)) {}
Metrics::~Metrics() = default;

void Metrics::set_per_enum_metrics(bool enabled) {
  impl_->per_enum_metrics = enabled;
  if (!enabled) {
    for (const auto& [name, series] : impl_->targets)
      impl_->enum_values.replace({{"target", name}}, {});
  }
}

void Metrics::add_target(const TargetConfig& config) {
  auto& m = *impl_;
  const std::string& target = config.name;
  const double interval = std::chrono::duration<double>(config.options.interval).count();
  if (m.targets.contains(target)) return;  // its interval is the scheduler's (set_poll_interval)
  const prom::Labels labels{{"target", target}};
  Impl::TargetSeries s;
  s.up = &m.up.Add(labels);
  s.duration = &m.poll_duration.Add(labels, kPollBuckets);
  for (PollOutcome o : {PollOutcome::ok, PollOutcome::error, PollOutcome::timeout}) {
    s.polls[o] = &m.polls.Add({{"target", target}, {"outcome", std::string(to_string(o))}});
  }
  for (DriftKind k : kAllDriftKinds)
    s.drift[k] = &m.drift_items.Add({{"target", target}, {"kind", std::string(to_string(k))}});
  s.enums_database = &m.enums.Add({{"target", target}, {"source", "database"}});
  s.enums_snapshot = &m.enums.Add({{"target", target}, {"source", "snapshot"}});
  s.interval = &m.interval.Add(labels);
  s.interval->Set(interval);
  s.listening = &m.listening.Add(labels);
  s.change_notifications = &m.change_notifications.Add(labels);
  s.coalesced_notifications = &m.coalesced_notifications.Add(labels);
  s.trigger_installed = &m.trigger_installed.Add(labels);
  m.targets.emplace(target, std::move(s));
}

void Metrics::remove_target(const std::string& target) {
  auto& m = *impl_;
  auto it = m.targets.find(target);
  if (it == m.targets.end()) return;
  auto& s = it->second;
  m.up.Remove(s.up);
  m.poll_duration.Remove(s.duration);
  for (auto& [o, c] : s.polls) m.polls.Remove(c);
  if (s.last_success) m.last_success.Remove(s.last_success);
  if (s.last_poll) m.last_poll.Remove(s.last_poll);
  m.interval.Remove(s.interval);
  for (auto& [k, g] : s.drift) m.drift_items.Remove(g);
  m.enums.Remove(s.enums_database);
  m.enums.Remove(s.enums_snapshot);
  m.listening.Remove(s.listening);
  m.change_notifications.Remove(s.change_notifications);
  m.coalesced_notifications.Remove(s.coalesced_notifications);
  m.trigger_installed.Remove(s.trigger_installed);
  for (auto& [tool, gauge] : s.migration) m.migration_in_progress.Remove(gauge);
  const prom::Labels owner{{"target", target}};
  m.enum_drifted.replace(owner, {});
  m.enum_values.replace(owner, {});
  m.migration_info.replace(owner, {});
  m.targets.erase(it);
}

void Metrics::record_poll(const TargetConfig& target, std::span<const NamedSnapshot> snapshots,
                          const PollResult& result) {
  add_target(target);
  auto& m = *impl_;
  auto& s = m.targets.at(target.name);
  s.polls.at(result.outcome)->Increment();
  if (!s.last_poll) s.last_poll = &m.last_poll.Add({{"target", target.name}});
  s.last_poll->Set(
      seconds_since_epoch(result.report.polled_at.value_or(std::chrono::system_clock::now())));
  s.duration->Observe(result.took.count());
  m.fleet_duration.Observe(result.took.count());
  s.up->Set(result.outcome == PollOutcome::ok ? 1 : 0);
  s.stale = true;
  if (result.outcome != PollOutcome::ok) return;  // keep the last known drift
  s.trigger_installed->Set(result.ddl_trigger_installed ? 1 : 0);
  set_migration(m, target, s, result);

  if (!s.last_success) s.last_success = &m.last_success.Add({{"target", target.name}});
  s.last_success->Set(
      seconds_since_epoch(result.report.polled_at.value_or(std::chrono::system_clock::now())));
  if (result.unchanged) return;  // the drift series stand as they are

  std::map<DriftKind, int> counts;
  std::map<prom::Labels, double> drifted;
  std::map<prom::Labels, Severity> worst;
  for (const auto& item : result.report.drift) {
    ++counts[item.kind];
    // Held back while a migration is in flight: not drifting yet, as no alert fires for it
    // (docs/migration-locks.md); its items are counted all the same.
    if (item.enum_name.empty() || item.migrating) continue;
    prom::Labels key{{"target", target.name}, {"schema", item.schema}, {"enum", item.enum_name}};
    auto [it, inserted] = worst.try_emplace(key, item.severity());
    if (!inserted && item.severity() > it->second) it->second = item.severity();
  }
  for (DriftKind k : kAllDriftKinds) s.drift.at(k)->Set(counts[k]);
  for (const auto& [key, severity] : worst) {
    prom::Labels labels = key;
    labels.emplace("severity", std::string(to_string(severity)));
    drifted.emplace(std::move(labels), 1);
  }
  const prom::Labels owner{{"target", target.name}};
  m.enum_drifted.replace(owner, drifted);
  // A held drift judged anew, without a new catalog: what follows stands as it is.
  if (!result.database) return;

  const auto& database = *result.database;
  std::set<TypeName> snapshot_enums;
  std::map<prom::Labels, double> values;
  for (const auto& named : snapshots) {
    if (!named.snapshot) continue;
    for (const auto& e : named.snapshot->enums) {
      if (!target.options.scope.includes(e.type) || !snapshot_enums.insert(e.type).second) continue;
      if (m.per_enum_metrics) {
        values[{{"target", target.name},
                {"schema", e.type.schema},
                {"enum", e.type.name},
                {"source", "snapshot"}}] = static_cast<double>(e.values.size());
      }
    }
  }
  s.enums_database->Set(static_cast<double>(database.catalog.enums.size()));
  s.enums_snapshot->Set(static_cast<double>(snapshot_enums.size()));
  if (m.per_enum_metrics) {
    for (const auto& e : database.catalog.enums) {
      values[{{"target", target.name},
              {"schema", e.type.schema},
              {"enum", e.type.name},
              {"source", "database"}}] = static_cast<double>(e.values.size());
    }
  }
  m.enum_values.replace(owner, values);

  std::map<prom::Labels, double> revision;
  if (database.migration_revision)
    revision[{{"target", target.name}, {"revision", *database.migration_revision}}] = 1;
  m.migration_info.replace(owner, revision);
}

void Metrics::set_listening(const std::string& target, bool listening) {
  auto it = impl_->targets.find(target);
  if (it == impl_->targets.end()) return;
  it->second.listening->Set(listening ? 1 : 0);
  it->second.stale = true;
}

void Metrics::set_poll_interval(const std::string& target, std::chrono::milliseconds interval) {
  auto it = impl_->targets.find(target);
  if (it == impl_->targets.end()) return;
  it->second.interval->Set(std::chrono::duration<double>(interval).count());
  it->second.stale = true;
}

void Metrics::count_change_notifications(const std::string& target, std::size_t count) {
  auto it = impl_->targets.find(target);
  if (it == impl_->targets.end()) return;
  it->second.change_notifications->Increment(static_cast<double>(count));
  it->second.stale = true;
}

void Metrics::set_snapshots(const SnapshotSet& snapshots) {
  std::map<prom::Labels, double> info;
  for (const auto& [name, loaded] : snapshots) {
    if (!loaded.current) continue;
    info[{{"snapshot", name},
          {"revision", loaded.current->snapshot->revision.value_or("")},
          {"digest", loaded.current->digest}}] = 1;
  }
  impl_->snapshot_info.replace({}, info);
}

void Metrics::set_duration_histograms(DurationHistogram mode, std::size_t watched_targets) {
  impl_->per_target_durations =
      mode == DurationHistogram::per_target ||
      (mode == DurationHistogram::automatic && watched_targets < kPerTargetHistogramLimit);
}

void Metrics::set_shard(const Shard& shard, std::size_t watched, std::size_t other_shard) {
  auto& m = *impl_;
  m.shard_info.replace(
      {}, {{{{"shard", std::to_string(shard.index)}, {"shards", std::to_string(shard.count)}}, 1}});
  m.watched_targets.Set(static_cast<double>(watched));
  m.other_shard_targets.Set(static_cast<double>(other_shard));
}

void Metrics::record_reload(bool success, std::chrono::system_clock::time_point when) {
  impl_->reload_ok.Set(success ? 1 : 0);
  if (success) impl_->reload_time.Set(seconds_since_epoch(when));
}

void Metrics::count_alert_notification(const std::string& receiver, bool ok) {
  auto& m = *impl_;
  auto [it, inserted] = m.notifications.try_emplace({receiver, ok}, nullptr);
  if (inserted)
    it->second =
        &m.alert_notifications.Add({{"receiver", receiver}, {"outcome", ok ? "ok" : "error"}});
  it->second->Increment();
}

void Metrics::count_coalesced_notifications(const std::string& target, std::size_t count) {
  auto it = impl_->targets.find(target);
  if (it == impl_->targets.end()) return;
  it->second.coalesced_notifications->Increment(static_cast<double>(count));
  it->second.stale = true;
}

void Metrics::count_secondary_read_failure(std::string_view read) {
  auto& m = *impl_;
  auto it = m.secondary_read_counters.find(read);
  if (it == m.secondary_read_counters.end()) {
    it = m.secondary_read_counters
             .emplace(std::string(read),
                      &m.secondary_read_failures.Add({{"read", std::string(read)}}))
             .first;
  }
  it->second->Increment();
}

void Metrics::count_internal_error(const std::string& component) {
  auto& m = *impl_;
  auto it = m.internal_error_counters.find(component);
  if (it == m.internal_error_counters.end()) {
    it = m.internal_error_counters
             .emplace(component, &m.internal_errors.Add({{"component", component}}))
             .first;
  }
  it->second->Increment();
}

std::string Metrics::target_families_text() const {
  auto& m = *impl_;
  for (auto& [name, series] : m.targets) {
    if (series.stale) m.render(name, series);
  }
  std::string out;
  out.reserve(m.targets.size() * 2800 + 1024);
  for (int f = 0; f < kTargetFamilies; ++f) {
    if (f == kDuration && !m.per_target_durations) continue;
    const auto& header = kTargetFamilyHeaders[f];
    exposition::append_family_header(out, header.name, header.help, header.type);
    for (const auto& [name, series] : m.targets) out += series.text[f];
  }
  return out;
}

std::string Metrics::target_families_text_by_prometheus_cpp() const {
  return prom::TextSerializer().Serialize(impl_->target_registry->Collect());
}

std::string Metrics::serialize() const {
  std::string out = target_families_text();
  auto families = impl_->registry->Collect();
  auto process = collect_process_metrics();
  families.insert(families.end(), std::make_move_iterator(process.begin()),
                  std::make_move_iterator(process.end()));
  out += prom::TextSerializer().Serialize(families);
  return out;
}

}  // namespace enumwatch
