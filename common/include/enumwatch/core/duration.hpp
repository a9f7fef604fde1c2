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

// The one rule for every command's --timeout: a duration greater than zero. Throws Error naming
// the option and the text.
[[nodiscard]] Duration parse_timeout_option(std::string_view text,
                                            std::string_view option = "--timeout");

}  // namespace enumwatch
