#include "alerting/receiver.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <random>

#include "enumwatch/core/backoff.hpp"
#include "enumwatch/core/error.hpp"
#include "enumwatch/core/text.hpp"
#include "http/client.hpp"
#include "logging.hpp"
#include "metrics/metrics.hpp"

namespace enumwatch {
namespace asio = boost::asio;

namespace {

constexpr std::size_t kBatch = 200;
constexpr auto kRequestTimeout = std::chrono::seconds(10);
constexpr auto kMaxBackoff = std::chrono::seconds(60);

// What to POST to: the receiver's URL, or why it cannot be used. The config check rejects such
// URLs already; this covers a receiver built from settings that did not come through it.
struct Endpoint {
  HttpUrl url;
  std::string target;
  std::string error;
  std::string label;  // the redacted form: how logs, metrics and the status page name it
};

Endpoint endpoint_for(const std::string& url, AlertReceiver::Kind kind) {
  Endpoint e;
  try {
    e.url = parse_http_url(url);
  } catch (const Error& error) {
    e.error = std::string("invalid URL: ") + error.what();
    e.label = "invalid URL";
    return e;
  }
  e.label = e.url.redacted();
  e.target = kind == AlertReceiver::Kind::alertmanager ? e.url.request_target("/api/v2/alerts")
                                                       : e.url.request_target();
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
        endpoint(endpoint_for(url, k)),
        label(endpoint.label),
        external_url(std::move(external)),
        metrics(m),
        count_internal_error(std::move(count)),
        wake(ex),
        pause(ex) {}

  // The receiver's whole life: deliver, back off, retry. A batch the receiver rejects (a 4xx:
  // it will never take that content) is split in halves until the one alert it refuses is
  // found, logged and counted once; the others are delivered. Anything else that fails puts
  // everything back and backs off. The whole of each turn — taking from the queue, sending,
  // metrics, giving back — is inside the one edge: what nobody expected is counted, what was
  // taken goes back, and the loop backs off and goes on (an exception must not end it silently:
  // the receiver would look alive and never deliver again). While draining (shutdown,
  // docs/reliability.md "Shutdown drains alert deliveries") it stops once the queue is empty or
  // a delivery fails.
  asio::awaitable<void> run() {
    auto self = shared_from_this();
    int failures = 0;
    std::mt19937 random(std::random_device{}());
    while (!stopped) {
      bool back_off = false;
      try {
        if (queued.empty() && halves.empty()) {
          if (draining) break;
          wake.expires_at(asio::steady_timer::time_point::max());
          boost::system::error_code ec;
          co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          continue;
        }
        if (halves.empty()) {
          in_hand = queued.take(kBatch);
        } else {
          in_hand = std::move(halves.back());
          halves.pop_back();
        }
        Delivery delivery = co_await deliver(in_hand);
        if (stopped) break;
        metrics.count_alert_notification(label, delivery.error.empty());
        const auto now = std::chrono::system_clock::now();
        if (delivery.error.empty()) {
          last_delivery = now;
          last_error.clear();
          in_hand.clear();
          if (failures > 0) spdlog::info("alerts: {} reachable again", label);
          failures = 0;
          continue;
        }
        last_failure = now;
        last_error = delivery.error;
        if (delivery.rejected()) {
          if (in_hand.size() > 1) {
            const auto middle = in_hand.begin() + static_cast<long>(in_hand.size() / 2);
            halves.emplace_back(std::make_move_iterator(middle),
                                std::make_move_iterator(in_hand.end()));
            halves.emplace_back(std::make_move_iterator(in_hand.begin()),
                                std::make_move_iterator(middle));
          } else {
            spdlog::error("alerts: {} rejected alert {} for good: {}; the other alerts go on",
                          label, describe(in_hand.front()), delivery.error);
          }
          in_hand.clear();
          continue;
        }
        if (failures == 0)
          spdlog::warn("alerts: sending to {} failed: {}; retrying with backoff", label,
                       delivery.error);
        back_off = true;
      } catch (...) {
        report_internal_error(count_internal_error, "alerting", std::current_exception());
        last_failure = std::chrono::system_clock::now();
        last_error = "internal error (see the log)";
        back_off = true;
      }
      // Giving back and choosing the backoff are part of the turn too, so they have an edge of
      // their own (a handler cannot co_await): what throws here is counted, and the loop waits
      // the longest backoff instead of ending.
      try {
        // What is left goes back to the queue (newer states of the same alerts win).
        give_back_all();
        if (!back_off) continue;
        ++failures;
        if (draining) break;  // no retries at shutdown: the state file keeps what is owed
        // Exponential backoff with jitter, so that receivers coming back are not hit in lockstep.
        const auto delay = exponential_backoff(std::chrono::seconds(1), failures, kMaxBackoff);
        std::uniform_real_distribution<double> jitter(0.5, 1.5);
        pause.expires_after(
            std::chrono::milliseconds(static_cast<long>(delay.count() * jitter(random))));
      } catch (...) {
        report_internal_error(count_internal_error, "alerting", std::current_exception());
        if (draining) break;
        pause.expires_after(kMaxBackoff);
      }
      boost::system::error_code ec;
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    give_back_all();
    finished = true;
  }

  void give_back_all() {
    if (!in_hand.empty()) queued.give_back(std::move(in_hand));
    in_hand.clear();
    for (auto& half : halves) queued.give_back(std::move(half));
    halves.clear();
  }

  asio::awaitable<Delivery> deliver(const std::vector<Alert>& batch) {
    Delivery delivery;
    in_flight = true;
    try {
      const boost::json::value body = kind == Kind::alertmanager
                                          ? alertmanager_body(batch, external_url)
                                          : webhook_body(batch, external_url);
      delivery = co_await post(boost::json::serialize(body));
    } catch (...) {
      in_flight = false;
      throw;
    }
    in_flight = false;
    co_return delivery;
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
      // The answer is the receiver's text: it may echo our request (its path, query, the
      // Authorization header) and hold anything, so only a scrubbed, escaped excerpt is kept.
      if (answer.status / 100 != 2)
        out.error = "HTTP " + std::to_string(answer.status) + ": " +
                    answer_excerpt(endpoint.url, answer.body);
    } catch (const Error& e) {
      out.error = escape_control(e.what());
    }
    co_return out;
  }

  // Nothing left to send, or the loop ended.
  [[nodiscard]] bool idle() const {
    return finished || (!in_flight && queued.empty() && halves.empty() && in_hand.empty());
  }

  asio::any_io_executor executor;
  Kind kind;
  std::string url;  // as configured: compared on reload, never shown
  Endpoint endpoint;
  std::string label;  // scheme://host:port: never a path, query or password
  std::string external_url;
  std::shared_ptr<asio::ssl::context> tls;
  Metrics& metrics;
  InternalErrorCounter count_internal_error;
  asio::steady_timer wake;
  asio::steady_timer pause;  // the backoff; a drain cuts it short
  AlertQueue queued;
  std::vector<Alert> in_hand;              // the batch being sent
  std::vector<std::vector<Alert>> halves;  // what is left of a rejected batch, last first
  bool stopped = false;
  bool draining = false;
  bool in_flight = false;
  bool finished = false;
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
  impl_->pause.cancel();
}

void AlertReceiver::drain() {
  impl_->draining = true;
  impl_->wake.cancel();
  impl_->pause.cancel();  // one more attempt now rather than after the backoff
}

bool AlertReceiver::idle() const {
  return impl_->idle();
}

std::size_t AlertReceiver::owed() const {
  std::size_t n = impl_->queued.size() + impl_->in_hand.size();
  for (const auto& half : impl_->halves) n += half.size();
  return n;
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
