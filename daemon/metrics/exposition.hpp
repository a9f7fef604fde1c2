// Prometheus text exposition 0.0.4, written by hand for the per-target families. A scrape of 500
// targets is ~15,000 per-target samples; collecting and serializing them through prometheus-cpp on
// every scrape costs ~20 ms. Their values change only when that target's poll completes, so a
// poll marks its target's lines stale and a scrape re-renders the stale ones only (metrics.cpp).
// The output must equal prometheus-cpp's TextSerializer for the same families
// (tests/unit/metrics/test_exposition.cpp).
#pragma once

#include <prometheus/client_metric.h>

#include <string>
#include <string_view>

namespace enumwatch::exposition {

// A per-target sample: name{[key=value,]target=T[,le=L]} value. Labels are in the order
// prometheus-cpp uses (sorted by name: the second label before or after "target"; le last).
struct SampleLabels {
  std::string_view target;
  std::string_view key = {}, value = {};
  std::string_view le = {};
};

void append_family_header(std::string& out, std::string_view name, std::string_view help,
                          std::string_view type);
void append_sample(std::string& out, std::string_view name, const SampleLabels& labels,
                   double value);
void append_histogram(std::string& out, std::string_view name, std::string_view target,
                      const prometheus::ClientMetric::Histogram& histogram);
// A number as prometheus-cpp writes it (integers without a fraction, NaN, +Inf, -Inf).
void append_number(std::string& out, double value);

}  // namespace enumwatch::exposition
