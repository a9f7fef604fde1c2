// Small text helpers shared by the parsers and writers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace enumwatch {

[[nodiscard]] bool is_valid_utf8(std::string_view text);

// A TOML basic string, quotes included; non-ASCII stays UTF-8.
[[nodiscard]] std::string toml_quote(std::string_view text);

// 1-based line and column of a byte offset.
[[nodiscard]] std::pair<int, int> line_column(std::string_view text, std::size_t offset);

}  // namespace enumwatch
