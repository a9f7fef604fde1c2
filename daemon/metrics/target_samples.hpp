// One target's samples of the per-target families (docs/metrics.md), kept as plain numbers, and
// its lines of the exposition written from them.
//
// Why not prometheus-cpp series: at 10 000 targets a scrape carries 280 000 per-target samples.
// As prometheus-cpp series, each with its label map held twice by its family, they took 6 KB a
// target, a third of the daemon's heap; their lines, rendered once and kept until the target
// changed, 1.7 KB more (docs/performance.md, "Memory at 10 000 targets"). As numbers they take
// 0.3 KB; a plain scrape writes every target's lines (15 ms at 10 000 targets), a gzip scrape the
// blocks whose numbers moved (metrics.cpp). Their exposition was already enumwatch's own
// (exposition.hpp); ReferenceRegistry puts the same numbers into prometheus-cpp so that a test can
// check both write the same samples.
#pragma once

#include <prometheus/client_metric.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/catalog/migration_lock.hpp"
#include "enumwatch/core/drift.hpp"
#include "poll/poll_result.hpp"

namespace enumwatch {

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
extern const FamilyHeader kTargetFamilyHeaders[kTargetFamilies];

// Of enumwatch_poll_duration_seconds and enumwatch_fleet_poll_duration_seconds alike.
inline constexpr std::array<double, 12> kPollDurationBounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                            0.5,   1,    2.5,   5,    10,  30};

// A histogram of poll durations over kPollDurationBounds: a count per bucket, +Inf last.
class DurationBuckets {
 public:
  void observe(double seconds);
  // Cumulative, as the exposition writes it.
  [[nodiscard]] prometheus::ClientMetric::Histogram collect() const;
  // Its count per bucket, then its sum.
  void append_numbers(std::vector<double>& out) const;

 private:
  std::array<std::uint64_t, kPollDurationBounds.size() + 1> counts_{};
  double sum_ = 0;
};

// The values of one target's per-target series.
struct TargetSamples {
  double up = 0;
  std::unique_ptr<DurationBuckets> duration;  // only while per-target durations are exported
  std::array<double, 3> polls{};              // by PollOutcome: ok, error, timeout
  std::optional<double> last_success;         // from its first successful poll
  std::optional<double> last_poll;            // from its first poll
  double interval = 0;
  std::array<double, kAllDriftKinds.size()> drift{};  // by DriftKind
  double enums_database = 0;
  double enums_snapshot = 0;
  double listening = 0;
  double change_notifications = 0;
  double coalesced_notifications = 0;
  double trigger_installed = 0;
  // 1 or 0 per tool of kMigrationLockTools while the target has migration_lock = "auto".
  std::optional<std::array<bool, kMigrationLockTools.size()>> migration_in_progress;
};

// Appends the target's lines of one family to a scrape (exposition.hpp).
void append_target_lines(std::string& out, TargetFamily family, std::string_view target,
                         const TargetSamples& samples);
// Appends what the target's lines of one family are written from: how many numbers, then each.
// Two targets' numbers are equal exactly when their lines of the family are (names aside).
void append_numbers(std::vector<double>& out, TargetFamily family, const TargetSamples& samples);

// The same samples as prometheus-cpp series, serialized by its TextSerializer: the reference the
// exposition's test compares append_target_lines' text with.
class ReferenceRegistry {
 public:
  ReferenceRegistry();
  void add(const std::string& target, const TargetSamples& samples);
  [[nodiscard]] std::string serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  // Each family is in one of these, by its header's type.
  std::array<prometheus::Family<prometheus::Gauge>*, kTargetFamilies> gauges_{};
  std::array<prometheus::Family<prometheus::Counter>*, kTargetFamilies> counters_{};
  prometheus::Family<prometheus::Histogram>* durations_ = nullptr;
};

}  // namespace enumwatch
