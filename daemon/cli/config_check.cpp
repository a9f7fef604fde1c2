// enumwatch config-check: validate a config and every snapshot file it names, offline.
#include <iostream>
#include <memory>

#include "app/loaded_config.hpp"
#include "cli/command.hpp"
#include "enumwatch/config/config.hpp"
#include "enumwatch/core/error.hpp"

namespace enumwatch::cli {
namespace {

// The very load that start and reload do (load_everything), so that config-check refuses exactly
// what they refuse, with the same message: the config, its snapshot files and stored snapshots,
// the token and password files (mode, length), TLS files and state_dir (docs/configuration.md).
// Run it as the user the daemon runs as (the systemd unit's ExecStartPre= does).
int config_check(const std::string& config_path) {
  const LoadedConfig loaded = load_everything(config_path);
  const Config& config = loaded.config;
  std::size_t files = 0;
  for (const auto& [name, source] : config.snapshots) files += source.path.has_value() ? 1 : 0;
  std::cout << config_path << ": ok (" << config.targets.size() << " targets, "
            << config.snapshots.size() << " snapshots, " << files << " snapshot files checked";
  if (loaded.shard.count > 1) {
    std::cout << "; shard " << loaded.shard.index << "/" << loaded.shard.count << " watches "
              << loaded.targets.size() << " of them";
  }
  std::cout << ")\n";
  return kExitOk;
}

}  // namespace

Command add_config_check(CLI::App& app) {
  auto config = std::make_shared<std::string>();
  auto* command =
      app.add_subcommand("config-check", "Validate a config and its snapshot files, offline");
  add_config_option(*command, *config);
  return {command, [config] { return config_check(*config); }};
}

}  // namespace enumwatch::cli
