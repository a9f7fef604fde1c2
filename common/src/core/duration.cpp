#include "enumwatch/core/duration.hpp"

#include <cctype>
#include <cstdint>

#include "enumwatch/core/error.hpp"

namespace enumwatch {

std::optional<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t digits_start = i;
    std::int64_t number = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      number = number * 10 + (text[i] - '0');
      if (number > 1'000'000'000) return std::nullopt;
      ++i;
    }
    if (i == digits_start) return std::nullopt;
    std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    std::int64_t scale = unit == "ms"  ? 1
                         : unit == "s" ? 1000
                         : unit == "m" ? 60'000
                         : unit == "h" ? 3'600'000
                         : unit == "d" ? 86'400'000
                                       : 0;
    if (scale == 0) return std::nullopt;
    total_ms += number * scale;
  }
  return Duration(total_ms);
}

std::string format_duration(Duration d) {
  auto ms = d.count();
  if (ms % 3'600'000 == 0 && ms) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0 && ms) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

Duration parse_timeout_option(std::string_view text, std::string_view option) {
  const auto timeout = parse_duration(text);
  if (!timeout || timeout->count() <= 0) {
    throw Error(std::string(option) + " \"" + std::string(text) +
                "\" is not a duration greater than zero (e.g. 500ms, 10s, 1m)");
  }
  return *timeout;
}

}  // namespace enumwatch
