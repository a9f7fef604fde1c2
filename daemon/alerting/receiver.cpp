#include "alerting/receiver.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <random>

#include "enumwatch/error.hpp"
#include "http/client.hpp"
#include "logging.hpp"
#include "metrics/metrics.hpp"

namespace enumwatch {
namespace asio = boost::asio;

namespace {

constexpr std::size_t kBatch = 200;
constexpr auto kRequestTimeout = std::chrono::seconds(10);
constexpr auto kMaxBackoff = std::chrono::seconds(60);

// What to POST to: the receiver's URL, or why it cannot be used.
struct Endpoint {
  HttpUrl url;
  std::string target;
  std::string error;
};

Endpoint endpoint_for(const std::string& url, AlertReceiver::Kind kind) {
  Endpoint e;
  try {
    e.url = parse_http_url(url);
  } catch (const Error& error) {
    e.error = error.what();
    return e;
  }
  e.target = e.url.path;
  if (kind == AlertReceiver::Kind::alertmanager)
    e.target = (e.target == "/" ? "" : e.target) + "/api/v2/alerts";
  return e;
}

}  // namespace

struct AlertReceiver::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, Kind k, std::string u, std::string external, Metrics& m,
       InternalErrorCounter count)
      : executor(ex),
        kind(k),
        url(std::move(u)),
        external_url(std::move(external)),
        metrics(m),
        count_internal_error(std::move(count)),
        wake(ex),
        endpoint(endpoint_for(url, k)) {}

  // The receiver's whole life: deliver, back off, retry. Its one edge catches what nobody
  // expected, counts it, puts the batch back and backs off like any failed delivery.
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
      std::string error;
      try {
        const boost::json::value body = kind == Kind::alertmanager
                                            ? alertmanager_body(batch, external_url)
                                            : webhook_body(batch, external_url);
        error = co_await post(boost::json::serialize(body));
      } catch (...) {
        report_internal_error(count_internal_error, "alerting", std::current_exception());
        error = "internal error while sending (see the log)";
      }
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
    HttpCall call;
    call.method = boost::beast::http::verb::post;
    call.target = endpoint.target;
    call.body = std::move(body);
    call.content_type = "application/json";
    call.timeout = kRequestTimeout;
    std::string error;
    try {
      HttpAnswer answer = co_await http_call(executor, endpoint.url, std::move(call));
      if (answer.status / 100 != 2)
        error = "HTTP " + std::to_string(answer.status) + ": " + answer.body.substr(0, 200);
    } catch (const Error& e) {
      error = e.what();
    }
    co_return error;
  }

  asio::any_io_executor executor;
  Kind kind;
  std::string url;
  std::string external_url;
  Metrics& metrics;
  InternalErrorCounter count_internal_error;
  asio::steady_timer wake;
  Endpoint endpoint;
  AlertQueue queued;
  bool stopped = false;
};

AlertReceiver::AlertReceiver(asio::any_io_executor executor, Kind kind, std::string url,
                             std::string external_url, Metrics& metrics,
                             InternalErrorCounter count_internal_error)
    : impl_(std::make_shared<Impl>(executor, kind, std::move(url), std::move(external_url), metrics,
                                   std::move(count_internal_error))) {
  asio::co_spawn(executor, impl_->run(), report_escape(impl_->count_internal_error, "alerting"));
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
