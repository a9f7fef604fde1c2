#include "poll/target_poller.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "enumwatch/catalog/ddl_log.hpp"
#include "enumwatch/catalog/ddl_trigger.hpp"
#include "enumwatch/core/error.hpp"
#include "enumwatch/core/text.hpp"
#include "enumwatch/sql/remediation.hpp"
#include "pg/catalog_reader.hpp"
#include "pg/drift_reader.hpp"
#include "pg/read_pipeline.hpp"

namespace enumwatch {

std::string_view to_string(PollOutcome outcome) {
  switch (outcome) {
    case PollOutcome::ok:
      return "ok";
    case PollOutcome::error:
      return "error";
    case PollOutcome::timeout:
      return "timeout";
  }
  return "error";
}

namespace {

bool same_versions(const std::vector<std::shared_ptr<const Snapshot>>& kept,
                   std::span<const NamedSnapshot> now) {
  return std::equal(kept.begin(), kept.end(), now.begin(), now.end(),
                    [](const auto& a, const NamedSnapshot& b) { return a == b.snapshot; });
}

}  // namespace

DiffOptions diff_options_for(const TargetOptions& options) {
  DiffOptions out;
  out.check_order = options.check_order;
  out.report_unexpected = options.report_unexpected;
  out.naming = options.naming;
  out.scope = options.scope;
  out.checks = options.checks;
  out.max_recipe_bytes = kMaxServedRemediationBytes;  // docs/remediation.md, "Large recipes"
  return out;
}

boost::asio::awaitable<PollResult> TargetPoller::poll(const TargetConfig& target,
                                                      std::span<const NamedSnapshot> snapshots,
                                                      const std::optional<std::string>& password) {
  const auto started = std::chrono::steady_clock::now();
  const Deadline deadline = started + target.options.timeout;
  PollResult result;
  result.report.name = target.name;
  for (const auto& s : snapshots) {
    if (!s.snapshot) result.report.unregistered_snapshots.push_back(s.name);
  }
  // Every step of this poll holds the connection it started with, and the turn on it: a step that
  // breaks it leaves the next use to connect again, and the later steps fail fast.
  std::shared_ptr<PgConnection> connection;
  std::optional<SharedConnection::Turn> turn;
  try {
    take_lease(target, password);
    // A quiet poll over an open session: the fingerprint alone, in the round trip of every target
    // of the database due now (docs/fleet.md, "One round trip per database").
    const bool shared_round_trip = std::exchange(shared_round_trip_planned_, false);
    auto shared = SharedFingerprint::not_read;
    if (shared_round_trip && can_share_round_trip()) {
      plan_changelog_look(target);
      if (target.options.watch_migration_locks && lock_target_)
        lock_look_ = std::make_unique<MigrationLockLook>(migration_locks_read(*lock_target_));
      shared = co_await fingerprint_in_shared_round_trip(deadline, result);
    }
    const bool diff_stands = shared == SharedFingerprint::same && last_diff_ &&
                             last_diff_->fingerprint == last_read_->fingerprint &&
                             same_versions(last_diff_->snapshots, snapshots);
    if (diff_stands) {
      result.unchanged = true;  // as below: the last diff stands, recipes included
    } else {
      // Asked again here for a poll whose shared round trip failed (the session broke): every
      // target of it is then on this path at once.
      announce_full_read(target, password);
      turn.emplace(co_await lease_->take_turn(deadline));
      connection = co_await turn->connect(deadline);
      if (turn->session() != session_seen_) {
        session_seen_ = turn->session();
        // A new session reads in full (its search_path may differ): a read another target made
        // over it for this poll is one.
        if (!read_found_for_this_session()) require_full_read();
        shared = SharedFingerprint::not_read;
      }
      if (probe_) co_await send_probe_now(*connection, target.name, deadline);
      if (target.options.watch_migration_locks)
        co_await prepare_lock_look(*connection, target, deadline);
      // Only the rows after the newest one kept, in the poll's own round trip, while the database
      // has the trigger (docs/who-changed-it.md, "Changelog").
      if (shared == SharedFingerprint::not_read) plan_changelog_look(target);
      const bool read_in_full = shared == SharedFingerprint::same
                                    ? false
                                    : co_await refresh(*connection, target, deadline, result,
                                                       shared == SharedFingerprint::moved);
      const DatabaseState& last = *last_read_;
      if (!read_in_full && last_diff_ && last_diff_->fingerprint == last.fingerprint &&
          same_versions(last_diff_->snapshots, snapshots)) {
        // Nothing changed on either side since the last diff: its result stands, recipes included
        // (their dependents are read again with the next full read), and nobody needs a copy.
        result.unchanged = true;
      } else {
        co_await diff_last_read(*connection, target, snapshots, deadline, result);
      }
    }
    take_lock_look(target, result);
    if (changelog_look_ && (changelog_look_->found || !changelog_look_->error.empty()))
      changelog_failed_ = !changelog_look_->found;
    if (changelog_look_ && changelog_look_->found) {
      merge_changelog(changelog_, std::move(*changelog_look_->found));
    } else if (changelog_look_ && !changelog_look_->error.empty()) {
      // Not the poll's failure: a log the role may not read is told by the changed_by read, once.
      spdlog::debug("target {}: reading the changelog failed: {}", target.name,
                    escape_control(changelog_look_->error));
    } else if (result.ddl_trigger_installed && !trigger_seen_ && connection) {
      // The trigger is new to this poller; a shared poll leaves this to the next poll.
      co_await read_changelog(*connection, target, deadline);
    }
    trigger_seen_ = result.ddl_trigger_installed;
    result.report.changes = changelog_;
    result.report.migration_revision = last_read_->migration_revision;
    result.report.up = true;
    result.outcome = PollOutcome::ok;
  } catch (const PgError& e) {
    result.outcome = e.kind() == PgError::Kind::timeout ? PollOutcome::timeout : PollOutcome::error;
    result.report.error = e.what();
  } catch (const Error& e) {
    result.outcome = PollOutcome::error;
    result.report.error = e.what();
  }
  full_read_ask_.reset();  // for this poll only: the next one asks again
  lock_look_.reset();
  changelog_look_.reset();
  result.report.polled_at = std::chrono::system_clock::now();
  result.took = std::chrono::steady_clock::now() - started;
  co_return result;
}

void TargetPoller::take_lease(const TargetConfig& target,
                              const std::optional<std::string>& password) {
  if (lease_) return;
  if (!connections_) throw Error("internal: a target poller without a connection to poll over");
  ConnParams params = parse_dsn(target.dsn);
  if (password && !params.find("password")) params.set("password", *password);
  lease_ = connections_->lease(params);
}

bool TargetPoller::read_found_for_this_session() const {
  return full_read_ask_ && full_read_ask_->found && full_read_ask_->found->session == session_seen_;
}

bool TargetPoller::full_read_due() const {
  return !last_read_ || full_reads_done_ != full_reads_asked_ ||
         fingerprint_polls_ >= kFullReadEvery;
}

void TargetPoller::announce_full_read(const TargetConfig& target,
                                      const std::optional<std::string>& password) {
  if (!connections_ || full_read_ask_) return;
  try {
    take_lease(target, password);
  } catch (const Error&) {
    return;  // the poll says what is wrong with the DSN
  }
  // A poll over a session other than the last one reads in full too: after the database's
  // session broke, every target of it.
  if (!full_read_due() && over_open_session()) return;
  full_read_ask_ = std::make_shared<FullReadAsked>(
      FullReadAsked{target.options.scope, target.options.checks, nullptr});
  full_read_ask_covers_ = full_reads_asked_;
  lease_->ask_full_read(full_read_ask_);
}

boost::asio::awaitable<void> TargetPoller::read_in_full(PgConnection& connection,
                                                        const TargetConfig& target,
                                                        Deadline deadline) {
  const bool found = read_found_for_this_session();
  const auto ask = std::exchange(full_read_ask_, nullptr);
  if (found) {
    spdlog::debug("target {}: a full read from another target's", target.name);
    const unsigned covered = full_read_ask_covers_;
    last_read_ =
        co_await read_database_from(connection, target.options, *ask->found, deadline, riding());
    full_reads_done_ = covered;
    co_return;
  }
  const unsigned asked = full_reads_asked_;
  AlsoReadFor also{lease_->take_full_reads_asked(), session_seen_};  // poll() took the lease
  std::erase(also.asked, ask);  // this poll's own ask is this read
  spdlog::debug("target {}: a full read, for {} more target(s) of the database too", target.name,
                also.asked.size());
  last_read_ = co_await read_database(connection, target.options, deadline, riding(), also);
  full_reads_done_ = asked;
}

boost::asio::awaitable<void> TargetPoller::diff_last_read(PgConnection& connection,
                                                          const TargetConfig& target,
                                                          std::span<const NamedSnapshot> snapshots,
                                                          Deadline deadline, PollResult& result) {
  DatabaseState state = *last_read_;  // the dependents of drifting types are added to this copy
  DriftRead read =
      co_await read_drift(connection, target.name, snapshots, state,
                          diff_options_for(target.options), ImpactRead::estimate, deadline);
  bool changed_by_failed = false;
  for (const auto& failure : read.failures) {
    // A log the role may not read stays so until a DBA grants it: said once, and again
    // only after it was read (docs/who-changed-it.md); every failure is still counted.
    if (failure.read == "changed_by") {
      changed_by_failed = true;
      if (std::exchange(changed_by_unreadable_, true)) continue;
    }
    spdlog::warn("target {}: reading {} failed: {}", target.name, failure.what(),
                 escape_control(failure.error));
  }
  if (!changed_by_failed) changed_by_unreadable_ = false;
  // A diff whose only failure is the log kept: the log is read again with the next full read, not
  // at every poll, where each failure is an ERROR in the server's log. Any other failed read is
  // tried again at the next poll.
  const bool only_the_log_failed =
      std::all_of(read.failures.begin(), read.failures.end(),
                  [](const SecondaryReadFailure& f) { return f.read == "changed_by"; });
  if (only_the_log_failed) {
    last_diff_ = LastDiff{state.fingerprint, {}};
    for (const auto& s : snapshots) last_diff_->snapshots.push_back(s.snapshot);
  } else {
    last_diff_.reset();  // not kept: the next poll tries again
  }
  bound_remediation(read.items);  // docs/remediation.md, "Large recipes"
  result.report.drift = std::move(read.items);
  result.secondary_failures = std::move(read.failures);
  result.database = std::move(state);
}

boost::asio::awaitable<void> TargetPoller::read_changelog(PgConnection& connection,
                                                          const TargetConfig& target,
                                                          Deadline deadline) {
  // Not the poll's failure: a log the role may not read is told by the changed_by read, once.
  const long long after = changelog_.empty() ? 0 : changelog_.front().id;
  ReadPipeline pipeline(deadline, "reading the changelog (enumwatch.ddl_log)");
  const auto exists = pipeline.add(ddl_log_exists_read());
  const auto rows = pipeline.add(recent_changes_read(after, target.options.scope));
  changelog_failed_ = true;  // until the rows are read
  try {
    co_await pipeline.run(connection);
    if (pipeline.setup().error || !pipeline.take(exists)) co_return;
    merge_changelog(changelog_, pipeline.take(rows));
    changelog_failed_ = false;
  } catch (const PgError& e) {
    if (e.kind() != PgError::Kind::query) throw;  // the connection's failure is the poll's
    spdlog::debug("target {}: {}", target.name, escape_control(e.what()));
  } catch (const Error& e) {
    spdlog::debug("target {}: {}", target.name, escape_control(e.what()));
  }
}

boost::asio::awaitable<void> TargetPoller::prepare_lock_look(PgConnection& connection,
                                                             const TargetConfig& target,
                                                             Deadline deadline) {
  // golang-migrate's key holds the database's name: the server's, which a pooler may hide.
  std::string database = co_await session_database(connection, deadline);
  if (!lock_target_ || lock_target_->database != database)
    lock_target_ = MigrationLockTarget{std::move(database), target.options.scope.schemas};
  lock_look_ = std::make_unique<MigrationLockLook>(migration_locks_read(*lock_target_));
}

void TargetPoller::take_lock_look(const TargetConfig& target, PollResult& result) {
  if (!lock_look_ || !target.options.watch_migration_locks) return;
  if (!lock_look_->found) {
    if (lock_look_->error.empty()) return;  // not run: the poll failed before
    spdlog::warn("target {}: reading the migration tools' locks failed: {}", target.name,
                 escape_control(lock_look_->error));
    result.secondary_failures.push_back({"migration_lock", lock_look_->error});
    return;
  }
  result.migration_locks_held = lock_look_->found->held_by;
  // Said once, and again only when the set of tables changes (docs/migration-locks.md).
  auto& unreadable = lock_look_->found->unreadable;
  if (!unreadable.empty() && unreadable != unreadable_lock_tables_) {
    std::string tables;
    for (const auto& t : unreadable) tables += (tables.empty() ? "" : ", ") + t;
    spdlog::warn(
        "target {}: Liquibase's lock table {} cannot be read by the monitoring role; a Liquibase "
        "migration there is not seen (counted as no lock): grant it SELECT "
        "(docs/migration-locks.md, "
        "\"Liquibase\")",
        target.name, escape_control(tables));
  }
  unreadable_lock_tables_ = unreadable;
}

boost::asio::awaitable<LockCheck> TargetPoller::check_migration_locks(const TargetConfig& target) {
  LockCheck out;
  if (!lease_ || !lock_target_) co_return out;
  try {
    const Deadline deadline = std::chrono::steady_clock::now() + target.options.timeout;
    const auto turn = co_await lease_->take_turn(deadline);
    const auto connection = turn.open();
    if (!connection) co_return out;  // the next poll connects again
    const MigrationLockLook look(migration_locks_read(*lock_target_));
    out.held_by = (co_await read_migration_locks(*connection, look, deadline)).held_by;
    out.outcome = LockCheck::Outcome::read;
  } catch (const Error& e) {
    out.outcome = LockCheck::Outcome::failed;
    out.error = e.what();
  }
  co_return out;
}

boost::asio::awaitable<void> TargetPoller::send_probe_now(PgConnection& connection,
                                                          const std::string& target,
                                                          Deadline deadline) {
  const std::string payload = *std::exchange(probe_, std::nullopt);
  const std::vector<Statement> statements{
      {kEmptySearchPath, {}},
      {"SELECT pg_catalog.pg_notify($1, $2)", {std::string(kDdlChannel), payload}}};
  const auto results = co_await connection.run_pipeline(statements, deadline);
  for (const auto& r : results) {
    // Not the poll's failure (a standby refuses NOTIFY): the listener stays unproven and the
    // target polls at interval.
    if (r.error)
      spdlog::debug("target {}: listen probe not sent: {}", target, escape_control(*r.error));
  }
}

bool TargetPoller::plan_shared_round_trip() {
  shared_round_trip_planned_ = can_share_round_trip();
  return shared_round_trip_planned_;
}

bool TargetPoller::over_open_session() const {
  return connections_ && lease_ && session_seen_ != 0 && lease_->open_session() == session_seen_;
}

bool TargetPoller::can_share_round_trip() const {
  return !probe_ && fingerprint_query_ && !full_read_due() && over_open_session();
}

void TargetPoller::plan_changelog_look(const TargetConfig& target) {
  changelog_look_.reset();
  if (trigger_seen_ && (!changelog_failed_ || full_read_due())) {
    changelog_look_ = std::make_unique<ChangelogLook>(
        recent_changes_read(changelog_.empty() ? 0 : changelog_.front().id, target.options.scope));
  }
}

boost::asio::awaitable<TargetPoller::SharedFingerprint>
TargetPoller::fingerprint_in_shared_round_trip(Deadline deadline, PollResult& result) {
  FingerprintPipeline read(*fingerprint_query_, deadline, riding(),
                           FingerprintPipeline::Hashes::asked_of_round_trip);
  std::optional<std::uint64_t> session;
  try {
    session = co_await lease_->run_batched(read.pipeline(), read.asked());
  } catch (const Error&) {
    co_return SharedFingerprint::not_read;  // the usual way connects again, or says why not
  }
  if (!session || *session != session_seen_) co_return SharedFingerprint::not_read;
  std::optional<Fingerprint> now;
  try {
    now = read.take();
  } catch (const Error& e) {
    // The full read below tells what went wrong. A read that another target's failure aborted
    // does not come here: PgConnection::run_pipelines sends it again.
    spdlog::debug("target {}: its read in the shared round trip failed, it polls alone: {}",
                  result.report.name, escape_control(e.what()));
    co_return SharedFingerprint::not_read;
  }
  // require_full_read() may have come while the fingerprint was read.
  if (full_reads_done_ != full_reads_asked_ || now->hash != last_read_->fingerprint)
    co_return SharedFingerprint::moved;
  ++fingerprint_polls_;
  result.ddl_trigger_installed = now->ddl_trigger_installed;
  co_return SharedFingerprint::same;
}

boost::asio::awaitable<bool> TargetPoller::refresh(PgConnection& connection,
                                                   const TargetConfig& target, Deadline deadline,
                                                   PollResult& result, bool fingerprint_moved) {
  const TargetOptions& options = target.options;
  // A full read another target made for this poll is used whatever the fingerprint would say.
  if (!fingerprint_moved && !full_read_due() && !read_found_for_this_session()) {
    std::optional<Fingerprint> now;
    try {
      const std::string relation = co_await migration_relation(connection, options, deadline);
      if (!fingerprint_query_ || fingerprint_query_->relation != relation)
        fingerprint_query_.emplace(options, relation);
      now = co_await read_fingerprint(connection, *fingerprint_query_, deadline, riding());
    } catch (const PgError& e) {
      // A query error (say, the migration table is gone) is best told by the full read below;
      // a broken connection or a timeout is the poll's.
      if (e.kind() != PgError::Kind::query) throw;
    }
    // require_full_read() may have come while the fingerprint was read.
    if (now && full_reads_done_ == full_reads_asked_ && now->hash == last_read_->fingerprint) {
      ++fingerprint_polls_;
      result.ddl_trigger_installed = now->ddl_trigger_installed;
      co_return false;
    }
  }
  co_await read_in_full(connection, target, deadline);
  // The next polls read the fingerprint, in the database's shared round trip if they can: it
  // needs the migration table as resolved (remembered by the session).
  const std::string relation = co_await migration_relation(connection, options, deadline);
  if (!fingerprint_query_ || fingerprint_query_->relation != relation)
    fingerprint_query_.emplace(options, relation);
  last_diff_.reset();  // a full read diffs again (dependents too), whatever the fingerprint
  fingerprint_polls_ = 0;
  if (!std::exchange(guard_staggered_, true))
    fingerprint_polls_ = static_cast<int>(std::hash<std::string>{}(target.name) % kFullReadEvery);
  result.ddl_trigger_installed = last_read_->ddl_trigger_installed;
  co_return true;
}

boost::asio::awaitable<RevisionCheck> TargetPoller::check_revision(const TargetConfig& target) {
  RevisionCheck out;
  if (!lease_) co_return out;
  try {
    const Deadline deadline = std::chrono::steady_clock::now() + target.options.timeout;
    const auto turn = co_await lease_->take_turn(deadline);
    const auto connection = turn.open();
    if (!connection) co_return out;  // the next poll connects again
    out.revision = co_await read_migration_revision(*connection, target.options, deadline);
    out.outcome = RevisionCheck::Outcome::read;
  } catch (const Error& e) {
    out.outcome = RevisionCheck::Outcome::failed;
    out.error = e.what();
  }
  co_return out;
}

bool TargetPoller::saw_enum_named(std::string_view name) const {
  if (!last_read_) return true;
  return std::any_of(last_read_->catalog.enums.begin(), last_read_->catalog.enums.end(),
                     [&](const EnumType& e) { return e.type.name == name; });
}

}  // namespace enumwatch
