// enumwatch config-check: validate a config and every snapshot file it names, offline.
#include <iostream>
#include <memory>

#include "app/loaded_config.hpp"
#include "cli/command.hpp"
#include "enumwatch/config.hpp"
#include "enumwatch/error.hpp"
#include "enumwatch/snapshot.hpp"
#include "http/server.hpp"

namespace enumwatch::cli {
namespace {

int config_check(const std::string& config_path) {
  const Config config = load_config(config_path);
  (void)make_receiver_tls(config);
  if (!config.daemon.tls_cert_file.empty()) {
    try {
      (void)make_server_tls(config.daemon.tls_cert_file, config.daemon.tls_key_file,
                            config.daemon.tls_client_ca_file);
    } catch (const Error& e) {
      throw Error(config_path + ": [daemon] " + e.what());
    }
  }
  std::size_t files = 0;
  for (const auto& [name, source] : config.snapshots) {
    if (!source.path) continue;
    (void)load_snapshot(*source.path);
    ++files;
  }
  std::cout << config_path << ": ok (" << config.targets.size() << " targets, "
            << config.snapshots.size() << " snapshots, " << files << " snapshot files checked)\n";
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
