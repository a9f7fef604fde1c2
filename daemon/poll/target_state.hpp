// What the scheduler keeps per target between polls: its setup, its poller (and so its open
// connection), its last report, and where its loop stands.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "enumwatch/config/config.hpp"
#include "enumwatch/diff/migration_attribution.hpp"
#include "enumwatch/diff/migration_hold.hpp"
#include "enumwatch/report/report.hpp"
#include "poll/listener_hub.hpp"
#include "poll/target_poller.hpp"

namespace enumwatch {

struct TargetSetup {
  TargetConfig config;
  std::optional<std::string> password;

  bool operator==(const TargetSetup&) const = default;
};

struct TargetState {
  TargetState(boost::asio::any_io_executor ex, TargetSetup s, std::unique_ptr<TargetPoller> p)
      : setup(std::move(s)), poller(std::move(p)), wake(ex) {}

  TargetSetup setup;
  std::unique_ptr<TargetPoller> poller;
  TargetReport report;
  boost::asio::steady_timer wake;  // cancelled to end a wait early (poll requested, stop)
  bool polled_once = false;
  bool poll_requested = false;
  // Every pending request came from change notifications (none from the API, a snapshot, a
  // reconnected listener): the poll keeps Scheduler::kNotifiedPollGap after the last one.
  bool only_notified = false;
  // A change notification about other schemas that may still touch the target's types
  // (NotificationConcern::elsewhere): the next scheduled poll comes by then, in its database's
  // shared round trip, where a quiet fingerprint costs one short row.
  std::optional<std::chrono::steady_clock::time_point> check_by;
  // When the last poll a notification asked for started, alone (kNotifiedPollGap counts from
  // it) or as such a check (Scheduler::request_shared_check keeps the same pace).
  std::chrono::steady_clock::time_point last_notified_poll_started{};
  std::chrono::steady_clock::time_point last_shared_check_started{};
  // The next poll is due this long after the last one ended (Scheduler::next_wait), on the grid
  // of its database (Scheduler::next_due).
  std::chrono::steady_clock::time_point last_poll_finished{};
  // Where its database's grid of due times stands within an interval: the same for every target
  // that polls over the same connection (docs/fleet.md, "One round trip per database").
  std::size_t database_phase = 0;
  bool in_flight = false;  // a poll or revision check is talking to the database
  bool stopped = false;
  int failures = 0;
  std::optional<std::string> revision;  // as the last successful poll read it
  MigrationAttribution attribution;
  // Drift held back while a migration tool holds its lock (docs/migration-locks.md).
  MigrationHold hold;
  // Its place on the database's LISTEN connection (docs/instant-detection.md), while the database
  // has the event trigger and notify allows.
  std::unique_ptr<ListenerHub::Subscription> listener;
  // The interval last told to the observer (enumwatch_poll_interval_seconds).
  std::chrono::milliseconds reported_interval{0};
  // When the loop must next show progress (end a poll, wake up); nothing while queued for a slot.
  std::optional<std::chrono::steady_clock::time_point> due_by;
};

// Sets a flag for a scope and clears it on every way out, exceptions included.
class ScopedFlag {
 public:
  explicit ScopedFlag(bool& flag) : flag_(flag) { flag_ = true; }
  ~ScopedFlag() { flag_ = false; }
  ScopedFlag(const ScopedFlag&) = delete;
  ScopedFlag& operator=(const ScopedFlag&) = delete;

 private:
  bool& flag_;
};

}  // namespace enumwatch
