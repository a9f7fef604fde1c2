#include "enumwatch/core/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "enumwatch/core/error.hpp"

namespace enumwatch {
namespace {

[[noreturn]] void fail_io(const std::string& path, std::string_view doing) {
  throw Error(path + ": " + std::string(doing) + " failed: " + std::strerror(errno));
}

// Owns one file descriptor: closed on every path, thrown exceptions included.
class FileDescriptor {
 public:
  FileDescriptor(const std::string& path, int flags, mode_t mode = 0)
      : fd_(::open(path.c_str(), flags | O_CLOEXEC, mode)) {
    if (fd_ < 0) fail_io(path, "open");
  }
  ~FileDescriptor() { ::close(fd_); }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

// A temporary file we created: closed, and removed unless it was renamed into place, on every
// path out, thrown exceptions included.
class TempFile {
 public:
  TempFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~TempFile() {
    close();
    if (!renamed_) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  [[nodiscard]] int fd() const { return fd_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void renamed() { renamed_ = true; }

 private:
  std::string path_;
  int fd_;
  bool renamed_ = false;
};

std::string random_hex(std::size_t bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::random_device random;  // /dev/urandom (getrandom) on Linux
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    const auto b = static_cast<unsigned>(random()) & 0xffU;
    out += kDigits[b >> 4];
    out += kDigits[b & 15U];
  }
  return out;
}

void fsync_directory(const std::string& path) {
  FileDescriptor dir(path, O_RDONLY | O_DIRECTORY);
  if (::fsync(dir.get()) != 0) fail_io(path, "fsync");
}

}  // namespace

std::string read_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(path + ": cannot read " + std::string(what) + ": " + std::strerror(errno));
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string read_secret_file(const std::string& path, std::string_view what) {
  std::string content = read_file(path, what);
  content.resize(std::min(content.size(), content.find_first_of("\r\n")));
  if (content.empty()) throw Error(path + ": the " + std::string(what) + " is empty");
  return content;
}

namespace {

// Secrets a local user could read are refused, not used: the daemon would otherwise run happily
// with a leaked credential (docs/security.md, "Secrets").
void refuse_world_access(const std::string& path, std::string_view what) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) fail_io(path, "reading the " + std::string(what));
  if (info.st_mode & (S_IROTH | S_IWOTH)) {
    throw Error(path + ": the " + std::string(what) +
                " is readable or writable by every user: chmod 0640 " + path +
                " (and chgrp it to the group enumwatch runs as), or use LoadCredential=");
  }
}

}  // namespace

std::string read_password_file(const std::string& path, std::string_view what) {
  refuse_world_access(path, what);
  return read_secret_file(path, what);
}

void require_writable_directory(const std::string& path, std::string_view what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path existing = fs::absolute(path, ec);
  while (!existing.empty() && !fs::exists(existing, ec) && existing.has_parent_path() &&
         existing != existing.parent_path())
    existing = existing.parent_path();
  const bool is_dir = fs::is_directory(existing, ec);
  if (!is_dir) {
    throw Error(path + ": the " + std::string(what) + " is not a directory: point " +
                std::string(what) + " at a directory (systemd's StateDirectory= makes one)");
  }
  if (::access(existing.c_str(), W_OK | X_OK) != 0) {
    const std::string where = existing == fs::path(path) ? "it" : existing.string();
    throw Error(path + ": the " + std::string(what) +
                " is not writable by the user enumwatch runs as (uid " +
                std::to_string(::geteuid()) + "): " + where + ": " + std::strerror(errno) +
                ": chown it to that user, or use systemd's StateDirectory=");
  }
}

std::string read_token_file(const std::string& path) {
  refuse_world_access(path, "api token file");
  std::string token = read_secret_file(path, "api token file");
  if (token.size() < kMinTokenBytes) {
    throw Error(path + ": the api token is " + std::to_string(token.size()) +
                " bytes; use at least " + std::to_string(kMinTokenBytes) +
                " (e.g. head -c 32 /dev/urandom | base64)");
  }
  return token;
}

// The temp file has a name nobody can guess (8 random bytes, 16 hex digits), created with O_EXCL
// and O_NOFOLLOW: in a state directory another local user can write to, a symlink or file planted
// at a predictable name would otherwise make us write through it (docs/security.md, "Temporary
// files"). EEXIST, a collision or a plant at our random name, picks another name.
void write_file_atomically(const std::string& path, std::string_view content) {
  std::string temp;
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    temp = path + ".tmp." + random_hex(8);
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
    if (fd < 0 && (errno != EEXIST || attempt >= 8)) fail_io(temp, "creating the temporary file");
  }
  TempFile file(temp, fd);
  std::size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(file.fd(), content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_io(temp, "write");
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(file.fd()) != 0) fail_io(temp, "fsync");
  file.close();
  if (::rename(temp.c_str(), path.c_str()) != 0) fail_io(path, "rename");
  file.renamed();
  const std::string dir = std::filesystem::path(path).parent_path().string();
  fsync_directory(dir.empty() ? "." : dir);
}

}  // namespace enumwatch
