// Polls every target on its own schedule: first polls spread across the interval (10 s at most)
// database by database, then on its database's grid, at most max_concurrent_polls polls that
// start alone in flight, exponential backoff for failing targets (capped at 5 minutes and at 10x
// the interval), immediate polls on request (coalescing with one in flight). One coroutine per
// target on the shared io_context; the targets of one database poll over one connection
// (poll/shared_connection.hpp), which stays open between polls, and their quiet polls leave in
// one round trip (docs/fleet.md, "One round trip per database"). Where
// the database has the event trigger of docs/instant-detection.md (and notify allows), the target
// joins its database's LISTEN connection (poll/listener_hub.hpp, one per database), which asks for
// a poll at once on a change; while it listens, the target polls at interval_listening.
//
// A target's loop ends only when the target is removed or the daemon stops: whatever a poll
// throws is caught at the loop's one edge, counted as an internal error, and the target is
// reported down with that error until a poll succeeds again.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "enumwatch/report/report.hpp"
#include "logging.hpp"
#include "poll/async_semaphore.hpp"
#include "poll/target_state.hpp"

namespace enumwatch {

class SnapshotRegistry;

// Where each finished poll goes next (metrics, alerts): see app/daemon.cpp.
class PollObserver {
 public:
  virtual ~PollObserver() = default;
  virtual void polled(const TargetConfig& target, std::span<const NamedSnapshot> snapshots,
                      const PollResult& result) = 0;
  virtual void removed(const std::string& target) = 0;
  // The target's LISTEN connection went up or down; change notifications arrived
  // (docs/instant-detection.md).
  virtual void listening(const std::string& target, bool up) = 0;
  virtual void notified(const std::string& target, std::size_t count) = 0;
  // Notifications that asked for a poll while one was already pending, folded into it.
  virtual void coalesced(const std::string& target, std::size_t count) = 0;
  // A read after the catalog's failed: dependents, column_stats, migration_revision.
  virtual void secondary_read_failed(const std::string& target, std::string_view read) = 0;
  // The interval the target polls at now: interval, or interval_listening while it listens.
  virtual void interval_changed(const std::string& target, std::chrono::milliseconds interval) = 0;
};

class Scheduler {
 public:
  using PollerFactory = std::function<std::unique_ptr<TargetPoller>()>;

