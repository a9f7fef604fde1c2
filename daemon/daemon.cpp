#include "daemon.hpp"

#include "commands.hpp"

namespace enumwatch {

int run_daemon(const std::string& config_path) {
  print_error(config_path + ": the daemon is not built yet (issue 3); use enumwatch check");
  return kExitError;
}

}  // namespace enumwatch
