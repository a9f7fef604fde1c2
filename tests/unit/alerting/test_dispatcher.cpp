#include <doctest/doctest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>

#include "alerting/dispatcher.hpp"
#include "enumwatch/core/file_io.hpp"
#include "http/server.hpp"
#include "metrics/metrics.hpp"

using namespace enumwatch;
using namespace std::chrono_literals;
namespace http = boost::beast::http;

namespace {

// A webhook receiver on loopback inside the test process: it keeps every body it is sent.
struct Receiver {
  explicit Receiver(boost::asio::io_context& io)
      : server(
            io.get_executor(),
            [this](const HttpRequest& request) -> boost::asio::awaitable<HttpResponse> {
              bodies.push_back(boost::json::parse(request.body()));
              paths.emplace_back(request.target());
              authorizations.emplace_back(request[http::field::authorization]);
              HttpResponse response{http::status::ok, 11};
              co_return response;
            },
            [](const HttpRequest&) { return true; }, {}) {
    server.start({boost::asio::ip::make_address("127.0.0.1"), 0});
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server.local_endpoint().port()) + "/hook";
  }
  HttpServer server;
  std::vector<boost::json::value> bodies;
  std::vector<std::string> paths;
  std::vector<std::string> authorizations;
};

TargetConfig target() {
  TargetConfig t;
  t.name = "orders-prod";
  t.labels = {{"team", "payments"}};
  return t;
}

PollResult poll(PollOutcome outcome, std::vector<DriftItem> drift) {
  PollResult result;
  result.outcome = outcome;
  result.report.drift = std::move(drift);
  return result;
}

DriftItem missing_value() {
  DriftItem item;
  item.target = "orders-prod";
  item.schema = "public";
  item.enum_name = "order_status";
  item.kind = DriftKind::missing_value;
  item.message = "value \"refunded\" is missing";
  return item;
}

AlertingSettings webhook_to(const Receiver& receiver) {
  AlertingSettings settings;
  settings.webhook_urls = {receiver.url()};
  settings.external_url = "http://ops-host:9747";
  return settings;
}

// A dispatcher whose one receiver is a webhook on loopback.
struct Setup {
  boost::asio::io_context io;
  Receiver receiver{io};
  Metrics metrics{false};
  AlertingSettings settings = webhook_to(receiver);
  AlertDispatcher alerts{io.get_executor(), settings, metrics, {}};
};

void run_until(boost::asio::io_context& io, const std::function<bool()>& done) {
  for (int i = 0; i < 100 && !done(); ++i) io.run_for(20ms);
}

}  // namespace

TEST_CASE("drift fires to the webhook, a failed poll resolves nothing, a clean poll resolves it") {
  Setup setup;
  // References, not a structured binding: clang 15 cannot capture one in the lambdas below.
  auto& io = setup.io;
  auto& receiver = setup.receiver;
  auto& alerts = setup.alerts;

  alerts.observe(target(), poll(PollOutcome::ok, {missing_value()}));
  run_until(io, [&] { return receiver.bodies.size() == 1; });
  REQUIRE(receiver.bodies.size() == 1);
  CHECK(receiver.paths[0] == "/hook");
  const auto& firing = receiver.bodies[0].as_object();
  CHECK(firing.at("status") == "firing");
  const auto& labels = firing.at("alerts").as_array().at(0).as_object().at("labels").as_object();
  CHECK(labels.at("alertname") == "EnumDrift");
  CHECK(labels.at("enum") == "order_status");
  CHECK(labels.at("severity") == "critical");
  CHECK(labels.at("team") == "payments");
  CHECK(alerts.firing_count() == 1);

  alerts.observe(target(), poll(PollOutcome::error, {}));  // the database is down: still firing
  io.run_for(100ms);
  CHECK(receiver.bodies.size() == 1);
  CHECK(alerts.firing_count() == 1);

  alerts.observe(target(), poll(PollOutcome::ok, {}));
  run_until(io, [&] { return receiver.bodies.size() == 2; });
  REQUIRE(receiver.bodies.size() == 2);
  CHECK(receiver.bodies[1].as_object().at("status") == "resolved");
  CHECK(alerts.firing_count() == 0);
  CHECK(setup.metrics.serialize().find("enumwatch_alert_notifications_total{outcome=\"ok\"") !=
        std::string::npos);
}

