// One poll connection per database (docs/fleet.md, "One connection per database"): every target
// whose connection parameters are the same — server, port, database, role, password and every
// other option — polls over one session, one target at a time. Each use still has its own
// deadline: a turn waited for counts toward it, and a use that waits past it fails as a timeout.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "enumwatch/config/dsn.hpp"
#include "pg/catalog_reader.hpp"
#include "pg/connection.hpp"
#include "pg/read_pipeline.hpp"
#include "poll/async_semaphore.hpp"

namespace enumwatch {

class SharedConnection : public std::enable_shared_from_this<SharedConnection> {
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

  // The session now, if one is open and usable (0 before the first).
  [[nodiscard]] std::optional<std::uint64_t> open_session() const;

  // Runs the pipeline in one round trip with every other pipeline that asks in the same instant,
  // or while the connection is busy (docs/fleet.md, "One round trip per database"): the due
  // targets of a database read their fingerprints together. Each pipeline keeps its own setup
  // and errors (PgConnection::run_pipelines). The schema hashes the pipelines ask for (`asked`)
  // are read once per round trip, ahead of theirs, for the schemas of all of them (docs/fleet.md,
  // "One fingerprint query per database"). It never connects: nothing (nullopt) when no session
  // was open, and the caller polls the usual way; else the session it ran on. Throws PgError when
  // the round trip failed (the connection broke, the earliest deadline passed).
  [[nodiscard]] boost::asio::awaitable<std::optional<std::uint64_t>> run_batched(
      ReadPipeline& pipeline, SchemaHashesAsked* asked = nullptr);
  // How long a round trip waits for company before it leaves.
  static constexpr std::chrono::milliseconds kGatherFor{2};

  // A target's full read, asked for before it waits for a slot and its turn (docs/fleet.md, "One
  // full read per database"): the next full read over this connection reads its schemas too.
  // Held weakly: an ask its poll gave up on is gone.
  void ask_full_read(const std::shared_ptr<FullReadAsked>& asked);
  // The asks still waiting (not found yet), for the full read that runs now; none are left.
  [[nodiscard]] std::vector<std::shared_ptr<FullReadAsked>> take_full_reads_asked();

 private:
  struct Batched;
  // Sends what waits, round trip after round trip, until nothing does.
  static boost::asio::awaitable<void> drain(std::shared_ptr<SharedConnection> self);
  boost::asio::awaitable<void> run_round_trip(std::vector<std::shared_ptr<Batched>> batch);

  boost::asio::any_io_executor executor_;
  ConnParams params_;
  AsyncSemaphore turns_;
  std::shared_ptr<PgConnection> connection_;
  std::uint64_t session_ = 0;
  std::vector<std::shared_ptr<Batched>> waiting_;
  bool draining_ = false;
  std::vector<std::weak_ptr<FullReadAsked>> full_reads_asked_;
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
