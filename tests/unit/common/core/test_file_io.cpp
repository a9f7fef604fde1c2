#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "enumwatch/core/error.hpp"
#include "enumwatch/core/file_io.hpp"

using namespace enumwatch;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system's temp dir, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "enumwatch-file-io.XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

TEST_CASE("an atomic write replaces the file and leaves no temporary file behind") {
  TempDir dir;
  const std::string file = (dir.path / "alerts.json").string();
  write_file_atomically(file, "one");
  write_file_atomically(file, "two");
  CHECK(read_file(file, "test") == "two");
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path)) ++entries;
  CHECK(entries == 1);
}

TEST_CASE("an atomic write never follows a symlink planted at the old temp name") {
  TempDir dir;
  const std::string file = (dir.path / "alerts.json").string();
  const fs::path victim = dir.path / "victim";
  write_file_atomically(victim.string(), "untouched");
  fs::create_symlink(victim, file + ".tmp");
  write_file_atomically(file, "state");
  CHECK(read_file(victim.string(), "test") == "untouched");
  CHECK(read_file(file, "test") == "state");
  CHECK_FALSE(fs::is_symlink(file));
}

TEST_CASE("a symlink at the destination is replaced, not written through") {
  TempDir dir;
  const fs::path victim = dir.path / "victim";
  write_file_atomically(victim.string(), "untouched");
  const fs::path file = dir.path / "current.json";
  fs::create_symlink(victim, file);
  write_file_atomically(file.string(), "new");
  CHECK(read_file(victim.string(), "test") == "untouched");
  CHECK_FALSE(fs::is_symlink(file));
  CHECK(read_file(file.string(), "test") == "new");
}

TEST_CASE("a failed atomic write names the path and removes its temporary file") {
  TempDir dir;
  // The destination is a non-empty directory: rename fails after the temp file was written.
  const fs::path target = dir.path / "taken";
  fs::create_directories(target / "inside");
  CHECK_THROWS_AS(write_file_atomically(target.string(), "x"), Error);
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path)) ++entries;
  CHECK(entries == 1);
}
