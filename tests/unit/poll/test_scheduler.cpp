#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <stdexcept>

#include "healthy_poll.hpp"
#include "ignore_polls.hpp"
#include "metrics/metrics.hpp"
#include "poll/scheduler.hpp"
#include "snapshots/registry.hpp"

using namespace enumwatch;
using namespace std::chrono_literals;

TEST_CASE("a failing target backs off exponentially from its interval") {
  CHECK(backoff_delay(1s, 1) == 1s);
  CHECK(backoff_delay(1s, 2) == 2s);
  CHECK(backoff_delay(1s, 3) == 4s);
  CHECK(backoff_delay(1s, 4) == 8s);
}

TEST_CASE("the targets of a database come due at one grid point, whatever each poll took") {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::time_point(std::chrono::hours(1000));
  const std::size_t phase = 123'456;
  // Two polls of one database that ended 40 ms apart, and one that ended 400 ms later.
  const auto a = grid_due(start + 10ms, 1s, phase);
  CHECK(a == grid_due(start + 50ms, 1s, phase));
  CHECK(a == grid_due(start + 410ms, 1s, phase));
  // At least half an interval after the poll, at most one and a half: every interval on average.
  for (auto ended = start; ended < start + 3s; ended += 37ms) {
    const auto due = grid_due(ended, 1s, phase);
    CHECK(due - ended >= 500ms);
    CHECK(due - ended <= 1500ms);
    CHECK((due.time_since_epoch() - 456ms) % 1s == Clock::duration::zero());  // on the grid
  }
  // Another database's phase: another grid.
  CHECK(grid_due(start + 10ms, 1s, phase + 250) != a);
}

TEST_CASE("backoff never exceeds ten intervals") {
  CHECK(backoff_delay(1s, 10) == 10s);
  CHECK(backoff_delay(1s, 100) == 10s);
}

TEST_CASE("backoff never exceeds five minutes") {
  CHECK(backoff_delay(1min, 4) == 5min);
  CHECK(backoff_delay(1min, 50) == 5min);
}

TEST_CASE("an interval longer than the cap is kept as it is") {
  CHECK(backoff_delay(10min, 5) == 10min);
}

namespace {

// Stands in for the database: each poll takes 20 ms; targets named "boom*" throw an exception
// of a type no poll is meant to throw (not an enumwatch::Error), the way a bug would.
class ScriptedPoller final : public TargetPoller {
 public:
  explicit ScriptedPoller(int& in_flight, int& most_in_flight)
      : in_flight_(in_flight), most_in_flight_(most_in_flight) {}

  boost::asio::awaitable<PollResult> poll(const TargetConfig& target,
                                          std::span<const NamedSnapshot>,
                                          const std::optional<std::string>&) override {
    ++in_flight_;
    most_in_flight_ = std::max(most_in_flight_, in_flight_);
    boost::asio::steady_timer busy(co_await boost::asio::this_coro::executor, 20ms);
    co_await busy.async_wait(boost::asio::use_awaitable);
    --in_flight_;
    if (target.name.starts_with("boom")) throw std::logic_error("a bug inside the poll");
    co_return testing::healthy_poll(target.name);
  }

 private:
  int& in_flight_;
  int& most_in_flight_;
};

// Counts polls and records them into the metrics, as the daemon does.
struct CountPolls final : testing::IgnorePolls {
  explicit CountPolls(Metrics* m = nullptr) : metrics(m) {}
  void polled(const TargetConfig& target, std::span<const NamedSnapshot> snapshots,
              const PollResult& result) override {
    if (metrics) metrics->record_poll(target, snapshots, result);
    ++polls[target.name];
    if (result.outcome != PollOutcome::ok) last_error[target.name] = *result.report.error;
  }
  Metrics* metrics;
  std::map<std::string, int> polls;
  std::map<std::string, std::string> last_error;
};

TargetSetup target_named(std::string name) {
  TargetSetup setup;
  setup.config.name = std::move(name);
  setup.config.options.interval = 50ms;
  setup.config.options.timeout = 1s;
  return setup;
}

}  // namespace

