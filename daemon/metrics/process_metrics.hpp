// The standard process_* metrics (prometheus-cpp's core does not have them), read from /proc at
// scrape time.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

namespace enumwatch {

[[nodiscard]] std::vector<prometheus::MetricFamily> collect_process_metrics();

}  // namespace enumwatch
