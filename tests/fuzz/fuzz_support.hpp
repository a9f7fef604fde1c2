// Shared by the libFuzzer harnesses: input splitting, and a property check that crashes (so
// libFuzzer saves the input) with a message saying which property broke.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/sql/sql_quote.hpp"

namespace fuzz {

inline void require(bool ok, std::string_view property, std::string_view detail = {}) {
  if (ok) return;
  std::fprintf(stderr, "property broken: %.*s\n%.*s\n", static_cast<int>(property.size()),
               property.data(), static_cast<int>(detail.size()), detail.data());
  std::abort();
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

// Error messages are one line for a log or a terminal: no newline, no escape sequence.
inline void require_one_line(std::string_view message) {
  require(!enumwatch::has_control(message),
          "an error message is one line without control "
          "characters",
          message);
}

}  // namespace fuzz