TEST_CASE(
    "an unexpected exception in a poll leaks no slot, is counted, and marks the target down") {
  boost::asio::io_context io;
  SnapshotRegistry registry{"/nonexistent", {}};
  Metrics metrics{false};
  CountPolls observer(&metrics);
  int in_flight = 0, most_in_flight = 0;
  constexpr int kSlots = 2;
  Scheduler scheduler{
      io.get_executor(), registry, observer,
      [&](const std::string& component) { metrics.count_internal_error(component); },
      [&] { return std::make_unique<ScriptedPoller>(in_flight, most_in_flight); }};

  // Both slots' worth of targets throw first; if a throwing poll kept its slot, the healthy
  // targets queued behind them would never be polled.
  std::vector<TargetSetup> targets{target_named("boom-1"), target_named("boom-2"),
                                   target_named("healthy-1"), target_named("healthy-2"),
                                   target_named("healthy-3")};
  scheduler.apply(targets, kSlots);
  io.run_for(1500ms);
  scheduler.stop();

  for (const char* healthy : {"healthy-1", "healthy-2", "healthy-3"}) {
    CAPTURE(healthy);
    CHECK(observer.polls[healthy] >= 3);  // N+1 targets on N slots all keep being polled
    CHECK(scheduler.report(healthy)->up);
  }
  CHECK(most_in_flight <= kSlots);
  CHECK(observer.polls["boom-1"] >= 2);  // the throwing target's loop is still alive
  auto boom = scheduler.report("boom-1");
  REQUIRE(boom);
  CHECK_FALSE(boom->up);
  CHECK(boom->error->find("a bug inside the poll") != std::string::npos);
  CHECK(observer.last_error["boom-2"].find("internal error") != std::string::npos);

  const std::string text = metrics.serialize();
  const std::string prefix = "enumwatch_internal_errors_total{component=\"scheduler\"} ";
  auto at = text.find(prefix);
  REQUIRE(at != std::string::npos);
  CHECK(std::stod(text.substr(at + prefix.size())) >= 4);
  CHECK(text.find("enumwatch_up{target=\"boom-1\"} 0") != std::string::npos);
  CHECK(text.find("enumwatch_up{target=\"healthy-1\"} 1") != std::string::npos);
  CHECK(text.find("enumwatch_polls_total{outcome=\"error\",target=\"boom-2\"}") !=
        std::string::npos);
}

TEST_CASE("the watchdog sees progress while a target keeps throwing") {
  boost::asio::io_context io;
  SnapshotRegistry registry{"/nonexistent", {}};
  CountPolls observer;
  int in_flight = 0, most_in_flight = 0;
  Scheduler scheduler{io.get_executor(), registry, observer, {}, [&] {
                        return std::make_unique<ScriptedPoller>(in_flight, most_in_flight);
                      }};
  scheduler.apply({target_named("boom")}, 1);
  io.run_for(300ms);
  // A loop that died mid-poll would leave its deadline behind; 11 s on, it would be overdue.
  CHECK(scheduler.making_progress(std::chrono::steady_clock::now()));
  CHECK(scheduler.making_progress(std::chrono::steady_clock::now() + 5s));
  scheduler.stop();
}

namespace {

// A poll that never ends, as a bug in a poller (or libpq) would make one.
class HangingPoller final : public TargetPoller {
 public:
  boost::asio::awaitable<PollResult> poll(const TargetConfig&, std::span<const NamedSnapshot>,
                                          const std::optional<std::string>&) override {
    boost::asio::steady_timer forever(co_await boost::asio::this_coro::executor, 1h);
    co_await forever.async_wait(boost::asio::use_awaitable);
    co_return PollResult{};
  }
};

}  // namespace

TEST_CASE("a poll that never ends makes its target stale, and only that target") {
  boost::asio::io_context io;
  SnapshotRegistry registry{"/nonexistent", {}};
  CountPolls observer;
  int in_flight = 0, most_in_flight = 0;
  Scheduler scheduler{
      io.get_executor(), registry, observer, {}, [&]() -> std::unique_ptr<TargetPoller> {
        static int made = 0;  // in config order: "fine", then "hangs"
        if (made++ == 1) return std::make_unique<HangingPoller>();
        return std::make_unique<ScriptedPoller>(in_flight, most_in_flight);
      }};
  TargetSetup fine = target_named("fine");
  fine.config.options.interval = 1h;  // polled once at once, then asleep well past the check
  scheduler.apply({fine, target_named("hangs")}, 4);
  io.run_for(300ms);
  const auto now = std::chrono::steady_clock::now();
  CHECK(scheduler.overdue_targets(now).empty());  // within timeout + grace: not yet
  const auto later = scheduler.overdue_targets(now + 15s);
  REQUIRE(later.size() == 1);
  CHECK(later[0] == "hangs");
  CHECK_FALSE(scheduler.making_progress(now + 15s));  // so the watchdog stops being fed
  CHECK(observer.polls["fine"] == 1);
  CHECK(observer.polls["hangs"] == 0);
  scheduler.stop();
}

