// enumwatch run: the long-running daemon.
#pragma once

#include <string>

namespace enumwatch {

// Runs until SIGTERM or SIGINT and returns 0. Throws Error when it cannot start: a bad config
// (file, line and column in the message) or an address it cannot listen on.
int run_daemon(const std::string& config_path);

}  // namespace enumwatch
