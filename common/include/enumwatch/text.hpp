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

// Reads a whole file; throws Error naming the path and the OS reason.
[[nodiscard]] std::string read_file(const std::string& path, std::string_view what);

// A password or token file: its first line, without the line ending (editors add one). Throws
// Error naming the path if it cannot be read or that line is empty; never shows the content.
[[nodiscard]] std::string read_secret_file(const std::string& path, std::string_view what);

// Durable replace: temp file beside it, fsync, rename over it, fsync the directory. Throws Error.
void write_file_atomically(const std::string& path, std::string_view content);

}  // namespace enumwatch
