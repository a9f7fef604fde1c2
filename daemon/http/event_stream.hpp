// Server-Sent Events for /api/v1/events (docs/http-api.md): a hub that fans each event out to a
// bounded number of subscribers, and a few at most per client address. Publishing never waits: an
// event is encoded once and shared by every subscriber's queue (a pointer each, not a copy), each
// queue is bounded, and a subscriber that falls that far behind (a slow or stalled client) is
// dropped, so no client can hold up polling or memory. A quiet stream carries a heartbeat comment,
// which also finds clients gone.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace enumwatch {

// One encoded chunk of a stream, shared by every subscriber that has it queued.
using EventChunk = std::shared_ptr<const std::string>;

class EventSubscription {
 public:
  EventSubscription(boost::asio::any_io_executor executor, std::chrono::milliseconds heartbeat,
                    boost::asio::ip::address client);
  // The next chunk to send: an initial event, a published one, or a ": heartbeat" comment after
  // `heartbeat` of silence; null once the hub dropped this subscriber (too far behind) or stopped.
  [[nodiscard]] boost::asio::awaitable<EventChunk> next();

 private:
  friend class EventHub;
  boost::asio::steady_timer wake_;
  std::chrono::milliseconds heartbeat_;
  boost::asio::ip::address client_;
  // The state on connect: sent first, and not counted against max_queued (there is one event per
  // target, however many targets there are).
  std::deque<EventChunk> initial_;
  std::deque<EventChunk> queue_;  // published since: at most max_queued
  bool closed_ = false;
};

class EventHub {
 public:
  struct Limits {
    std::size_t max_subscribers = 64;
    // Streams one client address may hold: 16 addresses are needed to fill the hub, and one
    // browser's tabs (each page holds one stream) cannot take every place.
    std::size_t max_per_client = 4;
    std::size_t max_queued =
        256;  // published events waiting for one subscriber before it is dropped
    std::chrono::milliseconds heartbeat{15000};
  };
  explicit EventHub(boost::asio::any_io_executor executor) : EventHub(executor, Limits{}) {}
  EventHub(boost::asio::any_io_executor executor, Limits limits);

  struct Subscribed {
    enum class Refusal { none, hub_full, client_full };
    std::shared_ptr<EventSubscription> subscription;  // null when refused
    Refusal refusal = Refusal::none;
  };
  // A new subscriber for `client`, or why not. `initial` (the events it gets first, encoded) is
  // called only once there is room: a refused subscriber costs no serialization.
  // The chunks are shared, not copied: subscribers that connect between two polls get the same.
  [[nodiscard]] Subscribed subscribe(const boost::asio::ip::address& client,
                                     const std::function<std::vector<EventChunk>()>& initial);
  // `data` must not hold a newline (compact JSON does not). Encoded once for all subscribers.
  void publish(std::string_view event, std::string_view data);
  void stop();
  [[nodiscard]] std::size_t subscribers();
  [[nodiscard]] const Limits& limits() const { return limits_; }

  // "event: NAME\ndata: DATA\n\n"
  [[nodiscard]] static std::string format(std::string_view event, std::string_view data);

 private:
  void prune();

  boost::asio::any_io_executor executor_;
  Limits limits_;
  std::vector<std::weak_ptr<EventSubscription>> subscribers_;
};

}  // namespace enumwatch
