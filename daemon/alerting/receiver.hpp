// Delivers alerts to one receiver — an Alertmanager (API v2) or a generic webhook — over HTTP on
// the event loop. Each receiver has its own worker, queue and backoff, so a slow or dead receiver
// never delays the others or the polling. The queue holds the latest state of each alert: a newer
// state supersedes an unsent older one, and nothing else is ever dropped.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <span>
#include <string>

#include "enumwatch/alerting/alerts.hpp"
#include "http/client.hpp"
#include "logging.hpp"

#include <chrono>
#include <optional>

namespace enumwatch {

class Metrics;

class AlertReceiver {
 public:
  enum class Kind { alertmanager, webhook };

  AlertReceiver(boost::asio::any_io_executor executor, Kind kind, std::string url,
                std::string external_url, Metrics& metrics,
                InternalErrorCounter count_internal_error);
  ~AlertReceiver();
  AlertReceiver(const AlertReceiver&) = delete;
  AlertReceiver& operator=(const AlertReceiver&) = delete;

  void enqueue(std::span<const Alert> alerts);
  // generatorURL of the alerts sent from now on (a reload changed external_url).
  void set_external_url(std::string external_url);
  // For an https:// receiver: the client TLS context (CA, client certificate), from the next
  // request on. Null: the system's CAs.
  void set_tls(std::shared_ptr<boost::asio::ssl::context> tls);
  // Shutdown: deliver what is queued, without backoff; stop once the queue is empty or a
  // delivery fails. idle() says when it is done.
  void drain();
  [[nodiscard]] bool idle() const;
  // Alerts queued or being sent.
  [[nodiscard]] std::size_t owed() const;
  [[nodiscard]] const std::string& url() const;
  [[nodiscard]] Kind kind() const;

  // What the status page shows of it.
  struct Status {
    std::string label;  // HttpUrl::redacted(): scheme://host:port
    std::optional<std::chrono::system_clock::time_point> last_delivery, last_failure;
    std::string last_error;  // empty while the last attempt succeeded; never holds a secret
    std::size_t queued = 0;
  };
  [[nodiscard]] Status status() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace enumwatch
