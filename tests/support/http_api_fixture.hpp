// The HTTP API with its real collaborators and no sockets, no database, no targets: one
// API-managed snapshot ("app", unregistered) and one file-managed ("file"). Shared by the unit
// tests and the fuzz harness.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <string>

#include "http/api.hpp"
#include "ignore_polls.hpp"
#include "metrics/metrics.hpp"
#include "poll/scheduler.hpp"
#include "snapshots/registry.hpp"

namespace enumwatch::testing {

struct HttpApiFixture {
  explicit HttpApiFixture(std::string state_dir = "/nonexistent")
      : registry(std::move(state_dir),
                 SnapshotSet{{"app", LoadedSnapshot{"app", false, std::nullopt}},
                             {"file", LoadedSnapshot{"file", true, std::nullopt}}}) {}

  boost::asio::io_context io;
  SnapshotRegistry registry;
  Metrics metrics{false};
  IgnorePolls observer;
  Scheduler scheduler{io.get_executor(), registry, observer, {}};
  HttpApi api{scheduler, registry, metrics};

  HttpResponse call(const HttpRequest& request) {
    auto result = boost::asio::co_spawn(io, api.handle(request), boost::asio::use_future);
    io.restart();
    io.run();
    return result.get();
  }

  HttpResponse call(boost::beast::http::verb method, std::string target, std::string auth = {},
                    std::string body = {}) {
    HttpRequest request{method, target, 11};
    if (!auth.empty()) request.set(boost::beast::http::field::authorization, auth);
    request.body() = std::move(body);
    return call(request);
  }
};

}  // namespace enumwatch::testing
