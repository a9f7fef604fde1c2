// Small text helpers shared by the parsers and writers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace enumwatch {

// A TOML basic string, quotes included; non-ASCII stays UTF-8.
[[nodiscard]] std::string toml_quote(std::string_view text);

// Text from the catalog or a snapshot, made safe for one line of a terminal or a log: every
// control character (C0, DEL, C1, and U+2028/U+2029, which some viewers take for line ends) is
// written as an escape (\n, \t, \x1b, \u2028), and so is a backslash, so nothing can end the
// line or drive the terminal and the escapes cannot be forged. Invalid UTF-8 bytes become \xNN.
// BackslashEscape::keep leaves backslashes alone: for messages that already hold escapes of their
// own (a TOML-quoted key), where forging does not matter.
enum class BackslashEscape { escape, keep };
[[nodiscard]] std::string escape_control(std::string_view text,
                                         BackslashEscape backslash = BackslashEscape::escape);

// 1-based line and column of a byte offset.
[[nodiscard]] std::pair<int, int> line_column(std::string_view text, std::size_t offset);

}  // namespace enumwatch
