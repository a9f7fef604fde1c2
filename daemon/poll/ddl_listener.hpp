// One database's LISTEN connection for the event trigger of docs/instant-detection.md: connects
// (over notify_dsn when set, else the target's dsn), runs LISTEN enumwatch_ddl, and waits on the
// event loop for notifications, which the server sends when a migration's transaction commits. Any
// failure closes the connection and tries again with backoff; the scheduler polls the targets in
// full every time LISTEN is (re)established, since a notification may have been missed meanwhile.
// Every target of the database shares it (poll/listener_hub.hpp).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>

#include "enumwatch/config/dsn.hpp"
#include "enumwatch/core/duration.hpp"
#include "logging.hpp"
#include "pg/connection.hpp"

namespace enumwatch {

class DdlListener : public std::enable_shared_from_this<DdlListener> {
 public:
  struct Events {
    std::function<void(bool listening)> listening;  // LISTEN went up (true) or down (false)
    std::function<void()> subscribed;               // LISTEN (re)established
    std::function<void(const std::vector<Notification>&)> changed;  // notifications arrived
  };

  // `label` names it in the log: "target orders", "targets orders, billing".
  DdlListener(boost::asio::any_io_executor executor, std::string label, ConnParams params,
              Duration timeout, Events events, InternalErrorCounter count_internal_error);

  void set_label(std::string label) { label_ = std::move(label); }

  // Runs until stop(); never throws (an unexpected error is counted as an internal error of
  // component "listener", and the listener reconnects).
  [[nodiscard]] boost::asio::awaitable<void> run();
  void stop();

  // Bursts are folded: after a batch of notifications, the listener waits this long before it
  // reports more, so a migration of many transactions is a few polls, not one per commit.
  static constexpr std::chrono::milliseconds kCoalesce{100};

 private:
  [[nodiscard]] boost::asio::awaitable<void> listen_once();
  [[nodiscard]] boost::asio::awaitable<void> sleep(std::chrono::milliseconds delay);

  boost::asio::steady_timer timer_;
  std::string label_;
  ConnParams params_;
  Duration timeout_;
  Events events_;
  InternalErrorCounter count_internal_error_;
  std::shared_ptr<PgConnection> connection_;
  bool stopped_ = false;
  bool listening_ = false;
  int failures_ = 0;
  std::string last_error_;
};

}  // namespace enumwatch
