#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "http/api.hpp"
#include "metrics/metrics.hpp"
#include "poll/scheduler.hpp"
#include "snapshots/registry.hpp"

using namespace enumwatch;
namespace http = boost::beast::http;

namespace {

struct IgnorePolls final : PollObserver {
  void polled(const TargetConfig&, std::span<const NamedSnapshot>, const PollResult&) override {}
  void removed(const std::string&) override {}
};

// The API with no targets and one API-managed, unregistered snapshot: no sockets, no database.
struct Api {
  boost::asio::io_context io;
  SnapshotRegistry registry{"/nonexistent",
                            SnapshotSet{{"app", LoadedSnapshot{"app", false, std::nullopt}},
                                        {"file", LoadedSnapshot{"file", true, std::nullopt}}}};
  Metrics metrics{false};
  IgnorePolls observer;
  Scheduler scheduler{io.get_executor(), registry, observer, {}};
  HttpApi api{scheduler, registry, metrics};

  HttpResponse call(http::verb method, std::string target, std::string auth = {},
                    std::string body = {}) {
    HttpRequest request{method, target, 11};
    if (!auth.empty()) request.set(http::field::authorization, auth);
    request.body() = std::move(body);
    auto result = boost::asio::co_spawn(io, api.handle(request), boost::asio::use_future);
    io.restart();
    io.run();
    return result.get();
  }
};

}  // namespace

TEST_CASE("tokens compare equal only when identical, whatever their lengths") {
  CHECK(tokens_equal("s3cret", "s3cret"));
  CHECK_FALSE(tokens_equal("s3cre", "s3cret"));
  CHECK_FALSE(tokens_equal("s3cretX", "s3cret"));
  CHECK_FALSE(tokens_equal("", "s3cret"));
}

TEST_CASE("read endpoints answer without a token") {
  Api a;
  CHECK(a.call(http::verb::get, "/healthz").result() == http::status::ok);
  CHECK(a.call(http::verb::get, "/readyz").result() == http::status::ok);  // no targets: all polled
  auto status = a.call(http::verb::get, "/api/v1/status?pretty=1");
  CHECK(status.result() == http::status::ok);
  CHECK(status.body() == "{\"targets\":[]}\n");
  auto metrics = a.call(http::verb::get, "/metrics");
  CHECK(metrics.result() == http::status::ok);
  CHECK(metrics[http::field::content_type] == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(metrics.body().find("enumwatch_build_info") != std::string::npos);
}

TEST_CASE("unknown targets, snapshots and paths are 404; wrong methods are 405") {
  Api a;
  CHECK(a.call(http::verb::get, "/api/v1/targets/nope").result() == http::status::not_found);
  CHECK(a.call(http::verb::get, "/api/v1/snapshots/app").result() ==
        http::status::not_found);  // not registered
  CHECK(a.call(http::verb::get, "/nothing").result() == http::status::not_found);
  auto res = a.call(http::verb::post, "/metrics");
  CHECK(res.result() == http::status::method_not_allowed);
  CHECK(res[http::field::allow] == "GET");
}

TEST_CASE("write endpoints are 403 without a configured token, 401 with a wrong one") {
  Api a;
  CHECK(a.call(http::verb::put, "/api/v1/snapshots/app", "Bearer x").result() ==
        http::status::forbidden);
  a.api.set_token("s3cret");
  CHECK(a.call(http::verb::put, "/api/v1/snapshots/app").result() == http::status::unauthorized);
  CHECK(a.call(http::verb::put, "/api/v1/snapshots/app", "Bearer wrong").result() ==
        http::status::unauthorized);
  CHECK(a.call(http::verb::put, "/api/v1/snapshots/app", "Basic s3cret").result() ==
        http::status::unauthorized);
  CHECK(a.call(http::verb::post, "/api/v1/targets/x/poll", "Bearer wrong").result() ==
        http::status::unauthorized);
}

TEST_CASE(
    "with the right token: file-managed is 409, invalid bodies 400 with the reason, unknown "
    "targets 404") {
  Api a;
  a.api.set_token("s3cret");
  CHECK(a.call(http::verb::put, "/api/v1/snapshots/file", "Bearer s3cret", "").result() ==
        http::status::conflict);
  auto bad =
      a.call(http::verb::put, "/api/v1/snapshots/app", "Bearer s3cret", "[[enum]]\nname = 1\n");
  CHECK(bad.result() == http::status::bad_request);
  CHECK(bad.body().find("request body:2:") != std::string::npos);
  CHECK(a.call(http::verb::put, "/api/v1/snapshots/other", "Bearer s3cret", "").result() ==
        http::status::not_found);
  CHECK(a.call(http::verb::post, "/api/v1/targets/x/poll", "Bearer s3cret").result() ==
        http::status::not_found);
}

TEST_CASE("the bearer scheme is matched whatever its case") {
  Api a;
  a.api.set_token("s3cret-token-0123456789");
  for (const char* auth : {"Bearer s3cret-token-0123456789", "bearer s3cret-token-0123456789",
                           "BEARER s3cret-token-0123456789"}) {
    CAPTURE(auth);
    // 404: past the token check, the target is unknown.
    CHECK(a.call(http::verb::post, "/api/v1/targets/x/poll", auth).result() ==
          http::status::not_found);
  }
  CHECK(a.call(http::verb::post, "/api/v1/targets/x/poll", "Basic s3cret-token-0123456789")
            .result() == http::status::unauthorized);
  CHECK(a.call(http::verb::post, "/api/v1/targets/x/poll", "Bearer").result() ==
        http::status::unauthorized);
}

TEST_CASE("only a snapshot registration with a valid token has its body read") {
  Api a;
  a.api.set_token("s3cret-token-0123456789");
  auto headers = [](http::verb method, std::string target, std::string auth) {
    HttpRequest request{method, target, 11};
    if (!auth.empty()) request.set(http::field::authorization, auth);
    return request;
  };
  CHECK(a.api.wants_body(
      headers(http::verb::put, "/api/v1/snapshots/app", "Bearer s3cret-token-0123456789")));
  CHECK_FALSE(a.api.wants_body(headers(http::verb::put, "/api/v1/snapshots/app", "Bearer nope")));
  CHECK_FALSE(a.api.wants_body(headers(http::verb::put, "/api/v1/snapshots/app", "")));
  CHECK_FALSE(a.api.wants_body(
      headers(http::verb::post, "/api/v1/targets/x/poll", "Bearer s3cret-token-0123456789")));
  CHECK_FALSE(
      a.api.wants_body(headers(http::verb::get, "/metrics", "Bearer s3cret-token-0123456789")));
}
