#include "cli/command.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "enumwatch/core/file_io.hpp"

namespace enumwatch::cli {

void print_error(const std::string& message) {
  std::cerr << "enumwatch: " << message << "\n";
}

bool stdout_wants_colour() {
  return ::isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
}

void add_config_option(CLI::App& command, std::string& path) {
  command.add_option("--config", path, "Config file")->envname("ENUMWATCH_CONFIG")->required();
}

std::string DsnSource::resolve() const {
  if (!dsn_file.empty()) return read_secret_file(dsn_file, "dsn file");
  return dsn;
}

std::string file_stem(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const auto dot = name.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

CLI::Option* add_dsn_options(CLI::App& command, DsnSource& source) {
  auto* dsn = command.add_option(
      "--dsn", source.dsn,
      "key=value or postgresql:// connection string. A password written here is visible to "
      "other users (ps, shell history): put it in --dsn-file, ~/.pgpass or PGPASSWORD instead");
  auto* file = command.add_option("--dsn-file", source.dsn_file,
                                  "File whose first line is the connection string (keeps a "
                                  "password out of the process list)");
  dsn->excludes(file);
  return dsn;
}

}  // namespace enumwatch::cli
