#include "alerting/receiver.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <random>

#include "enumwatch/error.hpp"
#include "enumwatch/text.hpp"
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

struct Delivery {
  unsigned status = 0;  // 0: no HTTP answer (connect, timeout, bad URL)
  std::string error;    // empty: delivered
  // A 4xx other than 408/429: the receiver refuses this content and will refuse it again.
  [[nodiscard]] bool rejected() const {
    return status >= 400 && status < 500 && status != 408 && status != 429;
  }
};

std::string describe(const Alert& alert) {
  return alert.key.target + "/" + escape_control(alert.key.schema + "." + alert.key.enum_name) +
         (alert.resolved ? " (resolved)" : " (firing)");
}

}  // namespace

struct AlertReceiver::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, Kind k, std::string u, std::string external, Metrics& m,
       InternalErrorCounter count)
      : executor(ex),
        kind(k),
        url(std::move(u)),
        label(receiver_label(url)),
        external_url(std::move(external)),
        metrics(m),
        count_internal_error(std::move(count)),
        wake(ex),
        endpoint(endpoint_for(url, k)) {}

  // The receiver's whole life: deliver, back off, retry. A batch the receiver rejects (a 4xx:
  // it will never take that content) is split in halves until the one alert it refuses is
  // found, logged and counted once; the others are delivered. Anything else that fails puts
  // everything back and backs off. The one edge catches what nobody expected, counts it and
  // treats it as a failed delivery.
  asio::awaitable<void> run() {
    auto self = shared_from_this();
    int failures = 0;
    std::mt19937 random(std::random_device{}());
    std::vector<std::vector<Alert>> halves;  // what is left of a rejected batch, last first
    while (!stopped) {
      if (queued.empty() && halves.empty()) {
        wake.expires_at(asio::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      std::vector<Alert> batch;
      if (halves.empty()) {
        batch = queued.take(kBatch);
      } else {
        batch = std::move(halves.back());
        halves.pop_back();
      }
      Delivery delivery;
      try {
        const boost::json::value body = kind == Kind::alertmanager
                                            ? alertmanager_body(batch, external_url)
                                            : webhook_body(batch, external_url);
        delivery = co_await post(boost::json::serialize(body));
      } catch (...) {
        report_internal_error(count_internal_error, "alerting", std::current_exception());
        delivery.error = "internal error while sending (see the log)";
      }
      if (stopped) break;
      metrics.count_alert_notification(label, delivery.error.empty());
      const auto now = std::chrono::system_clock::now();
      if (delivery.error.empty()) {
        last_delivery = now;
        last_error.clear();
      } else {
        last_failure = now;
        last_error = delivery.error;
      }
      if (delivery.error.empty()) {
        if (failures > 0) spdlog::info("alerts: {} reachable again", label);
        failures = 0;
        continue;
      }
      if (delivery.rejected()) {
        if (batch.size() > 1) {
          const auto middle = batch.begin() + static_cast<long>(batch.size() / 2);
          halves.emplace_back(std::make_move_iterator(middle),
                              std::make_move_iterator(batch.end()));
          halves.emplace_back(std::make_move_iterator(batch.begin()),
                              std::make_move_iterator(middle));
        } else {
          spdlog::error("alerts: {} rejected alert {} for good: {}; the other alerts go on", label,
                        describe(batch.front()), escape_control(delivery.error));
        }
        continue;
      }
      if (failures == 0)
        spdlog::warn("alerts: sending to {} failed: {}; retrying with backoff", label,
                     delivery.error);
      ++failures;
      queued.give_back(std::move(batch));
      for (auto& half : halves) queued.give_back(std::move(half));
      halves.clear();
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

  asio::awaitable<Delivery> post(std::string body) {
    Delivery out;
    if (!endpoint.error.empty()) {
      out.error = endpoint.error;
      co_return out;
    }
    HttpCall call;
    call.method = boost::beast::http::verb::post;
    call.target = endpoint.target;
    call.body = std::move(body);
    call.content_type = "application/json";
    call.timeout = kRequestTimeout;
    call.tls = tls;
    try {
      HttpAnswer answer = co_await http_call(executor, endpoint.url, std::move(call));
      out.status = answer.status;
      if (answer.status / 100 != 2)
        out.error = "HTTP " + std::to_string(answer.status) + ": " + answer.body.substr(0, 200);
    } catch (const Error& e) {
      out.error = e.what();
    }
    co_return out;
  }

  asio::any_io_executor executor;
  Kind kind;
  std::string url;
  std::string label;  // scheme://host:port: never a path, query or password
  std::string external_url;
  std::shared_ptr<asio::ssl::context> tls;
  Metrics& metrics;
  InternalErrorCounter count_internal_error;
  asio::steady_timer wake;
  Endpoint endpoint;
  AlertQueue queued;
  bool stopped = false;
  std::optional<std::chrono::system_clock::time_point> last_delivery, last_failure;
  std::string last_error;
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

void AlertReceiver::set_external_url(std::string external_url) {
  impl_->external_url = std::move(external_url);
}

void AlertReceiver::set_tls(std::shared_ptr<asio::ssl::context> tls) {
  impl_->tls = std::move(tls);
}

const std::string& AlertReceiver::url() const {
  return impl_->url;
}
AlertReceiver::Kind AlertReceiver::kind() const {
  return impl_->kind;
}

AlertReceiver::Status AlertReceiver::status() const {
  return {impl_->label, impl_->last_delivery, impl_->last_failure, impl_->last_error,
          impl_->queued.size()};
}

}  // namespace enumwatch