TEST_CASE("a removed target's alerts resolve at once") {
  Setup setup;
  // References, not a structured binding: clang 15 cannot capture one in the lambdas below.
  auto& io = setup.io;
  auto& receiver = setup.receiver;
  auto& alerts = setup.alerts;
  alerts.observe(target(), poll(PollOutcome::ok, {missing_value()}));
  alerts.forget_target("orders-prod");
  run_until(io, [&] {
    return !receiver.bodies.empty() &&
           receiver.bodies.back().as_object().at("status") == "resolved";
  });
  REQUIRE_FALSE(receiver.bodies.empty());
  CHECK(receiver.bodies.back().as_object().at("status") == "resolved");
}

TEST_CASE("a reload that keeps the receivers' URLs keeps their queues") {
  Setup setup;
  // References, not a structured binding: clang 15 cannot capture one in the lambdas below.
  auto& io = setup.io;
  auto& receiver = setup.receiver;
  auto& alerts = setup.alerts;
  alerts.observe(target(), poll(PollOutcome::ok, {missing_value()}));
  setup.settings.runbook_url = "https://runbooks.example/enumwatch";
  alerts.configure(setup.settings, nullptr);  // before the queued alert went out
  run_until(io, [&] { return !receiver.bodies.empty(); });
  REQUIRE(receiver.bodies.size() == 1);
  CHECK(receiver.bodies[0].as_object().at("status") == "firing");
}

TEST_CASE("a receiver URL's userinfo is sent as Basic auth and its query is kept") {
  boost::asio::io_context io;
  Receiver receiver{io};
  Metrics metrics{false};
  AlertingSettings settings;
  const std::string port = std::to_string(receiver.server.local_endpoint().port());
  settings.webhook_urls = {"http://alerts:p%40ss@127.0.0.1:" + port + "/hook?token=T0KEN"};
  AlertDispatcher alerts{io.get_executor(), settings, metrics, {}};
  alerts.observe(target(), poll(PollOutcome::ok, {missing_value()}));
  run_until(io, [&] { return !receiver.bodies.empty(); });
  REQUIRE(receiver.bodies.size() == 1);
  CHECK(receiver.paths[0] == "/hook?token=T0KEN");
  CHECK(receiver.authorizations[0] == "Basic YWxlcnRzOnBAc3M=");  // alerts:p@ss
  const auto receivers = alerts.receivers();
  REQUIRE(receivers.size() == 1);
  CHECK(receivers[0].second.label == "http://127.0.0.1:" + port);
  CHECK(metrics.serialize().find("T0KEN") == std::string::npos);
  CHECK(metrics.serialize().find("p@ss") == std::string::npos);
}

TEST_CASE("a drain delivers what is queued and ends; a receiver that is down does not hold it") {
  boost::asio::io_context io;
  Receiver receiver{io};
  Metrics metrics{false};
  AlertingSettings settings = webhook_to(receiver);
  // Port 1 on loopback: nothing listens there, so the connection is refused.
  settings.webhook_urls.push_back("http://127.0.0.1:1/down");
  AlertDispatcher alerts{io.get_executor(), settings, metrics, {}};
  alerts.observe(target(), poll(PollOutcome::ok, {missing_value()}));
  bool done = false;
  const auto started = std::chrono::steady_clock::now();
  alerts.drain(std::chrono::seconds(5), [&] { done = true; });
  run_until(io, [&] { return done; });
  CHECK(done);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
  REQUIRE(receiver.bodies.size() == 1);
  CHECK(receiver.bodies[0].as_object().at("status") == "firing");
}

TEST_CASE("the shutdown flush writes the alert state, and a restart restores it") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("enumwatch-dispatcher-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string state = (dir / "alerts.json").string();
  {
    boost::asio::io_context io;
    Metrics metrics{false};
    AlertDispatcher alerts{io.get_executor(), AlertingSettings{}, metrics, {}, state};
    alerts.observe(target(), poll(PollOutcome::ok, {missing_value()}));
    alerts.flush();
    CHECK(read_file(state, "test").find("\"firing\":true") != std::string::npos);
  }
  {
    boost::asio::io_context io;
    Metrics metrics{false};
    AlertDispatcher alerts{io.get_executor(), AlertingSettings{}, metrics, {}, state};
    alerts.restore({"orders-prod"});
    CHECK(alerts.firing_count() == 1);
  }
  int entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  CHECK(entries == 1);  // no temporary file left
  std::filesystem::remove_all(dir);
}
