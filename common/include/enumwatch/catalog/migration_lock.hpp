// Is a migration running right now? The locks that migration tools take on PostgreSQL while they
// migrate, their keys computed the way each tool computes them, and the one query that tells
// which of them are held on the current database (SPEC §12, docs/migration-locks.md, which cites
// each tool's source). Pure: the daemon's client runs the text, this file knows what it means.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/catalog/catalog_read.hpp"

namespace enumwatch {

// The tools, as the `tool` label of enumwatch_migration_in_progress names them, in this order.
inline constexpr std::array<std::string_view, 5> kMigrationLockTools = {
    "flyway", "liquibase", "golang-migrate", "atlas", "sqitch"};

// The hashes the tools build their keys from.
// CRC-32 (IEEE 802.3, reflected, Go's crc32.ChecksumIEEE and zlib's crc32).
[[nodiscard]] std::uint32_t crc32_ieee(std::string_view bytes);
// FNV-1, 32 bits (Go's hash/fnv New32: multiply, then xor).
[[nodiscard]] std::uint32_t fnv1_32(std::string_view bytes);
// Java's String.hashCode of UTF-8 text: over its UTF-16 code units, s[0]*31^(n-1) + ... + s[n-1],
// wrapping at 32 bits.
[[nodiscard]] std::int32_t java_string_hash(std::string_view utf8);

// Every key below is the bigint that the tool passes to pg_advisory_lock / pg_try_advisory_lock /
// pg_try_advisory_xact_lock.
// Flyway: 0x466C79776179 ("Flyway") plus the Java hash of its history table as Flyway prints it,
// "schema"."table" (a '"' in a name doubled).
[[nodiscard]] std::int64_t flyway_lock_key(std::string_view schema,
                                           std::string_view table = "flyway_schema_history");
// golang-migrate (database/postgres, pgx; v4.15.0 on): CRC-32 of schema, table and database
// joined by NUL, times 1486364155, modulo 2^32.
[[nodiscard]] std::int64_t golang_migrate_lock_key(std::string_view database,
                                                   std::string_view schema = "public",
                                                   std::string_view table = "schema_migrations");
// golang-migrate before v4.15.0: the same over schema and database only.
[[nodiscard]] std::int64_t golang_migrate_legacy_lock_key(std::string_view database,
                                                          std::string_view schema = "public");
// Atlas (`migrate apply`, `migrate set`): FNV-1 32 of "atlas_migrate_execute".
[[nodiscard]] std::int64_t atlas_lock_key();
// Sqitch (App::Sqitch::Engine::pg, v1.2.0 on): a constant.
inline constexpr std::int64_t kSqitchLockKey = 75474063;

struct AdvisoryLockKey {
  std::string_view tool;  // one of kMigrationLockTools
  std::int64_t key = 0;
  // How pg_locks shows a bigint key: its high and low 32 bits, objsubid 1.
  [[nodiscard]] std::uint32_t classid() const;
  [[nodiscard]] std::uint32_t objid() const;
};

// What the query needs to know of the target.
struct MigrationLockTarget {
  // The database's name (golang-migrate's key holds it): current_database() on the connection.
  std::string database;
  // The target's schemas (Scope::schemas); empty: every schema. Flyway's and golang-migrate's keys
  // are computed for "public" (their default when the migrating session's search_path is the
  // default) and for each of these; Liquibase's table is looked for in these.
  std::vector<std::string> schemas;
};

// The advisory keys the query looks for, without duplicates: Flyway's and golang-migrate's (both
// forms) for each schema, Atlas's, Sqitch's.
[[nodiscard]] std::vector<AdvisoryLockKey> migration_lock_keys(const MigrationLockTarget& target);

// One statement, the same for every target, safe to run as the monitoring role (not a superuser)
// under any search_path: rows (tool, state, schema, table), state 'held' for a tool whose lock is
// held on the current database now (schema and table NULL for an advisory lock, Liquibase's table
// otherwise), 'unreadable' for a Liquibase lock table the role may not read (or may not read
// without running its owner's code). $1 = the target's schemas (text[], empty: all), for
// Liquibase; $2, $3, $4 = the advisory keys: their tools (text[]), classids and objids (oid[]).
[[nodiscard]] const std::string& migration_locks_sql();
// Its parameters for one target: the schemas, then migration_lock_keys() as three arrays.
[[nodiscard]] std::vector<std::string> migration_locks_params(const MigrationLockTarget& target);

// The statement (a format() template over the table's schema and name) that reads Liquibase's
// lock table inside migration_locks_sql: one row when `locked` is true.
[[nodiscard]] std::string_view liquibase_read_template();

struct MigrationLocks {
  std::vector<std::string> held_by;     // tool names, in kMigrationLockTools' order, once each
  std::vector<std::string> unreadable;  // Liquibase lock tables, "schema"."table", sorted
  bool operator==(const MigrationLocks&) const = default;
};
// Throws Error if the rows do not have the expected shape.
[[nodiscard]] MigrationLocks decode_migration_locks(const Rows& rows);

// The read a poll sends (catalog_read.hpp): the SQL above with the target's parameters and its
// decoder.
[[nodiscard]] CatalogRead<MigrationLocks> migration_locks_read(const MigrationLockTarget& target);

}  // namespace enumwatch
