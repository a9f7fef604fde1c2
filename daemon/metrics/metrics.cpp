#include "metrics/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <vector>

#include "enumwatch/catalog/migration_lock.hpp"
#include "metrics/deflated_pieces.hpp"
#include "metrics/exposition.hpp"
#include "metrics/metric_families.hpp"
#include "metrics/process_metrics.hpp"
#include "metrics/target_samples.hpp"

namespace enumwatch {
namespace prom = prometheus;

namespace {

double seconds_since_epoch(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

struct Metrics::Impl {
  explicit Impl(bool per_enum) : per_enum_metrics(per_enum) {}

  bool per_enum_metrics;
  // Collected at every scrape: the families that are not a target's own.
  std::shared_ptr<prom::Registry> registry = std::make_shared<prom::Registry>();
  // In the order of metric_families.hpp, which is the exposition's.
  PollFamilies poll{*registry};
  DriftFamilies drift{*registry};
  RevisionFamilies revision{*registry};
  ConfigFamilies config{*registry};
  AlertAndErrorFamilies alerts_and_errors{*registry};
  bool per_target_durations = true;
  std::map<std::string, TargetSamples, std::less<>> targets;
  std::size_t last_target_text_size = 0;

  // The gzip scrape's per-target families (docs/design.md, "Metrics rendering"): per family, the
  // lines of each kBlockTargets targets in map order, deflated, with the numbers they were written
  // from. A scrape writes and compresses again only the blocks whose numbers moved: at 10 000
  // targets a quiet poll moves 3 of the 13 families' numbers.
  static constexpr std::size_t kBlockTargets = 256;
  struct DeflatedBlock {
    std::vector<double> numbers;
    DeflatedPiece deflated;
  };
  std::array<std::vector<DeflatedBlock>, kTargetFamilies> blocks;
  std::array<std::optional<DeflatedPiece>, kTargetFamilies> headers;  // deflated once
  std::optional<PieceDeflater> deflater;  // its 256 KB only once a scraper asks for gzip

  // The families in the registry, and the process_* ones.
  std::string other_families_text() const {
    auto families = registry->Collect();
    auto process = collect_process_metrics();
    families.insert(families.end(), std::make_move_iterator(process.begin()),
                    std::make_move_iterator(process.end()));
    return prom::TextSerializer().Serialize(families);
  }

  // Whether a scrape carries the family: the per-target histogram only while it is exported.
  bool exports(TargetFamily family) const { return family != kDuration || per_target_durations; }

  // Blocks are made of targets in map order: a target added or removed moves every block after
  // it, and a moved block's numbers may well be the same (every target's interval, say).
  void forget_blocks() {
    for (auto& family : blocks) family.clear();
  }

  void add_gzip_target_families(GzipAssembler& gzip) {
    std::vector<double> numbers;
    std::string text;
    for (int f = 0; f < kTargetFamilies; ++f) {
      const auto family = static_cast<TargetFamily>(f);
      if (!exports(family)) continue;
      auto& header = headers[f];
      if (!header) {
        const auto& h = kTargetFamilyHeaders[f];
        text.clear();
        exposition::append_family_header(text, h.name, h.help, h.type);
        header = deflater->deflate(text);
      }
      gzip.add(*header);
      auto& family_blocks = blocks[f];
      std::size_t b = 0;
      for (auto it = targets.begin(); it != targets.end(); ++b) {
        const auto first = it;
        numbers.clear();
        for (std::size_t n = 0; n < kBlockTargets && it != targets.end(); ++n, ++it)
          append_numbers(numbers, family, it->second);
        if (b == family_blocks.size()) family_blocks.emplace_back();
        auto& block = family_blocks[b];
        // A deflated piece is never empty (its sync flush alone is 5 bytes): empty is never made.
        if (block.deflated.bytes.empty() || block.numbers != numbers) {
          text.clear();
          for (auto t = first; t != it; ++t) append_target_lines(text, family, t->first, t->second);
          block.deflated = deflater->deflate(text);
          block.numbers.assign(numbers.begin(), numbers.end());
        }
        gzip.add(block.deflated);
      }
    }
  }

  // The per-target families, with `room` to spare: a scrape at 10 000 targets is 17 MB, and
  // growing it by doubling would hold twice that. Sized as the last scrape was, and a little more.
  std::string target_text(std::size_t room) {
    std::string out;
    out.reserve(std::max(last_target_text_size, targets.size() * 1800) * 21 / 20 + room + 4096);
    for (int f = 0; f < kTargetFamilies; ++f) {
      const auto family = static_cast<TargetFamily>(f);
      if (!exports(family)) continue;
      const auto& header = kTargetFamilyHeaders[f];
      exposition::append_family_header(out, header.name, header.help, header.type);
      for (const auto& [name, samples] : targets) append_target_lines(out, family, name, samples);
    }
    last_target_text_size = out.size();
    return out;
  }

  // The target's samples, if it is configured.
  TargetSamples* samples_of(std::string_view target) {
    auto it = targets.find(target);
    return it == targets.end() ? nullptr : &it->second;
  }
};

namespace {

// enumwatch_migration_in_progress{target,tool}: every tool at 0 or 1 while the target watches
// the locks, none when it does not (a reload may turn it on or off).
void set_migration(const TargetConfig& target, TargetSamples& s, const PollResult& result) {
  if (!target.options.watch_migration_locks) {
    s.migration_in_progress.reset();
    return;
  }
  auto& tools = s.migration_in_progress.emplace();
  const auto& held = result.report.migration;
  for (std::size_t t = 0; t < kMigrationLockTools.size(); ++t) {
    tools[t] = held && std::find(held->tools.begin(), held->tools.end(), kMigrationLockTools[t]) !=
                           held->tools.end();
  }
}

}  // namespace

Metrics::Metrics(bool per_enum_metrics) : impl_(std::make_unique<Impl>(per_enum_metrics)) {}
Metrics::~Metrics() = default;

void Metrics::set_per_enum_metrics(bool enabled) {
  impl_->per_enum_metrics = enabled;
  if (!enabled) {
    for (const auto& [name, samples] : impl_->targets)
      impl_->drift.enum_values.replace({{"target", name}}, {});
  }
}

void Metrics::add_target(const TargetConfig& config) {
  auto& m = *impl_;
  if (m.targets.contains(config.name))
    return;  // its interval is the scheduler's (set_poll_interval)
  auto& s = m.targets[config.name];
  m.forget_blocks();  // a block's numbers do not say which targets wrote them
  // At fleet size the histogram is not exported (docs/metrics.md), and its buckets are not kept.
  if (m.per_target_durations) s.duration = std::make_unique<DurationBuckets>();
  s.interval = std::chrono::duration<double>(config.options.interval).count();
}

void Metrics::remove_target(const std::string& target) {
  auto& m = *impl_;
  if (m.targets.erase(target) == 0) return;
  m.forget_blocks();
  const prom::Labels owner{{"target", target}};
  m.drift.enum_drifted.replace(owner, {});
  m.drift.enum_values.replace(owner, {});
  m.revision.migration_info.replace(owner, {});
}

void Metrics::record_poll(const TargetConfig& target, std::span<const NamedSnapshot> snapshots,
                          const PollResult& result) {
  add_target(target);
  auto& m = *impl_;
  auto& s = *m.samples_of(target.name);
  s.polls[static_cast<std::size_t>(result.outcome)] += 1;
  const double polled_at =
      seconds_since_epoch(result.report.polled_at.value_or(std::chrono::system_clock::now()));
  s.last_poll = polled_at;
  if (s.duration) s.duration->observe(result.took.count());
  m.poll.fleet_duration.Observe(result.took.count());
  s.up = result.outcome == PollOutcome::ok ? 1 : 0;
  if (result.outcome != PollOutcome::ok) return;  // keep the last known drift
  s.trigger_installed = result.ddl_trigger_installed ? 1 : 0;
  set_migration(target, s, result);
  s.last_success = polled_at;
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
  for (std::size_t k = 0; k < kAllDriftKinds.size(); ++k) s.drift[k] = counts[kAllDriftKinds[k]];
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
  s.enums_database = static_cast<double>(database.catalog.enums.size());
  s.enums_snapshot = static_cast<double>(snapshot_enums.size());
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
  if (auto* s = impl_->samples_of(target)) s->listening = listening ? 1 : 0;
}

void Metrics::set_poll_interval(const std::string& target, std::chrono::milliseconds interval) {
  if (auto* s = impl_->samples_of(target))
    s->interval = std::chrono::duration<double>(interval).count();
}

void Metrics::count_change_notifications(const std::string& target, std::size_t count) {
  if (auto* s = impl_->samples_of(target)) s->change_notifications += static_cast<double>(count);
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
  for (auto& [name, samples] : m.targets) {
    if (m.per_target_durations && !samples.duration) {
      samples.duration = std::make_unique<DurationBuckets>();
    } else if (!m.per_target_durations) {
      samples.duration.reset();
    }
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
  if (auto* s = impl_->samples_of(target)) s->coalesced_notifications += static_cast<double>(count);
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
  return impl_->target_text(0);
}

std::string Metrics::target_families_text_by_prometheus_cpp() const {
  ReferenceRegistry reference;
  for (const auto& [name, samples] : impl_->targets) reference.add(name, samples);
  return reference.serialize();
}

std::string Metrics::serialize_gzip() const {
  auto& m = *impl_;
  if (!m.deflater) m.deflater.emplace();
  GzipAssembler gzip;
  if (m.targets.size() <= Impl::kBlockTargets) {
    // One block a family: pieces would only compress worse than the whole, which takes a
    // millisecond (docs/design.md, "Metrics rendering").
    gzip.add(m.deflater->deflate(serialize()));
    return gzip.finish();
  }
  m.add_gzip_target_families(gzip);
  gzip.add(m.deflater->deflate(m.other_families_text()));
  return gzip.finish();
}

std::string Metrics::serialize() const {
  const std::string rest = impl_->other_families_text();
  std::string out = impl_->target_text(rest.size());
  out += rest;
  return out;
}

}  // namespace enumwatch
