// One poll of one target: take a turn on its database's shared connection (connecting, or
// connecting again when it broke), read the catalog, diff against the target's snapshots.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "enumwatch/catalog/ddl_log.hpp"
#include "enumwatch/config/config.hpp"
#include "enumwatch/diff/diff.hpp"
#include "enumwatch/report/report.hpp"
#include "pg/catalog_reader.hpp"
#include "pg/connection.hpp"
#include "pg/drift_reader.hpp"
#include "poll/poll_result.hpp"
#include "poll/shared_connection.hpp"

namespace enumwatch {

// What re-reading the migration revision between polls found.
struct RevisionCheck {
  enum class Outcome {
    no_connection,  // nothing to ask over: the next poll reports why
    read,
    failed,  // counted as a failed secondary read; the next poll reports the database's state
  };
  Outcome outcome = Outcome::no_connection;
  std::optional<std::string> revision;  // when read: nullopt for an empty table
  std::string error;                    // when failed
};

[[nodiscard]] DiffOptions diff_options_for(const TargetOptions& options);

// What looking at the migration tools' locks between polls found (docs/migration-locks.md).
struct LockCheck {
  enum class Outcome { no_connection, read, failed };
  Outcome outcome = Outcome::no_connection;
  std::vector<std::string> held_by;  // when read
  std::string error;                 // when failed
};

// Virtual so that the scheduler's own tests can stand in a poller that fails in ways a real
// database rarely does (an exception of an unexpected type, a poll that never ends).
class TargetPoller {
 public:
  // Polls over the connection `connections` shares among the targets that connect the same way.
  explicit TargetPoller(SharedConnections& connections) : connections_(&connections) {}
  // For stand-ins that override every call that talks to a database (the scheduler's tests).
  TargetPoller() = default;
  virtual ~TargetPoller() = default;
  TargetPoller(const TargetPoller&) = delete;
  TargetPoller& operator=(const TargetPoller&) = delete;

  // Never throws for database trouble: failures come back as outcome error/timeout with a
  // one-line, password-free message in report.error.
  [[nodiscard]] virtual boost::asio::awaitable<PollResult> poll(
      const TargetConfig& target, std::span<const NamedSnapshot> snapshots,
      const std::optional<std::string>& password);
  // Re-reads only the migration revision over the open connection.
  [[nodiscard]] virtual boost::asio::awaitable<RevisionCheck> check_revision(
      const TargetConfig& target);
  // Looks only at the migration tools' locks over the open connection: while a migration is in
  // flight, its end is seen within a second.
  [[nodiscard]] virtual boost::asio::awaitable<LockCheck> check_migration_locks(
      const TargetConfig& target);
  // Whether the last full read saw an enum type of this name in any schema (true before the
  // first read): a type moved out of a watched schema is named by the schema it entered.
  [[nodiscard]] virtual bool saw_enum_named(std::string_view name) const;
  // Leaves the shared connection: the last target to leave closes it.
  virtual void disconnect() { lease_.reset(); }
  // The next poll reads everything, whatever the fingerprint says: after the LISTEN connection
  // reconnected, a change may have gone unnoticed (docs/instant-detection.md asks for a full poll
  // then).
  virtual void require_full_read() { ++full_reads_asked_; }
  // The next poll sends this payload on the change channel before it reads (the listener's proof
  // of listening, docs/instant-detection.md); it is sent once.
  virtual void send_probe(std::string payload) { probe_ = std::move(payload); }
  // Decides whether the next poll begins with its fingerprint in a round trip shared with the
  // other due targets of its database (docs/fleet.md, "One round trip per database"), and the
  // poll holds to it. The scheduler gives such a poll no slot: its database's session serves one
  // target at a time anyway. Yes only while the session it last read over is open and nothing but
  // a fingerprint is due.
  [[nodiscard]] virtual bool plan_shared_round_trip();
  // Whether the next poll goes over its database's session as it is open now, the one the last
  // poll read over: it then connects nothing, and waits for its turn on the session instead of a
  // max_concurrent_polls slot (docs/fleet.md, "One round trip per database").
  [[nodiscard]] virtual bool over_open_session() const;
  // Says, before the poll waits for a slot and its turn, that it will read the catalog in full:
  // the first full read over the database's session then reads this target's schemas too, and
  // the poll uses what it found (docs/fleet.md, "One full read per database"). For the next poll
  // only.
  virtual void announce_full_read(const TargetConfig& target,
                                  const std::optional<std::string>& password);

  // A poll reads the fingerprint first and the catalog only when it changed, or on every
  // kFullReadEvery-th poll: a guard against a change the fingerprint does not cover.
  static constexpr int kFullReadEvery = 10;

