#include "pg/postgres_programs.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <utility>
#include <vector>

namespace enumwatch {

std::optional<std::string> find_postgres_program(std::string_view name) {
  namespace fs = std::filesystem;
  auto runnable = [](const fs::path& path) {
    std::error_code ec;
    return ::access(path.c_str(), X_OK) == 0 && fs::is_regular_file(path, ec);
  };
  if (const char* path = std::getenv("PATH")) {
    std::string_view rest(path);
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      const std::string dir(rest.substr(0, colon));
      if (!dir.empty() && runnable(fs::path(dir) / name)) return (fs::path(dir) / name).string();
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
  }
  std::vector<std::pair<int, std::string>> versions;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string version = entry.path().filename().string();
    const fs::path program = entry.path() / "bin" / name;
    if (!version.empty() && version.size() < 6 &&
        std::all_of(version.begin(), version.end(),
                    [](unsigned char c) { return std::isdigit(c); }) &&
        runnable(program))
      versions.emplace_back(std::stoi(version), program.string());
  }
  if (versions.empty()) return std::nullopt;
  return std::max_element(versions.begin(), versions.end())->second;
}

}  // namespace enumwatch
