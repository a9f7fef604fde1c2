// The few files enumwatch reads and writes itself: configs, snapshots, secrets, state. Each call
// throws Error naming the path, what it was for, and the OS's reason.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace enumwatch {

// Reads a whole file.
[[nodiscard]] std::string read_file(const std::string& path, std::string_view what);

// A password or token file: its first line, without the line ending (editors add one). Fails if
// it cannot be read or that line is empty; never shows the content.
[[nodiscard]] std::string read_secret_file(const std::string& path, std::string_view what);

// The daemon's API token file: a secret file (as above) that must not be readable by everyone
// (chmod 0640 or tighter) and must hold at least 16 bytes. Throws Error saying which rule failed.
[[nodiscard]] std::string read_token_file(const std::string& path);
inline constexpr std::size_t kMinTokenBytes = 16;

// A target's password_file: a secret file that must not be readable by everyone (libpq refuses
// such a ~/.pgpass too); a group may read it (chmod 0640, the group enumwatch runs as).
[[nodiscard]] std::string read_password_file(const std::string& path, std::string_view what);

// state_dir: a directory this process can create files in, or, when it does not exist yet, one
// it can create (its nearest existing parent is writable). Throws Error saying what to change.
void require_writable_directory(const std::string& path, std::string_view what);

// Durable replace: temp file beside it, fsync, rename over it, fsync the directory. A crash at
// any point leaves either the old content or the new, never a mix. The temp file
// (path.tmp.<random>) is created exclusively and never through a symlink; it is removed if
// anything fails. A symlink at `path` itself is replaced, not followed.
void write_file_atomically(const std::string& path, std::string_view content);

}  // namespace enumwatch
