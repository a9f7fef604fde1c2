// One LISTEN connection per database, shared by every target on it (docs/instant-detection.md,
// "One connection per database"). Targets whose LISTEN connection parameters are the same — the
// parsed notify_dsn or dsn, every key (host, port, dbname, user, sslmode, options, ...) and the
// password in use — subscribe to one DdlListener; each of its events reaches every subscriber.
// The last subscription to go stops it.
//
// A LISTEN that succeeds does not prove that notifications arrive (through PgBouncer in
// transaction pooling they never do). So after every (re)connect the connection is unproven until
// a probe comes back: a notification with a fresh nonce that the subscribers' next polls send
// over their own connections (docs/instant-detection.md, "Proof of listening"). Subscribers hear
// listening(true) only then; probes never reach them as changes.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "enumwatch/config/dsn.hpp"
#include "enumwatch/core/duration.hpp"
#include "logging.hpp"
#include "poll/ddl_listener.hpp"

namespace enumwatch {

class ListenerHub {
 public:
  using Subscriber = DdlListener::Events;

  ListenerHub(boost::asio::any_io_executor executor, InternalErrorCounter count_internal_error);
  ~ListenerHub();
  ListenerHub(const ListenerHub&) = delete;
  ListenerHub& operator=(const ListenerHub&) = delete;

  struct Database;
  using Databases = std::map<std::string, std::shared_ptr<Database>>;  // by connection key

  // A target's place on its database's listener; destroying it leaves (and stops the listener if
  // it was the last). It may outlive the hub (a coroutine frame holding its target can): then it
  // does nothing.
  class Subscription {
   public:
    ~Subscription();
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    // LISTEN is up on the shared connection, and a probe came back over it.
    [[nodiscard]] bool listening() const;
    // The payload the target's next poll should send while the connection is up but unproven.
    [[nodiscard]] std::optional<std::string> pending_probe() const;

   private:
    friend class ListenerHub;
    Subscription(std::weak_ptr<Databases> databases, std::string key, std::string target)
        : databases_(std::move(databases)), key_(std::move(key)), target_(std::move(target)) {}
    std::weak_ptr<Databases> databases_;
    std::string key_;
    std::string target_;
  };

  // Joins the database's listener, starting one if the target is the first. A listener that is
  // up already says listening(true) to the new subscriber at once; it does not say subscribed()
  // (the target was just polled: that is why it subscribes).
  [[nodiscard]] std::unique_ptr<Subscription> subscribe(const std::string& target,
                                                        const ConnParams& params, Duration timeout,
                                                        Subscriber subscriber);
  // Listening connections open or trying (one per database in use).
  [[nodiscard]] std::size_t listeners() const { return databases_->size(); }
  void stop();

  struct Database {
    std::shared_ptr<DdlListener> listener;
    std::map<std::string, Subscriber> subscribers;  // by target name
    bool up = false;                                // LISTEN succeeded on the current connection
    bool proven = false;                            // and a probe with `probe` came back over it
    std::string probe;  // kListenProbePrefix and a nonce, new for every connection
  };

 private:
  static void leave(Databases& databases, const std::string& key, const std::string& target);
  // Calls `event` for each subscriber still there when its turn comes: a subscriber's handler may
  // make others leave.
  void each_subscriber(const std::string& key, const std::function<void(const Subscriber&)>& event);
  static std::string label(const Database& database);
  void connection_changed(const std::string& key, bool up);
  // Drops probes from the batch; true if this database's own came back.
  static bool take_probes(Database& database, std::vector<Notification>& batch);

  boost::asio::any_io_executor executor_;
  InternalErrorCounter count_internal_error_;
  std::shared_ptr<Databases> databases_ = std::make_shared<Databases>();
};

}  // namespace enumwatch
