// The daemon's HTTP endpoints (SPEC §6): a request plus the daemon's state in, a response out.
// Routing and the token check are here; the server that carries the bytes is http_server.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "http/server.hpp"

namespace enumwatch {

class Metrics;
class Scheduler;
class SnapshotRegistry;

class HttpApi {
 public:
  HttpApi(Scheduler& scheduler, SnapshotRegistry& snapshots, Metrics& metrics)
      : scheduler_(scheduler), snapshots_(snapshots), metrics_(metrics) {}

  // Absent: write endpoints answer 403.
  void set_token(std::optional<std::string> token) { token_ = std::move(token); }

  [[nodiscard]] boost::asio::awaitable<HttpResponse> handle(const HttpRequest& request);
  // Only a snapshot registration with a valid token has its body read (HttpBodyPolicy): a
  // request that will be refused buffers nothing.
  [[nodiscard]] bool wants_body(const HttpRequest& headers) const;

 private:
  boost::asio::awaitable<HttpResponse> put_snapshot(const HttpRequest& request,
                                                    const std::string& name);
  [[nodiscard]] std::optional<HttpResponse> check_token(const HttpRequest& request) const;

  Scheduler& scheduler_;
  SnapshotRegistry& snapshots_;
  Metrics& metrics_;
  std::optional<std::string> token_;
};

// Compares without leaking, through timing, how much of the token matched.
[[nodiscard]] bool tokens_equal(std::string_view presented, std::string_view expected);

}  // namespace enumwatch
