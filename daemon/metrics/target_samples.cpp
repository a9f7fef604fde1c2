#include "metrics/target_samples.hpp"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "metrics/exposition.hpp"

namespace enumwatch {
namespace prom = prometheus;

const FamilyHeader kTargetFamilyHeaders[kTargetFamilies] = {
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

namespace {

// TargetSamples::polls is indexed by PollOutcome.
constexpr std::array<PollOutcome, 3> kOutcomes{PollOutcome::ok, PollOutcome::error,
                                               PollOutcome::timeout};
static_assert(static_cast<std::size_t>(PollOutcome::ok) == 0 &&
              static_cast<std::size_t>(PollOutcome::error) == 1 &&
              static_cast<std::size_t>(PollOutcome::timeout) == 2);

// Calls sample(second label's key, its value, number) for each of the target's samples of one
// family, the histogram's excepted.
template <typename Sample>
void each_sample_of(TargetFamily family, const TargetSamples& s, Sample sample) {
  switch (family) {
    case kUp:
      return sample("", "", s.up);
    case kDuration:
      return;
    case kPolls:
      for (std::size_t o = 0; o < kOutcomes.size(); ++o)
        sample("outcome", to_string(kOutcomes[o]), s.polls[o]);
      return;
    case kLastSuccess:
      if (s.last_success) sample("", "", *s.last_success);
      return;
    case kLastPoll:
      if (s.last_poll) sample("", "", *s.last_poll);
      return;
    case kInterval:
      return sample("", "", s.interval);
    case kDrift:
      for (std::size_t k = 0; k < kAllDriftKinds.size(); ++k)
        sample("kind", to_string(kAllDriftKinds[k]), s.drift[k]);
      return;
    case kEnums:
      sample("source", "database", s.enums_database);
      return sample("source", "snapshot", s.enums_snapshot);
    case kListening:
      return sample("", "", s.listening);
    case kChangeNotifications:
      return sample("", "", s.change_notifications);
    case kNotificationsCoalesced:
      return sample("", "", s.coalesced_notifications);
    case kTriggerInstalled:
      return sample("", "", s.trigger_installed);
    case kMigrationInProgress:
      if (s.migration_in_progress) {
        for (std::size_t t = 0; t < kMigrationLockTools.size(); ++t)
          sample("tool", kMigrationLockTools[t], (*s.migration_in_progress)[t] ? 1.0 : 0.0);
      }
      return;
    case kTargetFamilies:
      return;
  }
}

}  // namespace

void DurationBuckets::observe(double seconds) {
  // A duration on a bound falls in that bound's bucket (le: less than or equal).
  const auto bucket =
      std::lower_bound(kPollDurationBounds.begin(), kPollDurationBounds.end(), seconds);
  ++counts_[static_cast<std::size_t>(bucket - kPollDurationBounds.begin())];
  sum_ += seconds;
}

prom::ClientMetric::Histogram DurationBuckets::collect() const {
  prom::ClientMetric::Histogram histogram;
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < counts_.size(); ++b) {
    cumulative += counts_[b];
    histogram.bucket.push_back({cumulative, b < kPollDurationBounds.size()
                                                ? kPollDurationBounds[b]
                                                : std::numeric_limits<double>::infinity()});
  }
  histogram.sample_count = cumulative;
  histogram.sample_sum = sum_;
  return histogram;
}

void DurationBuckets::append_numbers(std::vector<double>& out) const {
  for (std::uint64_t count : counts_) out.push_back(static_cast<double>(count));
  out.push_back(sum_);
}

void append_numbers(std::vector<double>& out, TargetFamily family, const TargetSamples& samples) {
  const std::size_t count_at = out.size();
  out.push_back(0);
  if (family == kDuration) {
    if (samples.duration) samples.duration->append_numbers(out);
  } else {
    each_sample_of(family, samples, [&](std::string_view, std::string_view, double number) {
      out.push_back(number);
    });
  }
  out[count_at] = static_cast<double>(out.size() - count_at - 1);
}

void append_target_lines(std::string& out, TargetFamily family, std::string_view target,
                         const TargetSamples& samples) {
  const std::string_view name = kTargetFamilyHeaders[family].name;
  if (family == kDuration) {
    if (samples.duration)
      exposition::append_histogram(out, name, target, samples.duration->collect());
    return;
  }
  each_sample_of(family, samples, [&](std::string_view key, std::string_view value, double number) {
    exposition::append_sample(out, name, {target, key, value}, number);
  });
}

ReferenceRegistry::ReferenceRegistry() {
  for (int f = 0; f < kTargetFamilies; ++f) {
    const auto& header = kTargetFamilyHeaders[f];
    const std::string_view type = header.type;
    if (type == "gauge") {
      gauges_[f] = &prom::BuildGauge().Name(header.name).Help(header.help).Register(*registry_);
    } else if (type == "counter") {
      counters_[f] = &prom::BuildCounter().Name(header.name).Help(header.help).Register(*registry_);
    } else {
      durations_ = &prom::BuildHistogram().Name(header.name).Help(header.help).Register(*registry_);
    }
  }
}

void ReferenceRegistry::add(const std::string& target, const TargetSamples& samples) {
  for (int f = 0; f < kTargetFamilies; ++f) {
    const auto family = static_cast<TargetFamily>(f);
    each_sample_of(family, samples,
                   [&](std::string_view key, std::string_view value, double number) {
                     prom::Labels labels{{"target", target}};
                     if (!key.empty()) labels.emplace(std::string(key), std::string(value));
                     if (gauges_[family]) {
                       gauges_[family]->Add(labels).Set(number);
                     } else {
                       counters_[family]->Add(labels).Increment(number);
                     }
                   });
  }
  if (samples.duration) {
    std::vector<double> counts;  // per bucket, then the sum
    samples.duration->append_numbers(counts);
    const double sum = counts.back();
    counts.pop_back();
    durations_
        ->Add({{"target", target}}, prom::Histogram::BucketBoundaries(kPollDurationBounds.begin(),
                                                                      kPollDurationBounds.end()))
        .ObserveMultiple(counts, sum);
  }
}

std::string ReferenceRegistry::serialize() const {
  return prom::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace enumwatch
