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
#include "metrics/metric_families.hpp"
#include "metrics/process_metrics.hpp"

namespace enumwatch {
namespace prom = prometheus;

namespace {

double seconds_since_epoch(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

struct Metrics::Impl {
  explicit Impl(bool per_enum) : per_enum_metrics(per_enum) {}

  struct TargetSeries {
    prom::Gauge* up;
    prom::Histogram* duration = nullptr;  // only while per-target durations are exported
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
    if (s.duration) {
      exposition::append_histogram(s.text[kDuration], kTargetFamilyHeaders[kDuration].name, name,
                                   s.duration->Collect().histogram);
    }
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
  // Collected at every scrape: the small families.
  std::shared_ptr<prom::Registry> registry = std::make_shared<prom::Registry>();
  // The per-target values, rendered per poll.
  std::shared_ptr<prom::Registry> target_registry = std::make_shared<prom::Registry>();
  // In the order of metric_families.hpp, which is the exposition's.
  PollFamilies poll{*registry, *target_registry};
  DriftFamilies drift{*registry, *target_registry};
  NotifyFamilies notify{*target_registry};
  RevisionFamilies revision{*registry, *target_registry};
  ConfigFamilies config{*registry};
  AlertAndErrorFamilies alerts_and_errors{*registry};
  bool per_target_durations = true;
  std::map<std::string, TargetSeries> targets;
};

namespace {

// enumwatch_migration_in_progress{target,tool}: every tool at 0 or 1 while the target watches
// the locks, none when it does not (a reload may turn it on or off).
void set_migration(Metrics::Impl& m, const TargetConfig& target, Metrics::Impl::TargetSeries& s,
                   const PollResult& result) {
  if (!target.options.watch_migration_locks) {
    for (auto& [tool, gauge] : s.migration) m.revision.migration_in_progress.Remove(gauge);
    s.migration.clear();
    return;
  }
  if (s.migration.empty()) {
    for (std::string_view tool : kMigrationLockTools) {
      s.migration[tool] = &m.revision.migration_in_progress.Add(
          {{"target", target.name}, {"tool", std::string(tool)}});
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
      impl_->drift.enum_values.replace({{"target", name}}, {});
  }
}

void Metrics::add_target(const TargetConfig& config) {
  auto& m = *impl_;
  const std::string& target = config.name;
  const double interval = std::chrono::duration<double>(config.options.interval).count();
  if (m.targets.contains(target)) return;  // its interval is the scheduler's (set_poll_interval)
  const prom::Labels labels{{"target", target}};
  Impl::TargetSeries s;
  s.up = &m.poll.up.Add(labels);
  // At fleet size the histogram is not exported (docs/metrics.md), and 15 buckets a target are
  // not kept either.
  if (m.per_target_durations) s.duration = &m.poll.duration.Add(labels, kPollDurationBuckets);
  for (PollOutcome o : {PollOutcome::ok, PollOutcome::error, PollOutcome::timeout}) {
    s.polls[o] = &m.poll.polls.Add({{"target", target}, {"outcome", std::string(to_string(o))}});
  }
  for (DriftKind k : kAllDriftKinds)
    s.drift[k] =
        &m.drift.drift_items.Add({{"target", target}, {"kind", std::string(to_string(k))}});
  s.enums_database = &m.drift.enums.Add({{"target", target}, {"source", "database"}});
  s.enums_snapshot = &m.drift.enums.Add({{"target", target}, {"source", "snapshot"}});
  s.interval = &m.poll.interval.Add(labels);
  s.interval->Set(interval);
  s.listening = &m.notify.listening.Add(labels);
  s.change_notifications = &m.notify.change_notifications.Add(labels);
  s.coalesced_notifications = &m.notify.coalesced_notifications.Add(labels);
  s.trigger_installed = &m.notify.trigger_installed.Add(labels);
  m.targets.emplace(target, std::move(s));
}

void Metrics::remove_target(const std::string& target) {
  auto& m = *impl_;
  auto it = m.targets.find(target);
  if (it == m.targets.end()) return;
  auto& s = it->second;
  m.poll.up.Remove(s.up);
  if (s.duration) m.poll.duration.Remove(s.duration);
  for (auto& [o, c] : s.polls) m.poll.polls.Remove(c);
  if (s.last_success) m.poll.last_success.Remove(s.last_success);
  if (s.last_poll) m.poll.last_poll.Remove(s.last_poll);
  m.poll.interval.Remove(s.interval);
  for (auto& [k, g] : s.drift) m.drift.drift_items.Remove(g);
  m.drift.enums.Remove(s.enums_database);
  m.drift.enums.Remove(s.enums_snapshot);
  m.notify.listening.Remove(s.listening);
  m.notify.change_notifications.Remove(s.change_notifications);
  m.notify.coalesced_notifications.Remove(s.coalesced_notifications);
  m.notify.trigger_installed.Remove(s.trigger_installed);
  for (auto& [tool, gauge] : s.migration) m.revision.migration_in_progress.Remove(gauge);
  const prom::Labels owner{{"target", target}};
  m.drift.enum_drifted.replace(owner, {});
  m.drift.enum_values.replace(owner, {});
  m.revision.migration_info.replace(owner, {});
  m.targets.erase(it);
}

void Metrics::record_poll(const TargetConfig& target, std::span<const NamedSnapshot> snapshots,
                          const PollResult& result) {
  add_target(target);
  auto& m = *impl_;
  auto& s = m.targets.at(target.name);
  s.polls.at(result.outcome)->Increment();
  if (!s.last_poll) s.last_poll = &m.poll.last_poll.Add({{"target", target.name}});
  s.last_poll->Set(
      seconds_since_epoch(result.report.polled_at.value_or(std::chrono::system_clock::now())));
  if (s.duration) s.duration->Observe(result.took.count());
  m.poll.fleet_duration.Observe(result.took.count());
  s.up->Set(result.outcome == PollOutcome::ok ? 1 : 0);
  s.stale = true;
  if (result.outcome != PollOutcome::ok) return;  // keep the last known drift
  s.trigger_installed->Set(result.ddl_trigger_installed ? 1 : 0);
  set_migration(m, target, s, result);

  if (!s.last_success) s.last_success = &m.poll.last_success.Add({{"target", target.name}});
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
  m.drift.enum_drifted.replace(owner, drifted);
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
  m.drift.enum_values.replace(owner, values);

  std::map<prom::Labels, double> revision;
  if (database.migration_revision)
    revision[{{"target", target.name}, {"revision", *database.migration_revision}}] = 1;
  m.revision.migration_info.replace(owner, revision);
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
  impl_->revision.snapshot_info.replace({}, info);
}

void Metrics::set_duration_histograms(DurationHistogram mode, std::size_t watched_targets) {
  auto& m = *impl_;
  m.per_target_durations =
      mode == DurationHistogram::per_target ||
      (mode == DurationHistogram::automatic && watched_targets < kPerTargetHistogramLimit);
  for (auto& [name, s] : m.targets) {
    if (m.per_target_durations && !s.duration) {
      s.duration = &m.poll.duration.Add({{"target", name}}, kPollDurationBuckets);
    } else if (!m.per_target_durations && s.duration) {
      m.poll.duration.Remove(std::exchange(s.duration, nullptr));
    }
    s.stale = true;
  }
}

void Metrics::set_shard(const Shard& shard, std::size_t watched, std::size_t other_shard) {
  auto& m = *impl_;
  m.config.shard_info.replace(
      {}, {{{{"shard", std::to_string(shard.index)}, {"shards", std::to_string(shard.count)}}, 1}});
  m.config.watched_targets.Set(static_cast<double>(watched));
  m.config.other_shard_targets.Set(static_cast<double>(other_shard));
}

void Metrics::record_reload(bool success, std::chrono::system_clock::time_point when) {
  impl_->config.reload_ok.Set(success ? 1 : 0);
  if (success) impl_->config.reload_time.Set(seconds_since_epoch(when));
}

void Metrics::count_alert_notification(const std::string& receiver, bool ok) {
  auto& m = *impl_;
  auto [it, inserted] = m.alerts_and_errors.alert_counters.try_emplace({receiver, ok}, nullptr);
  if (inserted)
    it->second = &m.alerts_and_errors.alert_notifications.Add(
        {{"receiver", receiver}, {"outcome", ok ? "ok" : "error"}});
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
  auto it = m.poll.secondary_read_counters.find(read);
  if (it == m.poll.secondary_read_counters.end()) {
    it = m.poll.secondary_read_counters
             .emplace(std::string(read),
                      &m.poll.secondary_read_failures.Add({{"read", std::string(read)}}))
             .first;
  }
  it->second->Increment();
}

void Metrics::count_internal_error(const std::string& component) {
  auto& m = *impl_;
  auto it = m.alerts_and_errors.internal_error_counters.find(component);
  if (it == m.alerts_and_errors.internal_error_counters.end()) {
    it = m.alerts_and_errors.internal_error_counters
             .emplace(component,
                      &m.alerts_and_errors.internal_errors.Add({{"component", component}}))
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
