// Reads what a target's database holds: its enum types, the columns using them, and the
// migration revision, in one pipeline over an open connection.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>

#include "enumwatch/catalog/ddl_log.hpp"
#include "enumwatch/catalog/migration_lock.hpp"
#include "enumwatch/catalog/schema_fingerprint.hpp"
#include "enumwatch/config/config.hpp"
#include "enumwatch/core/drift.hpp"
#include "enumwatch/core/model.hpp"
#include "pg/connection.hpp"
#include "pg/read_pipeline.hpp"

namespace enumwatch {

// A read that rides a poll's pipeline after the poll's own reads, in the same round trip: what
// it found, or why not. Its failure is its own, never the poll's (ReadPipeline::add_optional).
template <typename T>
struct RidingRead {
  explicit RidingRead(CatalogRead<T> r) : read(std::move(r)) {}
  CatalogRead<T> read;
  std::optional<T> found;
  std::string error;  // when not found
};
// The migration tools' locks (docs/migration-locks.md): a secondary read, "migration_lock".
// Built once per session: the database's name is in it.
using MigrationLockLook = RidingRead<MigrationLocks>;
// The trigger's log rows after the newest kept (docs/who-changed-it.md, "Changelog").
using ChangelogLook = RidingRead<std::vector<LoggedChange>>;

// What rides a catalog or fingerprint read: either, both, or nothing.
struct RidingReads {
  MigrationLockLook* locks = nullptr;
  ChangelogLook* changelog = nullptr;
};

// The name of the session's database as the server has it (current_database(); a pooler may
// call it otherwise): read once per session, remembered by the connection. Throws PgError.
[[nodiscard]] boost::asio::awaitable<std::string> session_database(PgConnection& connection,
                                                                   Deadline deadline);

// What one full read returned of the schemas of every target that asked for it (docs/fleet.md,
// "One full read per database"): each target decodes its own scope from these rows.
struct CatalogRows {
  std::uint64_t session = 0;  // the database's shared session it was read over
  SchemaHashes hashes;
  Rows enums, usage;
  std::optional<Rows> checks;  // when any of the targets watches CHECK enums
};

// A target's full read, asked for before its turn on its database's session: the full read of
// another target of the database that runs first reads this target's schemas too, and leaves it
// what it found.
struct FullReadAsked {
  Scope scope;  // a copy: the target may be reloaded away before the read runs
  bool checks = false;
  std::shared_ptr<const CatalogRows> found;
};

// The full reads a read_database also makes for other targets of the database, and the shared
// session it runs over, which each finding records.
struct AlsoReadFor {
  std::vector<std::shared_ptr<FullReadAsked>> asked;
  std::uint64_t session = 0;
};

// Throws PgError; a missing migration table is a PgError of kind query with a message that says
// which table and what to do. `riding` is read in the same pipeline. The catalog is read for the
// schemas of `also`'s targets too, and each of them is given the rows (even when this target's
// own revision fails); the statements the reads share come first.
[[nodiscard]] boost::asio::awaitable<DatabaseState> read_database(PgConnection& connection,
                                                                  const TargetOptions& options,
                                                                  Deadline deadline,
                                                                  RidingReads riding = {},
                                                                  const AlsoReadFor& also = {});
// The same read from the rows another target's read found for this one: only this target's own
// reads (its migration revision, `riding`) go to the server, in one round trip, or none.
[[nodiscard]] boost::asio::awaitable<DatabaseState> read_database_from(PgConnection& connection,
                                                                       const TargetOptions& options,
                                                                       const CatalogRows& rows,
                                                                       Deadline deadline,
                                                                       RidingReads riding = {});

// The fingerprint reads of a target's options, built once (a poll sends them as they are).
struct FingerprintQuery {
  FingerprintQuery(const TargetOptions& options, std::string relation_sql);
  // What the schema hashes read of the options (not a copy of them all: one per target).
  Scope scope;
  bool checks = false;
  std::string relation;  // the migration table as migration_relation() named it
  // The schema hashes' SQL (6 KB) is not kept per target: most polls read them in a round trip
  // shared with the database's other targets.
  std::optional<CatalogRead<std::optional<std::string>>> revision;
};

// The fingerprint of what read_database would return (schema_fingerprint.hpp): one round trip,
// a few short rows. Throws PgError. `riding` is read in the same round trip.
[[nodiscard]] boost::asio::awaitable<Fingerprint> read_fingerprint(PgConnection& connection,
                                                                   const FingerprintQuery& query,
                                                                   Deadline deadline,
                                                                   RidingReads riding = {});

// What a fingerprint read in a round trip shared with the database's other targets asks of the
// round trip besides its own pipeline: the hashes of its schemas, which the round trip reads once
// for every target that asks (SharedConnection::run_batched).
struct SchemaHashesAsked {
  const Scope* scope = nullptr;  // the target's, which outlives the round trip
  bool checks = false;
  std::shared_ptr<const SchemaHashes> found;  // after the round trip; or
  std::exception_ptr error;                   // why not
};

// The same read as a pipeline to run wherever the caller chooses: in a round trip shared with
// the other targets of the database, which reads the schema hashes for all of them
// (Hashes::asked_of_round_trip), or alone (Hashes::own).
class FingerprintPipeline {
 public:
  enum class Hashes { own, asked_of_round_trip };
  FingerprintPipeline(const FingerprintQuery& query, Deadline deadline, RidingReads riding,
                      Hashes hashes = Hashes::own);
  [[nodiscard]] ReadPipeline& pipeline() { return pipeline_; }
  // What to ask of the round trip (Hashes::asked_of_round_trip), else null.
  [[nodiscard]] SchemaHashesAsked* asked() { return asked_ ? &*asked_ : nullptr; }
  // After the run: the fingerprint, and what rode along into `riding`. Throws as
  // read_fingerprint does.
  [[nodiscard]] Fingerprint take() const;

