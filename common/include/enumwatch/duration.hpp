// Durations as written in the config: "500ms", "30s", "5m", "1h" (also combined: "1m30s").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace enumwatch {

using Duration = std::chrono::milliseconds;

[[nodiscard]] std::optional<Duration> parse_duration(std::string_view text);
[[nodiscard]] std::string format_duration(Duration d);

}  // namespace enumwatch
