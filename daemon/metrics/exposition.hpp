// Prometheus text exposition 0.0.4, written by hand for the per-target families, from plain
// numbers (target_samples.hpp): 280 000 samples at 10 000 targets, which prometheus-cpp would hold
// as series with label maps (6 KB a target) and collect at every scrape. The output must equal
// prometheus-cpp's TextSerializer for the same numbers (tests/unit/metrics/test_exposition.cpp).
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