  // Without make_poller, targets poll the databases through connections shared by database
  // (poll/shared_connection.hpp).
  Scheduler(boost::asio::any_io_executor executor, const SnapshotRegistry& snapshots,
            PollObserver& observer, InternalErrorCounter count_internal_error,
            PollerFactory make_poller = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Starts new targets, restarts changed ones, stops removed ones; unchanged targets keep their
  // connection, state and schedule.
  struct Changes {
    int added = 0, changed = 0, removed = 0, kept = 0;
  };
  Changes apply(const std::vector<TargetSetup>& targets, int max_concurrent_polls);

  // False if no such target.
  bool request_poll(const std::string& target);
  // A change notification's request: polls at once, unless the target's last notified poll started
  // less than kNotifiedPollGap ago (then when that gap has passed); requests that find one pending
  // are folded into it. So a flood of NOTIFY costs a few polls a second, and a real change inside
  // it is still seen within a second (docs/instant-detection.md, "Floods").
  void request_notified_poll(const std::string& target, std::size_t notifications);
  static constexpr std::chrono::milliseconds kNotifiedPollGap{500};
  // A notification about other schemas that may still touch the target's types
  // (NotificationConcern::elsewhere): a scheduled poll within this, in its database's shared
  // round trip (docs/instant-detection.md, "What fires").
  void request_shared_check(const std::string& target);
  static constexpr std::chrono::milliseconds kSharedCheckAfter{250};
  // How often a target's locks are looked at while a migration is in flight
  // (docs/migration-locks.md, "Holding drift").
  static constexpr std::chrono::milliseconds kLockCheck{1000};
  // Polls every target that uses the snapshot now.
  void request_polls_using(const std::string& snapshot);

  [[nodiscard]] std::vector<TargetReport> reports() const;
  // Each report in config order, without copying it: the systemd STATUS= line counts 10 000
  // reports every 5 s, and copies of them were most of an idle daemon's CPU.
  void for_each_report(const std::function<void(const TargetReport&)>& visit) const;
  [[nodiscard]] std::optional<TargetReport> report(const std::string& target) const;
  // Moves whenever a report may have changed (a poll recorded, targets applied): whatever encodes
  // the reports may reuse its work while it stands still.
  [[nodiscard]] std::uint64_t reports_generation() const { return generation_; }
  [[nodiscard]] bool every_target_polled() const;
  // Targets whose loop is overdue (stale): a poll ran past its deadline, or a sleep past its
  // wake-up, by more than a grace period. Empty while every target's loop is alive.
  [[nodiscard]] std::vector<std::string> overdue_targets(
      std::chrono::steady_clock::time_point now) const;
  [[nodiscard]] bool making_progress(std::chrono::steady_clock::time_point now) const {
    return overdue_targets(now).empty();
  }
  // LISTEN connections open or trying: one per database in use (docs/instant-detection.md).
  [[nodiscard]] std::size_t listeners() const { return listeners_.listeners(); }
  void stop();

 private:
  using Target = std::shared_ptr<TargetState>;
  boost::asio::awaitable<void> run(Target target, std::chrono::milliseconds first_delay);
  // One poll with its slot.
  boost::asio::awaitable<void> poll_once(const Target& target);
  // How long after the last poll ended the next one is due: backoff while failing, else
  // interval_listening while the target listens and interval while it does not.
  [[nodiscard]] static std::chrono::milliseconds next_wait(const TargetState& target);
  // When the next poll is due: next_wait after the last poll ended while failing; else the first
  // point of its database's grid (every next_wait, at the database's phase) at least half a
  // next_wait after it, so that the targets of a database come due together and read their
  // fingerprints in one round trip (docs/fleet.md, "One round trip per database").
  [[nodiscard]] static std::chrono::steady_clock::time_point next_due(const TargetState& target);
  void report_interval(TargetState& target);
  // A poll that threw instead of returning a result: the target is down with that error.
  void record_internal_failure(const Target& target, std::exception_ptr error);
  void record(const Target& target, std::span<const NamedSnapshot> snapshots, PollResult& result);
  // A look at the migration tools' locks (a poll's, or a check's between polls) moves the
  // target's hold; what changed is logged.
  MigrationHold::Change look_at_locks(TargetState& target, const std::vector<std::string>& held);
  // The poll's drift as the hold judges it: migrating where a migration is in flight. A poll that
  // found nothing new still re-judges the drift it kept, and counts as changed if that moved.
  void hold_drift(TargetState& target, PollResult& result);
  // While a migration is in flight: looks at its locks every kLockCheck, and returns when the
  // hold ended or went stuck (the target is polled at once) or the next poll is due.
  boost::asio::awaitable<void> watch_migration(const Target& target);
  // Sleeps until the next poll is due (next_wait after the last poll), re-reading the migration
  // revision meanwhile where the target has a migration table.
  boost::asio::awaitable<void> wait_for_next_poll(const Target& target);
  // Re-reads the migration revision while the target waits: whether it changed.
  boost::asio::awaitable<bool> revision_changed(const Target& target);
  // Before a poll that only notifications asked for: waits out the rest of kNotifiedPollGap.
  boost::asio::awaitable<void> wait_notified_gap(const Target& target);
  // Starts or stops the target's listener after a successful poll, by what it read and notify.
  void follow_ddl_trigger(const Target& target, const PollResult& result);
  void stop_listener(const Target& target);

  boost::asio::any_io_executor executor_;
  const SnapshotRegistry& snapshots_;
  PollObserver& observer_;
  InternalErrorCounter count_internal_error_;
  PollerFactory make_poller_;
  AsyncSemaphore slots_;
  SharedConnections connections_;   // before targets_: their pollers lease from it
  ListenerHub listeners_;           // before targets_: their subscriptions leave it
  std::vector<std::string> order_;  // config order, for reports
  std::map<std::string, Target> targets_;
  std::uint64_t generation_ = 0;
};

// The wait after `failures` consecutive failed polls.
[[nodiscard]] std::chrono::milliseconds backoff_delay(std::chrono::milliseconds interval,
                                                      int failures);

// The first point of a grid (every `period`, at `phase` into it) at least half a period after
// `last_poll_finished`: where the next poll of a healthy target falls, the same for every target
// of its database (docs/fleet.md, "One round trip per database").
[[nodiscard]] std::chrono::steady_clock::time_point grid_due(
    std::chrono::steady_clock::time_point last_poll_finished, std::chrono::milliseconds period,
    std::size_t phase);

}  // namespace enumwatch
