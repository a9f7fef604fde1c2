#include "app/loaded_config.hpp"

#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <cstdlib>

#include "enumwatch/core/error.hpp"
#include "enumwatch/core/file_io.hpp"
#include "http/client.hpp"
#include "http/server.hpp"

namespace enumwatch {

LoadedConfig load_everything(const std::string& path) {
  LoadedConfig out;
  out.config = load_config(path);
  try {
    require_writable_directory(out.config.daemon.state_dir, "state_dir");
  } catch (const Error& e) {
    throw Error(out.config.path + ": [daemon] " + e.what());
  }
  out.snapshots = load_snapshots(out.config, SnapshotStore(out.config.daemon.state_dir));
  if (const auto& token_file = out.config.daemon.api_token_file) {
    out.token = read_token_file(*token_file);
  }
  out.shard = this_shard(out.config);
  for (const auto& target : out.config.targets) {
    TargetSetup setup{target, read_password(target)};
    if (out.shard.owns(target.name)) {
      out.targets.push_back(std::move(setup));
    } else {
      out.other_shards.emplace(target.name, shard_of(target.name, out.shard.count));
    }
  }
  out.receiver_tls = make_receiver_tls(out.config);
  const auto& d = out.config.daemon;
  if (!d.tls_cert_file.empty()) {
    try {
      out.listener_tls = make_server_tls(d.tls_cert_file, d.tls_key_file, d.tls_client_ca_file);
    } catch (const Error& e) {
      throw Error(out.config.path + ": [daemon] " + e.what());
    }
  }
  return out;
}

Shard this_shard(const Config& config) {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  const char* shards = std::getenv("ENUMWATCH_SHARDS");
  try {
    return resolve_shard(config.daemon.shard, host.data(),
                         shards ? std::optional<std::string_view>(shards) : std::nullopt);
  } catch (const Error& e) {
    throw Error(config.path + ": [daemon] " + e.what());
  }
}

std::shared_ptr<boost::asio::ssl::context> make_receiver_tls(const Config& config) {
  const auto& a = config.alerting;
  if (a.tls_ca_file.empty() && a.tls_cert_file.empty()) return nullptr;
  try {
    return make_client_tls({a.tls_ca_file, a.tls_cert_file, a.tls_key_file});
  } catch (const Error& e) {
    throw Error(config.path + ": [alerting] " + e.what());
  }
}

// Resolved once at start, before the loop runs: blocking here stalls nothing.
boost::asio::ip::tcp::endpoint resolve_listen(const std::string& listen) {
  auto address = parse_listen(listen);
  if (!address) throw Error("daemon.listen = \"" + listen + "\" is not host:port");
  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(address->host, std::to_string(address->port),
                                  boost::asio::ip::tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    throw Error("daemon.listen = \"" + listen + "\": cannot resolve " + address->host + ": " +
                ec.message());
  }
  return results.begin()->endpoint();
}

}  // namespace enumwatch
