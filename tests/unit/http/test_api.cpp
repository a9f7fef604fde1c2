#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "healthy_poll.hpp"
#include "http/api.hpp"
#include "http_api_fixture.hpp"

using namespace enumwatch;
namespace http = boost::beast::http;

using Api = enumwatch::testing::HttpApiFixture;

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

TEST_CASE("a 404 quoting a path that is not UTF-8 is still JSON (found by fuzz_http_api)") {
  Api a;
  auto res = a.call(http::verb::get, "/api/v1/snapshots/a\xff\xfepp");
  CHECK(res.result() == http::status::not_found);
  boost::system::error_code ec;
  auto body = boost::json::parse(res.body(), ec);
  REQUIRE_FALSE(ec);
  CHECK(std::string(body.at("error").as_string()).find("a\uFFFD\uFFFDpp") != std::string::npos);
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

namespace {

// Every poll succeeds at once, as a database without drift would answer.
class InstantPoller final : public TargetPoller {
 public:
  boost::asio::awaitable<PollResult> poll(const TargetConfig& target,
                                          std::span<const NamedSnapshot>,
                                          const std::optional<std::string>&) override {
    co_return testing::healthy_poll(target.name);
  }
};

}  // namespace

TEST_CASE("page loads between two polls share one encoding of the targets; a poll renews it") {
  boost::asio::io_context io;
  SnapshotRegistry registry{"/nonexistent", {}};
  Metrics metrics{false};
  enumwatch::testing::IgnorePolls observer;
  Scheduler scheduler{
      io.get_executor(), registry, observer, {}, [] { return std::make_unique<InstantPoller>(); }};
  HttpApi api{scheduler, registry, metrics};
  TargetSetup setup;
  setup.config.name = "orders";
  setup.config.options.interval = std::chrono::hours(1);
  setup.config.options.timeout = std::chrono::seconds(1);
  scheduler.apply({setup}, 1);

  const auto before_poll = api.current_events();
  REQUIRE(before_poll.size() == 1);
  CHECK(before_poll[0]->find("\"up\":false") != std::string::npos);
  CHECK(api.current_events()[0] == before_poll[0]);  // the same chunk, not a copy

  io.run_for(std::chrono::milliseconds(200));  // the first poll
  const auto after_poll = api.current_events();
  REQUIRE(after_poll.size() == 1);
  CHECK(after_poll[0] != before_poll[0]);
  CHECK(after_poll[0]->find("\"up\":true") != std::string::npos);
  CHECK(api.current_events()[0] == after_poll[0]);
  scheduler.stop();
  io.run_for(std::chrono::milliseconds(50));
}
