// enumwatch run: the daemon in the foreground, as systemd runs it.
#include <memory>

#include "app/daemon.hpp"
#include "cli/command.hpp"

namespace enumwatch::cli {

Command add_run(CLI::App& app) {
  auto config = std::make_shared<std::string>();
  auto* command = app.add_subcommand("run", "Run the daemon in the foreground (as systemd does)");
  add_config_option(*command, *config);
  return {command, [config] { return run_daemon(*config); }};
}

}  // namespace enumwatch::cli
