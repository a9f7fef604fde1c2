// Times Metrics::serialize() alone for N targets with realistic state: the daemon's own share of a
// /metrics scrape, without the HTTP client or CPU contention from the database. Every target's
// lines are written at every scrape (docs/design.md, "Metrics rendering"); each run polls every
// target first, so that the numbers change as they do between real scrapes.
// Usage: metrics_render N [per_target|fleet]  -> prints "p50_ms p99_ms bytes series"
// (the second argument: daemon.poll_duration_histogram, docs/metrics.md "At fleet size").
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/metrics.hpp"

using namespace enumwatch;

int main(int argc, char** argv) {
  const int targets = argc > 1 ? std::atoi(argv[1]) : 500;
  const bool fleet = argc > 2 && std::string_view(argv[2]) == "fleet";
  Metrics metrics(false);
  metrics.set_duration_histograms(fleet ? DurationHistogram::fleet : DurationHistogram::per_target,
                                  static_cast<std::size_t>(targets));
  std::vector<TargetConfig> configs(static_cast<std::size_t>(targets));
  PollResult result;
  result.outcome = PollOutcome::ok;
  result.database = DatabaseState{};
  for (int e = 0; e < 8; ++e)
    result.database->catalog.enums.push_back({{"s", "e" + std::to_string(e)}, {"a", "b"}});
  result.report.polled_at = std::chrono::system_clock::now();
  for (int i = 0; i < targets; ++i) {
    configs[static_cast<std::size_t>(i)].name = "t" + std::to_string(i);
    for (int p = 0; p < 50; ++p) {
      result.took = std::chrono::duration<double>(0.002 * (p % 20));
      metrics.record_poll(configs[static_cast<std::size_t>(i)], {}, result);
    }
  }
  std::vector<double> times;
  std::size_t bytes = 0, series = 0;
  for (int run = 0; run < 200; ++run) {
    for (const auto& target : configs) metrics.record_poll(target, {}, result);  // all stale
    auto start = std::chrono::steady_clock::now();
    const std::string text = metrics.serialize();
    bytes = text.size();
    series = 0;
    for (std::size_t at = 0; at < text.size(); at = text.find('\n', at) + 1) {
      if (text[at] != '#') ++series;
    }
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(times.begin(), times.end());
  std::printf("%.3f %.3f %zu %zu\n", times[times.size() / 2], times[times.size() * 99 / 100], bytes,
              series);
}
