// Everything a config file leads to, loaded and checked before any of it is used: the config,
// its snapshots, the API token and each target's password. A reload that fails anywhere here
// changes nothing in the running daemon.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "enumwatch/config/config.hpp"
#include "poll/target_state.hpp"
#include "snapshots/snapshot_set.hpp"

namespace enumwatch {

struct LoadedConfig {
  Config config;
  SnapshotSet snapshots;
  std::optional<std::string> token;
  Shard shard;                                   // daemon.shard, "auto" resolved (docs/fleet.md)
  std::vector<TargetSetup> targets;              // this shard's, in config order
  std::map<std::string, unsigned> other_shards;  // every other target: the shard it falls to
  std::shared_ptr<boost::asio::ssl::context> listener_tls;  // null: plain HTTP
  std::shared_ptr<boost::asio::ssl::context> receiver_tls;  // null: the system's CAs
};

// Throws Error naming the file, and where known the line and column, of what is wrong. Every
// target is checked (its password file read), whichever shard it falls to.
[[nodiscard]] LoadedConfig load_everything(const std::string& path);

// daemon.shard of `config` for this host: gethostname() and ENUMWATCH_SHARDS for "auto".
[[nodiscard]] Shard this_shard(const Config& config);

// The client TLS context of the https:// receivers from [alerting] tls_ca_file, tls_cert_file and
// tls_key_file; null when none is set. Loaded with the config, so a file that does not load is a
// config error at start, reload and config-check (Error naming it), not a delivery failure later.
[[nodiscard]] std::shared_ptr<boost::asio::ssl::context> make_receiver_tls(const Config& config);

// daemon.listen as an endpoint to bind; throws Error when it is not host:port or cannot resolve.
[[nodiscard]] boost::asio::ip::tcp::endpoint resolve_listen(const std::string& listen);

}  // namespace enumwatch
