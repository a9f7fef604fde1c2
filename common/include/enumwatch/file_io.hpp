// The few files enumwatch reads and writes itself: configs, snapshots, secrets, state. Each call
// throws Error naming the path, what it was for, and the OS's reason.
#pragma once

#include <string>
#include <string_view>

namespace enumwatch {

// Reads a whole file.
[[nodiscard]] std::string read_file(const std::string& path, std::string_view what);

// A password or token file: its first line, without the line ending (editors add one). Fails if
// it cannot be read or that line is empty; never shows the content.
[[nodiscard]] std::string read_secret_file(const std::string& path, std::string_view what);

// Durable replace: temp file beside it, fsync, rename over it, fsync the directory. A crash at
// any point leaves either the old content or the new, never a mix.
void write_file_atomically(const std::string& path, std::string_view content);

}  // namespace enumwatch
