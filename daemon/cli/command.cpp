#include "cli/command.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

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

}  // namespace enumwatch::cli
