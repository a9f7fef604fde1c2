// enumwatch run: the long-running daemon.
#pragma once

#include <string>

namespace enumwatch {

// Returns the exit code: 0 after a clean shutdown, 2 when the config is bad at start.
int run_daemon(const std::string& config_path);

}  // namespace enumwatch