 private:
  // The log's rows after the newest in changelog_, into it (docs/who-changed-it.md), in a round
  // trip of their own: for the poll that first sees the trigger (later polls carry the read).
  [[nodiscard]] boost::asio::awaitable<void> read_changelog(PgConnection& connection,
                                                            const TargetConfig& target,
                                                            Deadline deadline);
  // Whose locks to look at for this session (the database's name is in it), when
  // migration_lock = "auto", and this poll's look at them.
  [[nodiscard]] boost::asio::awaitable<void> prepare_lock_look(PgConnection& connection,
                                                               const TargetConfig& target,
                                                               Deadline deadline);
  // What the poll's look found, into the result; an unreadable lock table is said once.
  void take_lock_look(const TargetConfig& target, PollResult& result);
  // What rides this poll's catalog or fingerprint read: the locks, the changelog's new rows.
  [[nodiscard]] RidingReads riding() { return {lock_look_.get(), changelog_look_.get()}; }
  [[nodiscard]] boost::asio::awaitable<void> send_probe_now(PgConnection& connection,
                                                            const std::string& target,
                                                            Deadline deadline);
  // Brings last_read_ up to date: the fingerprint (unless `fingerprint_moved` says it was read
  // and differs), and the catalog only when it changed (or a full read is due). True when the
  // catalog was read.
  [[nodiscard]] boost::asio::awaitable<bool> refresh(PgConnection& connection,
                                                     const TargetConfig& target, Deadline deadline,
                                                     PollResult& result,
                                                     bool fingerprint_moved = false);
  // Diffs last_read_ against the snapshots (reading dependents, impact and who changed it as
  // the drift asks), into the result, and keeps what the diff was made of in last_diff_.
  [[nodiscard]] boost::asio::awaitable<void> diff_last_read(
      PgConnection& connection, const TargetConfig& target,
      std::span<const NamedSnapshot> snapshots, Deadline deadline, PollResult& result);
  // What the fingerprint read in a shared round trip found.
  enum class SharedFingerprint {
    same,     // the catalog is as last read
    moved,    // it changed: read it in full
    not_read  // no open session, another session, or a failure: poll the usual way
  };
  [[nodiscard]] boost::asio::awaitable<SharedFingerprint> fingerprint_in_shared_round_trip(
      Deadline deadline, PollResult& result);
  // The changelog's new rows ride this poll while the database has the trigger.
  void plan_changelog_look(const TargetConfig& target);
  [[nodiscard]] bool can_share_round_trip() const;
  // Whether the next poll reads in full whatever its fingerprint says.
  [[nodiscard]] bool full_read_due() const;
  // Whether another target's full read over the session this poll uses read this poll's too.
  [[nodiscard]] bool read_found_for_this_session() const;
  // The database's shared connection for this target's parameters, taken once. Throws Error.
  void take_lease(const TargetConfig& target, const std::optional<std::string>& password);
  // Reads the catalog in full into last_read_: from what another target's read found for this
  // poll's announced ask, over the same session, else itself, for every target still asking.
  [[nodiscard]] boost::asio::awaitable<void> read_in_full(PgConnection& connection,
                                                          const TargetConfig& target,
                                                          Deadline deadline);

  // What the last diff was made of: a poll that finds the same fingerprint and the same snapshot
  // versions is unchanged (PollResult::unchanged). The snapshots are held, so that a new version
  // can never reuse the address of the one compared against.
  struct LastDiff {
    std::string fingerprint;
    std::vector<std::shared_ptr<const Snapshot>> snapshots;
  };

  SharedConnections* connections_ = nullptr;
  std::shared_ptr<SharedConnection> lease_;            // taken at the first poll
  std::uint64_t session_seen_ = 0;                     // the shared session the last poll read over
  std::optional<FingerprintQuery> fingerprint_query_;  // built at the first fingerprint poll
  std::optional<DatabaseState> last_read_;             // the last full read, for fingerprint polls
  std::optional<LastDiff> last_diff_;
  bool changed_by_unreadable_ = false;  // its warning was logged: not again until it reads
  // Whose locks to look at: set at the first poll of a session (the database's name is in it).
  // The look itself, 4 KB of SQL, is built for each poll and not kept.
  std::optional<MigrationLockTarget> lock_target_;
  // The looks riding a poll live for that poll only: 330 bytes a target otherwise, kept between
  // polls, 3 MB at fleet size.
  std::unique_ptr<MigrationLockLook> lock_look_;     // this poll's
  std::vector<std::string> unreadable_lock_tables_;  // as last warned about
  std::vector<LoggedChange> changelog_;              // newest first, at most kChangelogSize
  // The changelog's read riding this poll's pipeline: planned while the last poll saw the trigger.
  std::unique_ptr<ChangelogLook> changelog_look_;
  bool trigger_seen_ = false;
  // The last look at the changelog failed (the role may not read the log, or it is gone): asked
  // again only with a full read, not at every poll, where each failure is an ERROR in the
  // server's log (docs/who-changed-it.md, "When the log cannot be read").
  bool changelog_failed_ = false;
  int fingerprint_polls_ = 0;  // polls that reused last_read_ since it was read
  // Whether the count started at a phase of the target's own, after its first full read: the
  // targets of a database start together, and their every-tenth full reads, one target at a time
  // on the database's session, would otherwise fall on the same poll (docs/fleet.md, "One
  // fingerprint query per database").
  bool guard_staggered_ = false;
  // A full read is due while the reads asked for outnumber those done (counted, so that a request
  // that comes while a read runs, or a read that fails, still leaves one due).
  unsigned full_reads_asked_ = 1, full_reads_done_ = 0;
  std::optional<std::string> probe_;
  bool shared_round_trip_planned_ = false;  // by plan_shared_round_trip(), for the next poll
  // The next poll's full read, as announce_full_read() asked for it, and the reads asked for
  // then (a read asked for later may not be in what another target's read found).
  std::shared_ptr<FullReadAsked> full_read_ask_;
  unsigned full_read_ask_covers_ = 0;
};

}  // namespace enumwatch
