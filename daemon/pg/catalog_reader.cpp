#include "pg/catalog_reader.hpp"

#include "enumwatch/catalog/ddl_log.hpp"
#include "enumwatch/catalog/dependents.hpp"
#include "enumwatch/catalog/impact.hpp"
#include "enumwatch/core/error.hpp"
#include "pg/read_pipeline.hpp"

namespace enumwatch {
namespace {

std::optional<std::string> decode_revision(const ReadPipeline& pipeline,
                                           const ReadHandle<std::optional<std::string>>& read,
                                           const TargetOptions& options) {
  const StatementResult& result = pipeline.result(read);
  if (result.error) {
    std::string what = "reading migration_table \"" + options.migration_table +
                       "\" failed (migration_tool " +
                       std::string(to_string(options.migration_tool)) + ")";
    // 42P01: no such table; 42703: no such column, i.e. another tool's table.
    if (result.sqlstate == "42P01" || result.sqlstate == "42703") {
      throw PgError(PgError::Kind::query,
                    what + ": " + *result.error +
                        ": set migration_table (and migration_tool) to the table your migration "
                        "tool writes, or migration_table to \"\"",
                    result.sqlstate);
    }
    throw ReadPipeline::statement_error(result, what + ": " + *result.error);
  }
  return pipeline.take(read);
}

void require_setup(const ReadPipeline& pipeline) {
  if (pipeline.setup().error) throw pipeline.failed(pipeline.setup(), "setting statement_timeout");
}

template <typename T>
std::optional<ReadHandle<T>> add_riding(ReadPipeline& pipeline, RidingRead<T>* riding) {
  if (!riding) return std::nullopt;
  riding->found.reset();
  riding->error.clear();
  return pipeline.add_optional(riding->read);
}

// After the pipeline's own reads passed: a failure here is the riding read's alone.
template <typename T>
void take_riding(const ReadPipeline& pipeline, const std::optional<ReadHandle<T>>& handle,
                 RidingRead<T>* riding) {
  if (!riding || !handle) return;
  try {
    riding->found = pipeline.take(*handle);
  } catch (const PgError& e) {
    if (e.kind() == PgError::Kind::timeout) throw;  // the poll's time ran out: the poll's
    riding->error = e.what();
  } catch (const Error& e) {
    riding->error = e.what();
  }
}

// The locks first: a failed statement aborts the ones after it, and the changelog is the one
// that fails for good where the role may not read the log.
struct RidingHandles {
  std::optional<ReadHandle<MigrationLocks>> locks;
  std::optional<ReadHandle<std::vector<LoggedChange>>> changelog;
};
RidingHandles add_riding(ReadPipeline& pipeline, const RidingReads& riding) {
  return {add_riding(pipeline, riding.locks), add_riding(pipeline, riding.changelog)};
}
void take_riding(const ReadPipeline& pipeline, const RidingHandles& handles,
                 const RidingReads& riding) {
  take_riding(pipeline, handles.locks, riding.locks);
  take_riding(pipeline, handles.changelog, riding.changelog);
}

// Where the session's database name is remembered among the session's names: migration_table's
// names are never empty (an empty one is no table, and never looked up).
const std::string kSessionDatabaseKey;

}  // namespace

boost::asio::awaitable<std::string> migration_relation(PgConnection& connection,
                                                       const TargetOptions& options,
                                                       Deadline deadline) {
  const std::string& configured = options.migration_table;
  if (configured.empty()) co_return std::string();
  if (migration_table_qualified(configured)) co_return quote_migration_table(configured);
  auto& known = connection.session_names();
  if (auto it = known.find(configured); it != known.end()) co_return it->second;
  // The one pipeline that must see the role's own search_path (an unqualified name):
  // resolve_relation_sql() qualifies every name it uses.
  ReadPipeline pipeline(deadline, "resolving migration_table \"" + configured + "\"",
                        ReadPipeline::Setup::timeout_only);
  const auto resolved = pipeline.add(resolve_relation_read(configured));
  co_await pipeline.run(connection);
  pipeline.require_all();
  auto relation = pipeline.take(resolved);
  if (!relation) {
    // Not remembered: the table may come with the first migration.
    throw PgError(PgError::Kind::query,
                  "reading migration_table \"" + configured + "\" failed (migration_tool " +
                      std::string(to_string(options.migration_tool)) +
                      "): no such table on the monitoring role's search_path: set "
                      "migration_table (and migration_tool) to the table your migration tool "
                      "writes, schema-qualified, or migration_table to \"\"",
                  "42P01");
  }
  known.emplace(configured, *relation);
  co_return *relation;
}

boost::asio::awaitable<std::optional<std::string>> read_migration_revision(
    PgConnection& connection, const TargetOptions& options, Deadline deadline) {
  const std::string relation = co_await migration_relation(connection, options, deadline);
  ReadPipeline pipeline(deadline, "reading the migration revision");
  const auto revision = pipeline.add(migration_revision_read(relation, options.migration_tool));
  co_await pipeline.run(connection);
  require_setup(pipeline);
  if (pipeline.result(revision).sqlstate == "42P01")
    connection.session_names().erase(options.migration_table);
  co_return decode_revision(pipeline, revision, options);
}

boost::asio::awaitable<std::string> session_database(PgConnection& connection, Deadline deadline) {
  auto& known = connection.session_names();
  if (auto it = known.find(kSessionDatabaseKey); it != known.end()) co_return it->second;
  ReadPipeline pipeline(deadline, "reading the database's name");
  const auto name = pipeline.add(CatalogRead<std::string>{
      "SELECT pg_catalog.current_database()::pg_catalog.text", {}, [](const Rows& rows) {
        if (rows.size() != 1 || rows[0].size() != 1 || !rows[0][0])
          throw Error("current_database() returned no name");
        return *rows[0][0];
      }});
  co_await pipeline.run(connection);
  pipeline.require_all();
  std::string database = pipeline.take(name);
  known.emplace(kSessionDatabaseKey, database);
  co_return database;
}

boost::asio::awaitable<MigrationLocks> read_migration_locks(PgConnection& connection,
                                                            const MigrationLockLook& look,
                                                            Deadline deadline) {
  ReadPipeline pipeline(deadline, "reading the migration tools' locks");
  const auto locks = pipeline.add(look.read);
  co_await pipeline.run(connection);
  pipeline.require_all();
  co_return pipeline.take(locks);
}

namespace {

// A target's state from a full read's rows, which may hold other targets' schemas too: its
// decoders keep what is in the target's scope.
DatabaseState state_from(const CatalogRows& rows, const TargetOptions& options,
                         const RevisionSeen& revision) {
  DatabaseState state;
  state.migration_revision = revision.revision;
  const Fingerprint fingerprint =
      target_fingerprint(rows.hashes, options.scope, options.checks, revision);
  state.fingerprint = fingerprint.hash;
  state.ddl_trigger_installed = fingerprint.ddl_trigger_installed;
  state.catalog = decode_catalog(rows.enums, rows.usage, options.scope);
  if (options.checks) {
    if (!rows.checks) throw Error("internal: a full read without the CHECK constraints it needs");
    state.catalog.checks = decode_checks(*rows.checks, options.scope);
  }
  return state;
}

// The target's own reads after the catalog's: its migration revision (a missing table fails
// it, and its own error says what to do about it), then what rides along.
struct OwnReads {
  std::optional<ReadHandle<std::optional<std::string>>> revision;
  RidingHandles riders;
};
OwnReads add_own_reads(ReadPipeline& pipeline, const std::string& relation,
                       const TargetOptions& options, const RidingReads& riding) {
  OwnReads own;
  if (!options.migration_table.empty())
    own.revision = pipeline.add(migration_revision_read(relation, options.migration_tool));
  own.riders = add_riding(pipeline, riding);
  return own;
}
RevisionSeen take_own_reads(PgConnection& connection, const ReadPipeline& pipeline,
                            const OwnReads& own, const TargetOptions& options,
                            const RidingReads& riding) {
  RevisionSeen revision{own.revision.has_value(), std::nullopt};
  if (own.revision) {
    if (pipeline.result(*own.revision).sqlstate == "42P01")
      connection.session_names().erase(options.migration_table);
    revision.revision = decode_revision(pipeline, *own.revision, options);
  }
  pipeline.require_all();
  take_riding(pipeline, own.riders, riding);
  return revision;
}

}  // namespace

boost::asio::awaitable<DatabaseState> read_database(PgConnection& connection,
                                                    const TargetOptions& options, Deadline deadline,
                                                    RidingReads riding, const AlsoReadFor& also) {
  const std::string relation = co_await migration_relation(connection, options, deadline);
  std::vector<const Scope*> scopes{&options.scope};
  bool checks = options.checks;
  for (const auto& asked : also.asked) {
    scopes.push_back(&asked->scope);
    checks = checks || asked->checks;
  }
  const Scope read_scope = also.asked.empty() ? options.scope : schemas_of_all(scopes);

  // One pipeline, one implicit transaction, all of it with an empty search_path, which also
  // makes pg_get_expr qualify type names in column defaults, so that remediation SQL can reuse
  // them verbatim. The fingerprint's hashes come first, as later fingerprint polls read them
  // (before the revision); a change that lands between them and the reads makes the next one
  // differ, so nothing is missed. The reads every asking target shares come before this
  // target's own, whose failure then leaves them whole.
  ReadPipeline pipeline(deadline, "reading the catalog");
  const auto hashes = pipeline.add(schema_hashes_read(read_scope, checks));
  const auto enums = pipeline.add(enum_types_read(read_scope));
  const auto usage = pipeline.add(column_usage_read(read_scope));
  std::optional<ReadHandle<Rows>> check_rows;
  if (checks) check_rows = pipeline.add(check_constraints_read(read_scope));
  const OwnReads own = add_own_reads(pipeline, relation, options, riding);
  co_await pipeline.run(connection);

  require_setup(pipeline);
  auto rows = std::make_shared<CatalogRows>();
  rows->session = also.session;
  rows->hashes = pipeline.take(hashes);
  rows->enums = pipeline.take(enums);
  rows->usage = pipeline.take(usage);
  if (check_rows) rows->checks = pipeline.take(*check_rows);
  for (const auto& asked : also.asked) asked->found = rows;
  const RevisionSeen revision = take_own_reads(connection, pipeline, own, options, riding);
  co_return state_from(*rows, options, revision);
}

boost::asio::awaitable<DatabaseState> read_database_from(PgConnection& connection,
                                                         const TargetOptions& options,
                                                         const CatalogRows& rows, Deadline deadline,
                                                         RidingReads riding) {
  const bool with_revision = !options.migration_table.empty();
  if (!with_revision && !riding.locks && !riding.changelog)
    co_return state_from(rows, options, RevisionSeen{});
  const std::string relation = co_await migration_relation(connection, options, deadline);
  ReadPipeline pipeline(deadline, "reading the migration revision");
  const OwnReads own = add_own_reads(pipeline, relation, options, riding);
  co_await pipeline.run(connection);
  require_setup(pipeline);
  co_return state_from(rows, options, take_own_reads(connection, pipeline, own, options, riding));
}

FingerprintQuery::FingerprintQuery(const TargetOptions& target_options, std::string relation_sql)
    : scope(target_options.scope),
      checks(target_options.checks),
      relation(std::move(relation_sql)) {
  if (!target_options.migration_table.empty())
    revision = migration_revision_read(relation, target_options.migration_tool);
}

boost::asio::awaitable<Fingerprint> read_fingerprint(PgConnection& connection,
                                                     const FingerprintQuery& query,
                                                     Deadline deadline, RidingReads riding) {
  FingerprintPipeline read(query, deadline, riding);
  co_await read.pipeline().run(connection);
  co_return read.take();
}

FingerprintPipeline::FingerprintPipeline(const FingerprintQuery& query, Deadline deadline,
                                         RidingReads riding, Hashes hashes)
    : query_(&query), pipeline_(deadline, "reading the fingerprint"), riding_(riding) {
  if (hashes == Hashes::own) {
    hashes_ = pipeline_.add(schema_hashes_read(query.scope, query.checks));
  } else {
    asked_.emplace(SchemaHashesAsked{&query.scope, query.checks, nullptr, nullptr});
  }
  if (query.revision) revision_ = pipeline_.add(*query.revision);
  auto riders = add_riding(pipeline_, riding_);
  locks_ = std::move(riders.locks);
  changelog_ = std::move(riders.changelog);
}

Fingerprint FingerprintPipeline::take() const {
  pipeline_.require_all();
  std::optional<SchemaHashes> own;
  const SchemaHashes* hashes = nullptr;
  if (asked_) {
    if (asked_->error) std::rethrow_exception(asked_->error);
    if (!asked_->found) throw Error("internal: the round trip read no schema hashes");
    hashes = asked_->found.get();
  } else {
    hashes = &own.emplace(pipeline_.take(*hashes_));
  }
  const RevisionSeen revision{revision_.has_value(),
                              revision_ ? pipeline_.take(*revision_) : std::nullopt};
  Fingerprint read = target_fingerprint(*hashes, query_->scope, query_->checks, revision);
  take_riding(pipeline_, RidingHandles{locks_, changelog_}, riding_);
  return read;
}

boost::asio::awaitable<void> read_dependents(PgConnection& connection,
                                             const std::vector<TypeName>& types,
                                             DatabaseState& state, Deadline deadline) {
  if (types.empty()) co_return;
  // The empty search_path also makes definitions schema-qualified, so that the recipe means the
  // same under any search_path.
  ReadPipeline pipeline(deadline, "reading the dependents");
  std::vector<std::pair<TypeName, ReadHandle<TypeDependents>>> reads;
  for (const auto& type : types) reads.emplace_back(type, pipeline.add(dependents_read(type)));
  co_await pipeline.run(connection);
  pipeline.require_all();
  for (const auto& [type, read] : reads) state.catalog.dependents[type] = pipeline.take(read);
}

boost::asio::awaitable<void> read_changed_by(PgConnection& connection,
                                             std::vector<DriftItem>& items, bool trigger_seen,
                                             Deadline deadline) {
  const auto objects = logged_objects(items);
  if (objects.empty()) co_return;
  if (!trigger_seen) {
    // The read below fails where the log is not there: an ERROR in the server's log at every diff
    // of a drifting target, of a database that never had the trigger.
    ReadPipeline look(deadline, "looking for who changed it (enumwatch.ddl_log)");
    const auto exists = look.add(ddl_log_exists_read());
    co_await look.run(connection);
    look.require_all();
    if (!look.take(exists)) co_return;
  }
  // One round trip: whether the log is there, and its rows (an error when it is not there,
  // which is no failure: no trigger, or one installed before it had a log).
  ReadPipeline pipeline(deadline, "reading who changed it (enumwatch.ddl_log)");
  const auto exists = pipeline.add(ddl_log_exists_read());
  const auto changes = pipeline.add(latest_changes_read(objects));
  co_await pipeline.run(connection);
  if (pipeline.setup().error) pipeline.require_all();
  if (!pipeline.take(exists)) co_return;
  attach_changed_by(items, pipeline.take(changes));
}

boost::asio::awaitable<void> read_impact_estimates(PgConnection& connection,
                                                   std::vector<DriftItem>& items,
                                                   const Catalog& catalog, Deadline deadline) {
  const auto columns = impact_columns(items, catalog);
  if (columns.empty()) co_return;
  ReadPipeline pipeline(deadline, "reading the column statistics");
  const auto stats = pipeline.add(column_stats_read(columns));
  co_await pipeline.run(connection);
  pipeline.require_all();
  attach_estimates(items, catalog, pipeline.take(stats));
}

boost::asio::awaitable<void> count_impact(PgConnection& connection, std::vector<DriftItem>& items,
                                          const Catalog& catalog, Deadline deadline) {
  const auto columns = impact_columns(items, catalog);
  if (columns.empty()) co_return;
  const std::vector<std::string> values = impact_values(items);
  ReadPipeline pipeline(deadline, "counting rows");
  // Row-level security policies are the tables' owners' code: with row_security off, a table
  // that has them fails the count instead of running them as the monitoring role.
  pipeline.set("SELECT pg_catalog.set_config('row_security', 'off', true)");
  std::vector<std::pair<ColumnRef, ReadHandle<std::map<std::string, long long>>>> counts;
  for (const auto& column : columns)
    counts.emplace_back(column, pipeline.add(exact_count_read(column, values)));
  co_await pipeline.run(connection);
  pipeline.require_all();
  CountsByColumn by_column;
  for (const auto& [column, read] : counts) by_column[column] = pipeline.take(read);
  attach_counts(items, catalog, by_column);
}

}  // namespace enumwatch
