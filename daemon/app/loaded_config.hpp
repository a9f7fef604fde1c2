// Everything a config file leads to, loaded and checked before any of it is used: the config,
// its snapshots, the API token and each target's password. A reload that fails anywhere here
// changes nothing in the running daemon.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "enumwatch/config.hpp"
#include "poll/target_state.hpp"
#include "snapshots/snapshot_set.hpp"

namespace enumwatch {

struct LoadedConfig {
  Config config;
  SnapshotSet snapshots;
  std::optional<std::string> token;
  std::vector<TargetSetup> targets;
  std::shared_ptr<boost::asio::ssl::context> listener_tls;  // null: plain HTTP
};

// Throws Error naming the file, and where known the line and column, of what is wrong.
[[nodiscard]] LoadedConfig load_everything(const std::string& path);

// The [alerting] CA file and client certificate load (Error naming the file otherwise): a bad
// one is a config error at start, reload and config-check, not a delivery failure later.
void check_alerting_tls(const Config& config);

// daemon.listen as an endpoint to bind; throws Error when it is not host:port or cannot resolve.
[[nodiscard]] boost::asio::ip::tcp::endpoint resolve_listen(const std::string& listen);

}  // namespace enumwatch
