// Polls every target on its own schedule: first polls spread across the interval (10 s at most),
// at most max_concurrent_polls in flight, exponential backoff for failing targets (capped at 5
// minutes and at 10x the interval), immediate polls on request (coalescing with one in flight).
// One coroutine per target on the shared io_context; connections stay open between polls.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "enumwatch/config.hpp"
#include "enumwatch/report.hpp"
#include "poll/async_semaphore.hpp"
#include "poll/target_poller.hpp"

namespace enumwatch {

class SnapshotRegistry;

struct TargetSetup {
  TargetConfig config;
  std::optional<std::string> password;

  bool operator==(const TargetSetup&) const = default;
};

class Scheduler {
 public:
  using PollObserver =
      std::function<void(const TargetConfig&, std::span<const NamedSnapshot>, const PollResult&)>;
  using RemovalObserver = std::function<void(const std::string& target)>;

  Scheduler(boost::asio::any_io_executor executor, const SnapshotRegistry& snapshots,
            PollObserver on_poll, RemovalObserver on_removed);
  ~Scheduler();

  // Starts new targets, restarts changed ones, stops removed ones; unchanged targets keep their
  // connection, state and schedule.
  struct Changes {
    int added = 0, changed = 0, removed = 0, kept = 0;
  };
  Changes apply(const std::vector<TargetSetup>& targets, int max_concurrent_polls);

  // False if no such target.
  bool request_poll(const std::string& target);
  // Polls every target that uses the snapshot now.
  void request_polls_using(const std::string& snapshot);

  [[nodiscard]] std::vector<TargetReport> reports() const;
  [[nodiscard]] std::optional<TargetReport> report(const std::string& target) const;
  [[nodiscard]] bool every_target_polled() const;
  // False when some target is overdue: a poll ran past its deadline or a sleep past its wake-up.
  [[nodiscard]] bool making_progress(std::chrono::steady_clock::time_point now) const;
  void stop();

  struct Target;

 private:
  boost::asio::awaitable<void> run(std::shared_ptr<Target> target,
                                   std::chrono::milliseconds first_delay);

  boost::asio::any_io_executor executor_;
  const SnapshotRegistry& snapshots_;
  PollObserver on_poll_;
  RemovalObserver on_removed_;
  AsyncSemaphore slots_;
  std::vector<std::string> order_;  // config order, for reports
  std::map<std::string, std::shared_ptr<Target>> targets_;
};

// The wait after `failures` consecutive failed polls.
[[nodiscard]] std::chrono::milliseconds backoff_delay(std::chrono::milliseconds interval,
                                                      int failures);

}  // namespace enumwatch
