// Server-Sent Events for /api/v1/events (SPEC §6): a hub that fans each event out to a bounded
// number of subscribers. Publishing never waits: each subscriber has a bounded queue, and one
// that falls that far behind (a slow or stalled client) is dropped, so no client can hold up
// polling or memory. A quiet stream carries a heartbeat comment, which also finds clients gone.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace enumwatch {

class EventSubscription {
 public:
  explicit EventSubscription(boost::asio::any_io_executor executor,
                             std::chrono::milliseconds heartbeat);
  // The next chunk to send: an event, or a ": heartbeat" comment after `heartbeat` of silence;
  // nothing once the hub dropped this subscriber (too far behind) or stopped.
  [[nodiscard]] boost::asio::awaitable<std::optional<std::string>> next();

 private:
  friend class EventHub;
  boost::asio::steady_timer wake_;
  std::chrono::milliseconds heartbeat_;
  std::deque<std::string> queue_;
  bool closed_ = false;
};

class EventHub {
 public:
  struct Limits {
    std::size_t max_subscribers = 64;
    std::size_t max_queued = 256;  // events waiting for one subscriber before it is dropped
    std::chrono::milliseconds heartbeat{15000};
  };
  explicit EventHub(boost::asio::any_io_executor executor) : EventHub(executor, Limits{}) {}
  EventHub(boost::asio::any_io_executor executor, Limits limits);

  // A new subscriber with `initial` events queued first; null when the hub is full.
  [[nodiscard]] std::shared_ptr<EventSubscription> subscribe(std::vector<std::string> initial);
  // `data` must not hold a newline (compact JSON does not).
  void publish(std::string_view event, std::string_view data);
  void stop();
  [[nodiscard]] std::size_t subscribers();

  // "event: NAME\ndata: DATA\n\n"
  [[nodiscard]] static std::string format(std::string_view event, std::string_view data);

 private:
  void prune();

  boost::asio::any_io_executor executor_;
  Limits limits_;
  std::vector<std::weak_ptr<EventSubscription>> subscribers_;
};

}  // namespace enumwatch