 private:
  const FingerprintQuery* query_;
  ReadPipeline pipeline_;
  RidingReads riding_;
  std::optional<SchemaHashesAsked> asked_;
  std::optional<ReadHandle<SchemaHashes>> hashes_;
  std::optional<ReadHandle<std::optional<std::string>>> revision_;
  std::optional<ReadHandle<MigrationLocks>> locks_;
  std::optional<ReadHandle<std::vector<LoggedChange>>> changelog_;
};

// Adds to the state the dependents of each type (dependents.hpp): read only when a fix recreates
// a type, so a poll without such drift costs nothing more. Throws PgError.
[[nodiscard]] boost::asio::awaitable<void> read_dependents(PgConnection& connection,
                                                           const std::vector<TypeName>& types,
                                                           DatabaseState& state, Deadline deadline);

// Sets changed_by on the items the event trigger's log explains (docs/who-changed-it.md). A
// database without the log (no trigger, or one installed before it had a log) is not an error;
// a log the role may not read is (PgError). Where the trigger is not installed (`trigger_seen`
// false: none, or a standby, whose replicated log still tells), whether the log is there is asked
// first, in a round trip of its own, so that a database without it sees no failed statement.
[[nodiscard]] boost::asio::awaitable<void> read_changed_by(PgConnection& connection,
                                                           std::vector<DriftItem>& items,
                                                           bool trigger_seen, Deadline deadline);

// Fills in the impact of the items (impact.hpp) from pg_stats: one round trip, only while an
// item carries impact; no table is scanned. Throws PgError.
[[nodiscard]] boost::asio::awaitable<void> read_impact_estimates(PgConnection& connection,
                                                                 std::vector<DriftItem>& items,
                                                                 const Catalog& catalog,
                                                                 Deadline deadline);
// diff --impact exact: counts the rows of each value in each column (statement_timeout bounds
// the scans by the deadline). Throws PgError.
[[nodiscard]] boost::asio::awaitable<void> count_impact(PgConnection& connection,
                                                        std::vector<DriftItem>& items,
                                                        const Catalog& catalog, Deadline deadline);

// The migration table as every query names it (SQL text, quoted; empty when none is configured):
// as configured when it is schema-qualified, else resolved once per session through the
// monitoring role's own search_path and remembered by the connection. Throws PgError (kind query,
// SQLSTATE 42P01) when no such table is visible, with what to do.
[[nodiscard]] boost::asio::awaitable<std::string> migration_relation(PgConnection& connection,
                                                                     const TargetOptions& options,
                                                                     Deadline deadline);

// Only the migration tools' locks: the check the scheduler runs between polls while a migration
// is in flight. Throws PgError.
[[nodiscard]] boost::asio::awaitable<MigrationLocks> read_migration_locks(
    PgConnection& connection, const MigrationLockLook& look, Deadline deadline);

// Only the migration revision: the cheap check the scheduler runs between polls.
[[nodiscard]] boost::asio::awaitable<std::optional<std::string>> read_migration_revision(
    PgConnection& connection, const TargetOptions& options, Deadline deadline);

}  // namespace enumwatch
