#include "alert_receiver.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <random>

#include "logging.hpp"
#include "metrics.hpp"

namespace enumwatch {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr std::size_t kBatch = 200;
constexpr auto kRequestTimeout = std::chrono::seconds(10);
constexpr auto kMaxBackoff = std::chrono::seconds(60);

struct Endpoint {
  std::string host, port, target;
  std::string error;  // why the URL cannot be used
};

Endpoint parse_url(const std::string& url, AlertReceiver::Kind kind) {
  Endpoint e;
  constexpr std::string_view kHttp = "http://";
  if (!url.starts_with(kHttp)) {
    e.error = "only http:// receivers are supported (put a TLS proxy in front for https)";
    return e;
  }
  std::string rest = url.substr(kHttp.size());
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : rest.substr(slash);
  auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    e.host = authority.substr(0, colon);
    e.port = authority.substr(colon + 1);
  } else {
    e.host = authority;
    e.port = "80";
  }
  if (!e.host.empty() && e.host.front() == '[') e.host = e.host.substr(1, e.host.size() - 2);
  if (kind == AlertReceiver::Kind::alertmanager) {
    while (!path.empty() && path.back() == '/') path.pop_back();
    path += "/api/v2/alerts";
  }
  e.target = path.empty() ? "/" : path;
  return e;
}

}  // namespace

struct AlertReceiver::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, Kind k, std::string u, std::string external, Metrics& m)
      : executor(ex),
        kind(k),
        url(std::move(u)),
        external_url(std::move(external)),
        metrics(m),
        wake(ex),
        endpoint(parse_url(url, k)) {}

  asio::awaitable<void> run() {
    auto self = shared_from_this();
    int failures = 0;
    std::mt19937 random(std::random_device{}());
    while (!stopped) {
      if (queued.empty()) {
        wake.expires_at(asio::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      std::vector<Alert> batch = queued.take(kBatch);
      const boost::json::value body = kind == Kind::alertmanager
                                          ? alertmanager_body(batch, external_url)
                                          : webhook_body(batch, external_url);
      const std::string error = co_await post(boost::json::serialize(body));
      if (stopped) break;
      metrics.count_alert_notification(url, error.empty());
      if (error.empty()) {
        if (failures > 0) spdlog::info("alerts: {} reachable again", url);
        failures = 0;
        continue;
      }
      if (failures == 0)
        spdlog::warn("alerts: sending to {} failed: {}; retrying with backoff", url, error);
      ++failures;
      queued.give_back(std::move(batch));
      // Exponential backoff with jitter, so that receivers coming back are not hit in lockstep.
      auto delay = std::min<std::chrono::milliseconds>(
          kMaxBackoff, std::chrono::milliseconds(500L << std::min(failures, 7)));
      std::uniform_real_distribution<double> jitter(0.5, 1.5);
      asio::steady_timer pause(
          executor, std::chrono::milliseconds(static_cast<long>(delay.count() * jitter(random))));
      boost::system::error_code ec;
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  // One POST; returns "" on a 2xx answer, else what went wrong.
  asio::awaitable<std::string> post(std::string body) {
    if (!endpoint.error.empty()) co_return endpoint.error;
    boost::system::error_code ec;
    asio::ip::tcp::resolver resolver(executor);
    auto results = co_await resolver.async_resolve(endpoint.host, endpoint.port,
                                                   asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return "resolving " + endpoint.host + ": " + ec.message();
    beast::tcp_stream stream(executor);
    stream.expires_after(kRequestTimeout);
    co_await stream.async_connect(results, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return "connecting: " + ec.message();
    http::request<http::string_body> request{http::verb::post, endpoint.target, 11};
    request.set(http::field::host, endpoint.host + ":" + endpoint.port);
    request.set(http::field::content_type, "application/json");
    request.set(http::field::user_agent, "enumwatch");
    request.body() = std::move(body);
    request.prepare_payload();
    co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return "sending: " + ec.message();
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    co_await http::async_read(stream, buffer, response,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return "reading the answer: " + ec.message();
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    if (response.result_int() / 100 != 2) {
      co_return "HTTP " + std::to_string(response.result_int()) + ": " +
          response.body().substr(0, 200);
    }
    co_return "";
  }

  asio::any_io_executor executor;
  Kind kind;
  std::string url;
  std::string external_url;
  Metrics& metrics;
  asio::steady_timer wake;
  Endpoint endpoint;
  AlertQueue queued;
  bool stopped = false;
};

AlertReceiver::AlertReceiver(asio::any_io_executor executor, Kind kind, std::string url,
                             std::string external_url, Metrics& metrics)
    : impl_(std::make_shared<Impl>(executor, kind, std::move(url), std::move(external_url),
                                   metrics)) {
  asio::co_spawn(executor, impl_->run(), log_escape("alert receiver " + impl_->url));
}

AlertReceiver::~AlertReceiver() {
  impl_->stopped = true;
  impl_->wake.cancel();
}

void AlertReceiver::enqueue(std::span<const Alert> alerts) {
  impl_->queued.push(alerts);
  impl_->wake.cancel();
}

const std::string& AlertReceiver::url() const {
  return impl_->url;
}
AlertReceiver::Kind AlertReceiver::kind() const {
  return impl_->kind;
}

}  // namespace enumwatch
