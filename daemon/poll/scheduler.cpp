#include "poll/scheduler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <set>
#include <utility>

#include "enumwatch/catalog/ddl_trigger.hpp"
#include "enumwatch/config/dsn.hpp"
#include "enumwatch/core/backoff.hpp"
#include "enumwatch/core/text.hpp"
#include "enumwatch/diff/migration_attribution.hpp"
#include "logging.hpp"
#include "snapshots/registry.hpp"

namespace enumwatch {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {
// How late a sleeping or polling target may be before the scheduler counts as wedged.
constexpr auto kOverdueGrace = std::chrono::seconds(10);
constexpr milliseconds kMaxFirstPollSpread = std::chrono::seconds(10);
}  // namespace

milliseconds backoff_delay(milliseconds interval, int failures) {
  return exponential_backoff(interval, failures,
                             std::min<milliseconds>(std::chrono::minutes(5), interval * 10));
}

namespace {

// Cancelled early when an immediate poll is requested, or on stop.
asio::awaitable<void> sleep_until(TargetState& t, Clock::time_point wake_at) {
  t.due_by = wake_at + kOverdueGrace;
  t.wake.expires_at(wake_at);
  boost::system::error_code ec;
  co_await t.wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> sleep(TargetState& t, milliseconds delay) {
  co_await sleep_until(t, Clock::now() + delay);
}

// A look at the database between polls (its migration revision, its migration locks): the target
// is in flight, due within its timeout; what the look throws unexpectedly is counted under
// `component`, and the look's default result stands.
template <typename Result, typename Look>
asio::awaitable<Result> look_between_polls(TargetState& t, const InternalErrorCounter& count,
                                           const std::string& component, Look look) {
  Result result;
  try {
    ScopedFlag in_flight(t.in_flight);
    t.due_by = Clock::now() + t.setup.config.options.timeout + kOverdueGrace;
    result = co_await look();
  } catch (...) {
    report_internal_error(count, component, std::current_exception());
  }
  t.due_by.reset();
  co_return result;
}

// The shared connection a target polls over (poll/shared_connection.hpp), by its key (the
// password in it is only ever hashed); a DSN that does not parse (the config was checked: it
// does) stands alone.
std::string database_of(const TargetSetup& setup) {
  try {
    ConnParams params = parse_dsn(setup.config.dsn);
    if (setup.password && !params.find("password")) params.set("password", *setup.password);
    return connection_key(params);
  } catch (const Error&) {
    return "target " + setup.config.name;
  }
}

}  // namespace

Scheduler::Scheduler(asio::any_io_executor executor, const SnapshotRegistry& snapshots,
                     PollObserver& observer, InternalErrorCounter count_internal_error,
                     PollerFactory make_poller)
    : executor_(executor),
      snapshots_(snapshots),
      observer_(observer),
      count_internal_error_(std::move(count_internal_error)),
      make_poller_(std::move(make_poller)),
      slots_(executor, 1),
      connections_(executor),
      listeners_(executor, count_internal_error_) {
  if (!make_poller_) make_poller_ = [this] { return std::make_unique<TargetPoller>(connections_); };
}

Scheduler::~Scheduler() {
  stop();
}

Scheduler::Changes Scheduler::apply(const std::vector<TargetSetup>& setups,
                                    int max_concurrent_polls) {
  slots_.set_capacity(max_concurrent_polls);
  ++generation_;
  Changes changes;
  std::map<std::string, Target> next;
  std::vector<std::pair<Target, milliseconds>> to_start;
  // The targets of one database start together, so that their fingerprints share round trips
  // from the first; the databases are spread over the interval.
  std::map<std::string, std::size_t> database_place;
  std::vector<std::string> database_keys;
  std::vector<std::size_t> place_of;
  for (const auto& setup : setups) {
    database_keys.push_back(database_of(setup));
    place_of.push_back(
        database_place.try_emplace(database_keys.back(), database_place.size()).first->second);
  }
  order_.clear();
  for (std::size_t i = 0; i < setups.size(); ++i) {
    const auto& setup = setups[i];
    order_.push_back(setup.config.name);
    auto existing = targets_.find(setup.config.name);
    if (existing != targets_.end() && existing->second->setup == setup) {
      next.emplace(setup.config.name, existing->second);
      targets_.erase(existing);
      ++changes.kept;
      continue;
    }
    if (existing != targets_.end()) {
      existing->second->stopped = true;
      existing->second->wake.cancel();
      stop_listener(existing->second);
      targets_.erase(existing);
      ++changes.changed;
    } else {
      ++changes.added;
    }
    auto target = std::make_shared<TargetState>(executor_, setup, make_poller_());
    target->report.name = setup.config.name;
    target->database_phase = std::hash<std::string>{}(database_keys[i]);
    next.emplace(setup.config.name, target);
    // Spread first polls evenly so that N databases do not poll at once, but over no more than
    // kMaxFirstPollSpread: with a long interval the daemon must still be ready within seconds.
    const milliseconds spread =
        std::min<milliseconds>(setup.config.options.interval, kMaxFirstPollSpread);
    to_start.emplace_back(target,
                          spread * static_cast<long>(place_of[i]) /
                              static_cast<long>(std::max<std::size_t>(database_place.size(), 1)));
  }
  for (auto& [name, target] : targets_) {  // what is left was removed
    target->stopped = true;
    target->wake.cancel();
    stop_listener(target);
    ++changes.removed;
    observer_.removed(name);
  }
  targets_ = std::move(next);
  for (auto& [target, delay] : to_start) {
    asio::co_spawn(executor_, run(target, delay),
                   report_escape(count_internal_error_, "scheduler"));
  }
  return changes;
}

// The target's whole life. Nothing a poll or a revision check throws ends it.
asio::awaitable<void> Scheduler::run(Target t, milliseconds first_delay) {
  co_await sleep(*t, first_delay);
  while (!t->stopped) {
    std::exception_ptr failure;
    try {
      co_await wait_notified_gap(t);
      if (t->stopped) break;
      co_await poll_once(t);
    } catch (...) {
      failure = std::current_exception();
    }
    if (failure) {
      report_internal_error(count_internal_error_, "scheduler", failure);
      record_internal_failure(t, failure);
    }
    if (t->stopped) break;
    if (t->poll_requested) continue;
    co_await wait_for_next_poll(t);
  }
  t->due_by.reset();
  stop_listener(t);
  t->poller->disconnect();
}

asio::awaitable<void> Scheduler::poll_once(const Target& t) {
  const auto& options = t->setup.config.options;
  t->due_by.reset();  // queued for a slot: not overdue however long others take
  if (t->listener) {
    if (auto probe = t->listener->pending_probe()) t->poller->send_probe(std::move(*probe));
  }
  // A poll that begins in its database's shared round trip takes no slot: it is one short row in
  // a round trip with the database's other due targets, and if it must go on alone, its
  // database's session still serves one target at a time (docs/fleet.md, "One round trip per
  // database"). A poll asked for (a notification, the API, a snapshot) goes alone from the start:
  // something changed, and its fingerprint would only send it on alone a round trip later.
  const bool scheduled = !t->poll_requested;
  std::optional<AsyncSemaphore::Permit> permit;
  if (!(scheduled && t->poller->plan_shared_round_trip())) {
    // Before the wait: a full read of the database's that runs sooner reads this target's too.
    t->poller->announce_full_read(t->setup.config, t->setup.password);
    // A poll over its database's open session connects nothing and waits for its turn there: a
    // slot held meanwhile would keep another database's poll waiting for nothing.
    if (!t->poller->over_open_session()) permit = co_await slots_.acquire();
  }
  if (t->stopped) co_return;
  const std::vector<NamedSnapshot> snapshots = snapshots_.snapshots_for(t->setup.config);
  PollResult result;
  {
    ScopedFlag in_flight(t->in_flight);
    t->poll_requested = false;
    // Only notified polls keep their gap from one another: a flood's pace. A scheduled poll
    // (another tenant's change looked at in the shared round trip, say) delays none.
    if (std::exchange(t->only_notified, false)) t->last_notified_poll_started = Clock::now();
    // Whatever the poll, it reads after the notification.
    if (std::exchange(t->check_by, std::nullopt)) t->last_shared_check_started = Clock::now();
    t->due_by = Clock::now() + options.timeout + kOverdueGrace;
    result = co_await t->poller->poll(t->setup.config, snapshots, t->setup.password);
  }
  permit.reset();
  if (t->stopped) co_return;
  record(t, snapshots, result);
  follow_ddl_trigger(t, result);
  report_interval(*t);
}

Clock::time_point grid_due(Clock::time_point last_poll_finished, milliseconds period,
                           std::size_t phase) {
  if (period <= milliseconds(0)) return last_poll_finished;
  const Clock::duration step = period;
  const Clock::duration offset =
      milliseconds(static_cast<long long>(phase % static_cast<std::size_t>(period.count())));
  const auto since = (last_poll_finished + step / 2).time_since_epoch() - offset;
  if (since <= Clock::duration::zero()) return Clock::time_point(offset);
  return Clock::time_point(offset + (since + step - Clock::duration(1)) / step * step);
}

Clock::time_point Scheduler::next_due(const TargetState& t) {
  const milliseconds wait = next_wait(t);
  if (t.failures > 0) return t.last_poll_finished + wait;
  return grid_due(t.last_poll_finished, wait, t.database_phase);
}

milliseconds Scheduler::next_wait(const TargetState& t) {
  const auto& options = t.setup.config.options;
  if (t.failures > 0) return backoff_delay(options.interval, t.failures);
  // Never slower than interval: a target that polls rarely anyway keeps its own pace.
  if (t.listener && t.listener->listening())
    return std::max<milliseconds>(options.interval, options.interval_listening);
  return options.interval;
}

void Scheduler::report_interval(TargetState& t) {
  if (t.failures > 0) return;  // backoff is not the interval: the gauge keeps the healthy pace
  const milliseconds interval = next_wait(t);
  if (interval == t.reported_interval) return;
  t.reported_interval = interval;
  observer_.interval_changed(t.setup.config.name, interval);
}

void Scheduler::record(const Target& t, std::span<const NamedSnapshot> snapshots,
                       PollResult& result) {
  ++generation_;
  const bool ok = result.outcome == PollOutcome::ok;
  if (ok && t->failures > 0)
    spdlog::info("target {}: back up after {} failed polls", t->setup.config.name, t->failures);
  if (!ok && (t->failures == 0 || t->report.error != result.report.error)) {
    spdlog::warn("target {}: poll {}: {}", t->setup.config.name, to_string(result.outcome),
                 escape_control(result.report.error.value_or("unknown error")));
  }
  t->failures = ok ? 0 : t->failures + 1;
  t->last_poll_finished = Clock::now();
  if (ok && result.unchanged) {
    // The same catalog and snapshots as the last recorded success: its drift stands.
    t->attribution.unchanged_poll();
    t->report.up = true;
    t->report.error.reset();
    t->report.polled_at = result.report.polled_at;
    t->report.changes = std::move(result.report.changes);
    hold_drift(*t, result);
  } else if (ok) {
    t->revision = result.report.migration_revision;
    t->attribution.annotate(result.report.drift, t->revision);
    hold_drift(*t, result);
    t->report = result.report;
  } else {
    // A failed poll is not a resolution: keep the last known drift, mark the target down.
    t->report.up = false;
    t->report.error = result.report.error;
    t->report.polled_at = result.report.polled_at;
  }
  t->polled_once = true;
  for (const auto& failure : result.secondary_failures)
    observer_.secondary_read_failed(t->setup.config.name, failure.read);
  observer_.polled(t->setup.config, snapshots, result);
}

MigrationHold::Change Scheduler::look_at_locks(TargetState& t,
                                               const std::vector<std::string>& held) {
  const TargetConfig& config = t.setup.config;
  const auto since = t.hold.since();
  const auto change =
      t.hold.look(held, std::chrono::system_clock::now(), config.options.migration_grace);
  std::string tools;
  for (const auto& tool : held) tools += (tools.empty() ? "" : ", ") + tool;
  switch (change) {
    case MigrationHold::Change::began:
      spdlog::info(
          "target {}: a migration is in flight ({} holds its lock): new drift is held until it "
          "ends, for at most migration_grace ({})",
          config.name, tools, format_duration(config.options.migration_grace));
      break;
    case MigrationHold::Change::ended:
      spdlog::info("target {}: the migration ended (its lock was released): judging the drift now",
                   config.name);
      break;
    case MigrationHold::Change::stuck:
      spdlog::warn(
          "target {}: {} has held its migration lock for longer than migration_grace ({}) since "
          "{}: the migration seems stuck, and its drift alerts now",
          config.name, tools, format_duration(config.options.migration_grace),
          since ? format_timestamp(*since) : std::string("?"));
      break;
    case MigrationHold::Change::released:
    case MigrationHold::Change::none:
      break;
  }
  return change;
}

void Scheduler::hold_drift(TargetState& t, PollResult& result) {
  if (result.migration_locks_held) (void)look_at_locks(t, *result.migration_locks_held);
  if (result.unchanged && t.hold.judgement_changed()) {
    // The same drift as the last poll's, judged again only when the hold's judgement moved (the
    // migration ended, or went stuck), so a quiet poll copies nothing. Whoever observes polls
    // (metrics, alerts) sees a flag that moved as a changed poll's, without a new catalog.
    std::vector<DriftItem> drift = t.report.drift;
    t.hold.annotate(drift);
    if (drift != t.report.drift) {
      t.report.drift = drift;
      result.report.drift = std::move(drift);
      result.unchanged = false;
    }
  } else if (!result.unchanged) {
    t.hold.annotate(result.report.drift);
  }
  std::optional<MigrationInProgress> migration;
  if (t.hold.active()) {
    migration = MigrationInProgress{t.hold.tools(), *t.hold.since(), t.hold.stuck()};
  }
  t.report.migration = migration;
  result.report.migration = std::move(migration);
}

void Scheduler::follow_ddl_trigger(const Target& t, const PollResult& result) {
  ++generation_;  // it may set the report's error
  if (result.outcome != PollOutcome::ok) return;
  const TargetConfig& config = t->setup.config;
  const bool installed = result.ddl_trigger_installed;
  if (config.options.notify == NotifyMode::off) return;
  if (!installed) {
    if (t->listener) {
      spdlog::info("target {}: the event trigger is gone; polling every {} only", config.name,
                   format_duration(config.options.interval));
      stop_listener(t);
    }
    if (config.options.notify == NotifyMode::on) {
      t->report.error =
          "notify = \"on\", but the database has no enabled event trigger enumwatch_ddl_notify "
          "(or is a standby, where none fires): run enumwatch install-trigger as a superuser on "
          "the primary (or set notify = \"auto\"); changes are seen at the next poll meanwhile";
    }
    return;
  }
  if (t->listener) return;
  ConnParams params;
  try {
    params = parse_dsn(config.options.notify_dsn.empty() ? config.dsn : config.options.notify_dsn);
  } catch (...) {
    // The config was checked when it was loaded: this is a bug, not the poll's failure.
    report_internal_error(count_internal_error_, "listener", std::current_exception());
    return;
  }
  if (t->setup.password && !params.find("password")) params.set("password", *t->setup.password);
  const std::string name = config.name;
  std::weak_ptr<TargetState> weak = t;
  ListenerHub::Subscriber events;
  events.listening = [this, weak, name](bool up) {
    observer_.listening(name, up);
    auto target = weak.lock();
    if (!target || target->stopped) return;
    // Down: back to interval at once, not after the rest of interval_listening. The loop
    // recomputes when it wakes (wait_for_next_poll).
    if (!up && !target->in_flight) target->wake.cancel();
    report_interval(*target);
  };
  events.subscribed = [this, weak, name] {
    // A notification may have been missed while nobody listened: poll in full now.
    if (auto target = weak.lock(); target && !target->stopped) {
      target->poller->require_full_read();
      request_poll(name);
    }
  };
  events.changed = [this, weak, name](const std::vector<Notification>& batch) {
    observer_.notified(name, batch.size());
    auto target = weak.lock();
    if (!target || target->stopped) return;
    const Scope& scope = target->setup.config.options.scope;
    const TargetPoller& poller = *target->poller;
    // A flood repeats itself: each distinct payload is looked at once.
    std::set<std::string_view> seen;
    auto concern = NotificationConcern::none;
    for (const auto& n : batch) {
      if (!seen.insert(n.payload).second) continue;
      concern =
          std::max(concern, notification_concern(n.payload, scope, [&](std::string_view type) {
                     return poller.saw_enum_named(type);
                   }));
      if (concern == NotificationConcern::concerns) break;
    }
    if (concern == NotificationConcern::concerns) {
      request_notified_poll(name, batch.size());
    } else if (concern == NotificationConcern::elsewhere) {
      request_shared_check(name);
    } else {
      spdlog::debug("target {}: {} notification(s) about types of other schemas; no poll", name,
                    batch.size());
    }
  };
  t->listener = listeners_.subscribe(name, params, config.options.timeout, std::move(events));
}

void Scheduler::stop_listener(const Target& t) {
  if (!t->listener) return;
  t->listener.reset();  // leaves the database's listener, which tells it nothing more
  observer_.listening(t->setup.config.name, false);
}

void Scheduler::record_internal_failure(const Target& t, std::exception_ptr error) {
  t->due_by.reset();
  try {
    PollResult result;
    result.outcome = PollOutcome::error;
    result.report.name = t->setup.config.name;
    result.report.error = "internal error during the poll: " + describe_exception(error) +
                          " (counted in enumwatch_internal_errors_total; the target is polled "
                          "again with backoff)";
    result.report.polled_at = std::chrono::system_clock::now();
    record(t, snapshots_.snapshots_for(t->setup.config), result);
  } catch (...) {
    report_internal_error(count_internal_error_, "scheduler", std::current_exception());
  }
}

// A target with a migration table has its revision re-read every revision_check_interval while it
// waits, and a new revision ends the wait: drift that a migration brings is seen seconds after it,
// not an interval later. A check that fails in a way nobody expected is counted and the watch goes
// on: the next poll reports the database's state. The due time is recomputed after every wake-up,
// so a listener that goes down shortens the wait to interval at once.
asio::awaitable<void> Scheduler::wait_for_next_poll(const Target& t) {
  const auto& config = t->setup.config;
  const milliseconds check = config.options.revision_check_interval;
  while (!t->stopped && !t->poll_requested) {
    const auto due = t->check_by ? std::min(next_due(*t), *t->check_by) : next_due(*t);
    const auto left = std::chrono::ceil<milliseconds>(due - Clock::now());
    if (left <= milliseconds(0)) co_return;
    if (t->hold.active() && !t->hold.stuck() && t->failures == 0) {
      co_await watch_migration(t);
      co_return;
    }
    const bool watch = !config.options.migration_table.empty() && check.count() > 0 &&
                       t->failures == 0 && check < left;
    if (!watch) {
      co_await sleep_until(*t, due);
      continue;
    }
    co_await sleep(*t, check);
    if (t->stopped || t->poll_requested) co_return;
    if (co_await revision_changed(t)) co_return;
  }
}

// Its own coroutine: a waiting target's frame, 10 000 of them at fleet size, does not hold what a
// check holds.
asio::awaitable<bool> Scheduler::revision_changed(const Target& t) {
  const auto& config = t->setup.config;
  const RevisionCheck checked =
      co_await look_between_polls<RevisionCheck>(*t, count_internal_error_, "revision_watch",
                                                 [&] { return t->poller->check_revision(config); });
  if (checked.outcome == RevisionCheck::Outcome::failed) {
    spdlog::warn("target {}: re-reading the migration revision failed: {}", config.name,
                 escape_control(checked.error));
    observer_.secondary_read_failed(config.name, "migration_revision");
  }
  if (checked.outcome == RevisionCheck::Outcome::read && checked.revision != t->revision) {
    spdlog::info("target {}: migration revision changed from {} to {}; polling now", config.name,
                 escape_control(t->revision.value_or("(none)")),
                 escape_control(checked.revision.value_or("(none)")));
    co_return true;
  }
  co_return false;
}

asio::awaitable<void> Scheduler::watch_migration(const Target& t) {
  const auto& config = t->setup.config;
  bool failing = false;  // a look that keeps failing is logged once per wait, counted every time
  while (!t->stopped && !t->poll_requested) {
    const auto left = std::chrono::duration_cast<milliseconds>(t->last_poll_finished +
                                                               next_wait(*t) - Clock::now());
    if (left <= milliseconds(0)) co_return;
    co_await sleep(*t, std::min(left, kLockCheck));
    if (t->stopped || t->poll_requested) co_return;
    LockCheck checked = co_await look_between_polls<LockCheck>(
        *t, count_internal_error_, "migration_watch",
        [&] { return t->poller->check_migration_locks(config); });
    if (t->stopped) co_return;
    if (checked.outcome == LockCheck::Outcome::failed) {
      if (!std::exchange(failing, true)) {
        spdlog::warn("target {}: looking at the migration tools' locks failed: {}", config.name,
                     escape_control(checked.error));
      }
      observer_.secondary_read_failed(config.name, "migration_lock");
      continue;
    }
    failing = false;
    // No connection: the next poll, at its time, reconnects and looks.
    if (checked.outcome == LockCheck::Outcome::no_connection) {
      co_await sleep(*t, std::chrono::duration_cast<milliseconds>(t->last_poll_finished +
                                                                  next_wait(*t) - Clock::now()));
      co_return;
    }
    const auto change = look_at_locks(*t, checked.held_by);
    if (change == MigrationHold::Change::ended || change == MigrationHold::Change::stuck ||
        !t->hold.active())
      co_return;  // poll now: the end state is judged, or the stuck migration's drift alerts
  }
}

bool Scheduler::request_poll(const std::string& name) {
  auto it = targets_.find(name);
  if (it == targets_.end()) return false;
  it->second->poll_requested = true;
  it->second->only_notified = false;
  if (!it->second->in_flight) it->second->wake.cancel();
  return true;
}

void Scheduler::request_notified_poll(const std::string& name, std::size_t notifications) {
  auto it = targets_.find(name);
  if (it == targets_.end()) return;
  TargetState& t = *it->second;
  if (t.poll_requested) {
    // One is pending already (in flight or waiting out its gap): it will see this change too,
    // since it starts after the notification arrived.
    observer_.coalesced(name, notifications);
    return;
  }
  t.poll_requested = true;
  t.only_notified = true;
  if (!t.in_flight) t.wake.cancel();
}

void Scheduler::request_shared_check(const std::string& name) {
  auto it = targets_.find(name);
  if (it == targets_.end()) return;
  TargetState& t = *it->second;
  // After the polls of the targets the change concerns have begun, which go alone and first: a
  // type that left this target's schemas is rare, another tenant's change is not. And at the
  // pace of notified polls: a flood of such payloads (any role may send them) costs a target at
  // most two looks a second, each one short row in its database's shared round trip.
  const auto by =
      std::max(Clock::now() + kSharedCheckAfter, t.last_shared_check_started + kNotifiedPollGap);
  if (t.check_by && *t.check_by <= by) return;
  t.check_by = by;
  if (!t.in_flight && !t.poll_requested) t.wake.cancel();
}

asio::awaitable<void> Scheduler::wait_notified_gap(const Target& t) {
  // A request from elsewhere (request_poll) clears only_notified and cancels the wait.
  while (!t->stopped && t->poll_requested && t->only_notified) {
    const auto ready = t->last_notified_poll_started + kNotifiedPollGap;
    const auto now = Clock::now();
    if (now >= ready) co_return;
    co_await sleep(*t, std::chrono::duration_cast<milliseconds>(ready - now) + milliseconds(1));
  }
}

void Scheduler::request_polls_using(const std::string& snapshot) {
  for (auto& [name, target] : targets_) {
    const auto& list = target->setup.config.snapshots;
    if (std::find(list.begin(), list.end(), snapshot) != list.end()) request_poll(name);
  }
}

std::vector<TargetReport> Scheduler::reports() const {
  std::vector<TargetReport> out;
  out.reserve(order_.size());
  for_each_report([&](const TargetReport& report) { out.push_back(report); });
  return out;
}

void Scheduler::for_each_report(const std::function<void(const TargetReport&)>& visit) const {
  for (const auto& name : order_) {
    auto it = targets_.find(name);
    if (it != targets_.end()) visit(it->second->report);
  }
}

std::optional<TargetReport> Scheduler::report(const std::string& name) const {
  auto it = targets_.find(name);
  if (it == targets_.end()) return std::nullopt;
  return it->second->report;
}

bool Scheduler::every_target_polled() const {
  return std::all_of(targets_.begin(), targets_.end(),
                     [](const auto& t) { return t.second->polled_once; });
}

std::vector<std::string> Scheduler::overdue_targets(Clock::time_point now) const {
  std::vector<std::string> out;
  for (const auto& [name, t] : targets_) {
    if (t->due_by && now > *t->due_by) out.push_back(name);
  }
  return out;
}

void Scheduler::stop() {
  for (auto& [name, target] : targets_) {
    target->stopped = true;
    target->wake.cancel();
    stop_listener(target);
  }
  listeners_.stop();
}

}  // namespace enumwatch