namespace {

// A database in the middle of a deploy: `held` names the tools whose lock is held, for polls and
// for the checks between them; every poll finds one drifting value, "unchanged" after the first.
class MigratingPoller final : public TargetPoller {
 public:
  explicit MigratingPoller(std::vector<std::string>& held) : held_(held) {}

  boost::asio::awaitable<PollResult> poll(const TargetConfig& target,
                                          std::span<const NamedSnapshot>,
                                          const std::optional<std::string>&) override {
    PollResult result = testing::healthy_poll(target.name);
    result.migration_locks_held = held_;
    if (polls_++ == 0) {
      DriftItem item;
      item.snapshot = "app";
      item.schema = "public";
      item.enum_name = "order_status";
      item.kind = DriftKind::missing_value;
      item.expected = "refunded";
      result.report.drift.push_back(item);
    } else {
      result.unchanged = true;  // the fingerprint stood still: the drift is the first poll's
      result.database.reset();
    }
    co_return result;
  }
  boost::asio::awaitable<LockCheck> check_migration_locks(const TargetConfig&) override {
    ++checks;
    co_return LockCheck{LockCheck::Outcome::read, held_, {}};
  }
  int checks = 0;

 private:
  std::vector<std::string>& held_;
  int polls_ = 0;
};

// What observers were last shown of the drift (alerts and metrics look at changed polls only).
struct LastDrift final : testing::IgnorePolls {
  void polled(const TargetConfig&, std::span<const NamedSnapshot>,
              const PollResult& result) override {
    ++polls;
    if (!result.unchanged) {
      ++changed_polls;
      drift = result.report.drift;
    }
  }
  int polls = 0, changed_polls = 0;
  std::vector<DriftItem> drift;
};

// One target whose polls a MigratingPoller answers, at an interval of an hour: every poll after
// the first is one the hold asked for.
struct MigrationScenario {
  explicit MigrationScenario(std::vector<std::string> tools, Duration grace = 15min)
      : held(std::move(tools)) {
    TargetSetup setup = target_named("orders");
    setup.config.options.interval = 1h;
    setup.config.options.migration_grace = grace;
    scheduler.apply({setup}, 1);
  }
  ~MigrationScenario() { scheduler.stop(); }
  MigrationScenario(const MigrationScenario&) = delete;
  MigrationScenario& operator=(const MigrationScenario&) = delete;

  boost::asio::io_context io;
  SnapshotRegistry registry{"/nonexistent", {}};
  LastDrift observer;
  std::vector<std::string> held;
  Scheduler scheduler{io.get_executor(), registry, observer, {}, [this] {
                        return std::make_unique<MigratingPoller>(held);
                      }};
};

}  // namespace

TEST_CASE("drift found while a migration holds its lock is held, and judged once the lock goes") {
  MigrationScenario s({"sqitch"});
  s.io.run_for(300ms);
  auto report = s.scheduler.report("orders");
  REQUIRE(report->drift.size() == 1);
  CHECK(report->drift[0].migrating);
  REQUIRE(report->migration);
  CHECK(report->migration->tools == std::vector<std::string>{"sqitch"});
  CHECK(s.observer.polls == 1);
  REQUIRE(s.observer.drift.size() == 1);
  CHECK(s.observer.drift[0].migrating);  // what the alerts saw: held

  // The deploy ends: the release is seen by a check, the hold settles for a second, and the
  // target is polled at once, not an hour later.
  s.held.clear();
  s.io.run_for(2800ms);
  CHECK(s.observer.polls == 2);
  report = s.scheduler.report("orders");
  REQUIRE(report->drift.size() == 1);
  CHECK_FALSE(report->drift[0].migrating);
  CHECK_FALSE(report->migration);
  // The poll found the catalog unchanged, yet the drift it judged anew reached the observers.
  CHECK(s.observer.changed_polls == 2);
  REQUIRE(s.observer.drift.size() == 1);
  CHECK_FALSE(s.observer.drift[0].migrating);
}

TEST_CASE("a lock held past migration_grace: the drift is released and the page says stuck") {
  MigrationScenario s({"flyway"}, 1500ms);
  s.io.run_for(300ms);
  CHECK(s.scheduler.report("orders")->drift.at(0).migrating);
  s.io.run_for(2500ms);  // the check after the grace sees it stuck, and polls
  CHECK(s.observer.polls == 2);
  const auto report = s.scheduler.report("orders");
  CHECK_FALSE(report->drift.at(0).migrating);
  REQUIRE(report->migration);
  CHECK(report->migration->stuck);
  CHECK(report->migration->tools == std::vector<std::string>{"flyway"});
  REQUIRE(s.observer.drift.size() == 1);
  CHECK_FALSE(s.observer.drift[0].migrating);
}
