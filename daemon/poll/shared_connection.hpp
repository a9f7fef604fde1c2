// One poll connection per database (docs/fleet.md, "One connection per database"): every target
// whose connection parameters are the same — server, port, database, role, password and every
// other option — polls over one session, one target at a time. Each use still has its own
// deadline: a turn waited for counts toward it, and a use that waits past it fails as a timeout.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "enumwatch/config/dsn.hpp"
#include "pg/connection.hpp"
#include "poll/async_semaphore.hpp"

namespace enumwatch {

class SharedConnection {
 public:
  SharedConnection(boost::asio::any_io_executor executor, ConnParams params);
  SharedConnection(const SharedConnection&) = delete;
  SharedConnection& operator=(const SharedConnection&) = delete;

  // The connection, for one use (a poll, a check between polls), while the Turn lives.
  class Turn {
   public:
    // The open session, connecting (again) first when there is none or it broke, by this use
    // or another target's. Throws PgError.
    [[nodiscard]] boost::asio::awaitable<std::shared_ptr<PgConnection>> connect(Deadline deadline);
    // The open session if it is usable; nothing otherwise (a check between polls does not
    // connect: the next poll does).
    [[nodiscard]] std::shared_ptr<PgConnection> open() const;
    // Changes whenever a new session replaced the old one: what a target learnt over the old
    // one (a full read's search_path, a resolved table) is not known to hold.
    [[nodiscard]] std::uint64_t session() const { return owner_->session_; }

   private:
    friend class SharedConnection;
    Turn(SharedConnection& owner, AsyncSemaphore::Permit permit)
        : owner_(&owner), permit_(std::move(permit)) {}
    SharedConnection* owner_;
    AsyncSemaphore::Permit permit_;
  };

  // Waits for the connection's turn until `deadline`; throws PgError (timeout) after it, saying
  // that another target's use held it.
  [[nodiscard]] boost::asio::awaitable<Turn> take_turn(Deadline deadline);
  // Closes the session (the last target left, or the daemon stops).
  void close() { connection_.reset(); }

 private:
  ConnParams params_;
  AsyncSemaphore turns_;
  std::shared_ptr<PgConnection> connection_;
  std::uint64_t session_ = 0;
};

// Hands out one SharedConnection per set of connection parameters, for as long as a target holds
// it: the last target to leave closes it.
class SharedConnections {
 public:
  explicit SharedConnections(boost::asio::any_io_executor executor)
      : executor_(std::move(executor)) {}
  [[nodiscard]] std::shared_ptr<SharedConnection> lease(const ConnParams& params);

 private:
  boost::asio::any_io_executor executor_;
  std::map<std::string, std::weak_ptr<SharedConnection>> by_key_;
};

}  // namespace enumwatch
