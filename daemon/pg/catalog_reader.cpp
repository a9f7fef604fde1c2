#include "pg/catalog_reader.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "enumwatch/catalog/dependents.hpp"
#include "enumwatch/catalog/impact.hpp"
#include "enumwatch/core/error.hpp"

namespace enumwatch {
namespace {

PgError query_failed(const StatementResult& result, const std::string& what) {
  // 57014: canceled by statement_timeout, i.e. the poll's time ran out on the server.
  const auto kind = result.sqlstate == "57014" ? PgError::Kind::timeout : PgError::Kind::query;
  return PgError(kind, what + ": " + *result.error, result.sqlstate);
}

std::string statement_timeout_ms(Deadline deadline) {
  using namespace std::chrono;
  const auto remaining = duration_cast<milliseconds>(deadline - steady_clock::now()).count();
  return std::to_string(std::max<long long>(remaining, 1));
}

// The first statement of every pipeline (one implicit transaction): an empty search_path before
// anything else runs, so that no function, operator or type that a role of the watched database
// put in a schema on the path can stand in for pg_catalog's (docs/security.md, "search_path");
// and the server stops the statements when the poll's time is up. Both end with the pipeline.
constexpr std::string_view kSessionSetup =
    "SELECT pg_catalog.set_config('search_path', '', true), "
    "pg_catalog.set_config('statement_timeout', $1, true)";
// The one statement that must see the role's own search_path (an unqualified migration_table)
// sets only the timeout; resolve_relation_sql() qualifies every name it uses.
constexpr std::string_view kSetStatementTimeout =
    "SELECT pg_catalog.set_config('statement_timeout', $1, true)";

Statement session_setup(Deadline deadline) {
  return {kSessionSetup, {statement_timeout_ms(deadline)}};
}

std::optional<std::string> decode_revision(const StatementResult& result,
                                           const TargetOptions& options) {
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
    throw query_failed(result, what);
  }
  return decode_migration_revision(result.rows);
}

}  // namespace

boost::asio::awaitable<std::string> migration_relation(PgConnection& connection,
                                                       const TargetOptions& options,
                                                       Deadline deadline) {
  const std::string& configured = options.migration_table;
  if (configured.empty()) co_return std::string();
  if (migration_table_qualified(configured)) co_return quote_migration_table(configured);
  auto& known = connection.session_names();
  if (auto it = known.find(configured); it != known.end()) co_return it->second;
  const std::array<Statement, 2> statements{
      Statement{kSetStatementTimeout, {statement_timeout_ms(deadline)}},
      Statement{resolve_relation_sql(), {quote_migration_table(configured)}}};
  auto results = co_await connection.run_pipeline(statements, deadline);
  const std::string what =
      "resolving migration_table \"" + configured + "\" (" + connection.description() + ")";
  for (const auto& result : results) {
    if (result.error) throw query_failed(result, what + " failed");
  }
  auto relation = decode_resolved_relation(results[1].rows);
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
  const std::string revision_sql = migration_revision_sql(relation, options.migration_tool);
  std::vector<Statement> statements;
  statements.push_back(session_setup(deadline));
  statements.push_back({revision_sql, {}});
  auto results = co_await connection.run_pipeline(statements, deadline);
  if (results[0].error) {
    throw query_failed(results[0],
                       "setting statement_timeout failed (" + connection.description() + ")");
  }
  if (results[1].sqlstate == "42P01") connection.session_names().erase(options.migration_table);
  co_return decode_revision(results[1], options);
}

boost::asio::awaitable<DatabaseState> read_database(PgConnection& connection,
                                                    const TargetOptions& options,
                                                    Deadline deadline) {
  const std::string schemas = pg_text_array(options.scope.schemas);
  const std::string excluded = pg_text_array(options.scope.exclude_schemas);
  const bool with_revision = !options.migration_table.empty();
  const std::string relation = co_await migration_relation(connection, options, deadline);

  // One pipeline, one implicit transaction, all of it with an empty search_path (kSessionSetup),
  // which also makes pg_get_expr qualify type names in column defaults, so that remediation SQL
  // can reuse them verbatim. The fingerprint comes first, as later fingerprint polls compute it;
  // a change that lands between it and the reads makes the next one differ, so nothing is missed.
  const std::string revision_sql =
      with_revision ? migration_revision_sql(relation, options.migration_tool) : std::string();
  const std::string fingerprint = fingerprint_sql(relation, options.migration_tool, options.checks);
  std::vector<Statement> statements;
  statements.push_back(session_setup(deadline));
  statements.push_back({fingerprint, {schemas, excluded}});
  if (with_revision) statements.push_back({revision_sql, {}});
  statements.push_back({enum_types_sql(), {schemas, excluded}});
  statements.push_back({column_usage_sql(), {schemas, excluded}});
  if (options.checks) statements.push_back({check_constraints_sql(), {schemas, excluded}});

  auto results = co_await connection.run_pipeline(statements, deadline);
  const std::string where = " (" + connection.description() + ")";
  if (results[0].error) throw query_failed(results[0], "setting statement_timeout failed" + where);
  std::size_t next = 2;
  DatabaseState state;
  // A missing migration table fails the fingerprint first (the rest is not run): the revision's
  // own error says what to do about it.
  if (with_revision && results[1].error &&
      (results[1].sqlstate == "42P01" || results[1].sqlstate == "42703")) {
    if (results[1].sqlstate == "42P01") connection.session_names().erase(options.migration_table);
    (void)decode_revision(results[1], options);
  }
  if (with_revision) state.migration_revision = decode_revision(results[next++], options);
  for (std::size_t i = 1; i < results.size(); ++i) {
    if (results[i].error) throw query_failed(results[i], "reading the catalog failed" + where);
  }
  const Fingerprint read = decode_fingerprint(results[1].rows);
  state.fingerprint = read.hash;
  state.ddl_trigger_installed = read.ddl_trigger_installed;
  state.catalog = decode_catalog(results[next].rows, results[next + 1].rows, options.scope);
  if (options.checks) state.catalog.checks = decode_checks(results[next + 2].rows, options.scope);
  co_return state;
}

FingerprintQuery::FingerprintQuery(const TargetOptions& options, std::string relation_sql)
    : relation(std::move(relation_sql)),
      sql(fingerprint_sql(relation, options.migration_tool, options.checks)),
      params{pg_text_array(options.scope.schemas), pg_text_array(options.scope.exclude_schemas)} {}

boost::asio::awaitable<Fingerprint> read_fingerprint(PgConnection& connection,
                                                     const FingerprintQuery& query,
                                                     Deadline deadline) {
  const std::array<Statement, 2> statements{session_setup(deadline),
                                            Statement{query.sql, query.params}};
  auto results = co_await connection.run_pipeline(statements, deadline);
  for (const auto& result : results) {
    if (result.error)
      throw query_failed(result,
                         "reading the fingerprint failed (" + connection.description() + ")");
  }
  co_return decode_fingerprint(results[1].rows);
}

boost::asio::awaitable<void> read_dependents(PgConnection& connection,
                                             const std::vector<TypeName>& types,
                                             DatabaseState& state, Deadline deadline) {
  if (types.empty()) co_return;
  std::vector<Statement> statements;
  // The empty search_path also makes definitions schema-qualified, so that the recipe means the
  // same under any search_path.
  statements.push_back(session_setup(deadline));
  for (const auto& type : types) statements.push_back({dependents_sql(), {type.schema, type.name}});
  auto results = co_await connection.run_pipeline(statements, deadline);
  const std::string where = " (" + connection.description() + ")";
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].error) throw query_failed(results[i], "reading the dependents failed" + where);
  }
  for (std::size_t i = 0; i < types.size(); ++i)
    state.catalog.dependents[types[i]] = decode_dependents(results[i + 1].rows);
}

boost::asio::awaitable<void> read_impact_estimates(PgConnection& connection,
                                                   std::vector<DriftItem>& items,
                                                   const Catalog& catalog, Deadline deadline) {
  const auto columns = impact_columns(items, catalog);
  if (columns.empty()) co_return;
  const std::array<Statement, 2> statements{
      session_setup(deadline), Statement{column_stats_sql(), column_stats_params(columns)}};
  auto results = co_await connection.run_pipeline(statements, deadline);
  for (const auto& result : results) {
    if (result.error)
      throw query_failed(result,
                         "reading the column statistics failed (" + connection.description() + ")");
  }
  attach_estimates(items, catalog, decode_column_stats(results[1].rows));
}

boost::asio::awaitable<void> count_impact(PgConnection& connection, std::vector<DriftItem>& items,
                                          const Catalog& catalog, Deadline deadline) {
  const auto columns = impact_columns(items, catalog);
  if (columns.empty()) co_return;
  const std::string values = pg_text_array(impact_values(items));
  std::vector<Statement> statements;
  statements.push_back(session_setup(deadline));
  // Row-level security policies are the tables' owners' code: with row_security off, a table
  // that has them fails the count instead of running them as the monitoring role.
  statements.push_back({"SELECT pg_catalog.set_config('row_security', 'off', true)", {}});
  std::vector<std::string> sql;
  sql.reserve(columns.size());
  for (const auto& column : columns) sql.push_back(exact_count_sql(column));
  for (const auto& text : sql) statements.push_back({text, {values}});
  auto results = co_await connection.run_pipeline(statements, deadline);
  CountsByColumn counts;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].error)
      throw query_failed(results[i], "counting rows failed (" + connection.description() + ")");
    if (i < 2) continue;
    auto& per_value = counts[columns[i - 2]];
    for (const auto& row : results[i].rows) {
      if (row.size() != 2 || !row[0] || !row[1]) continue;
      // count(*) prints a bigint; anything else is the project's error, not std::stoll's.
      long long rows = 0;
      const std::string& text = *row[1];
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), rows);
      if (ec != std::errc() || end != text.data() + text.size())
        throw Error("counting rows returned a count that is not a number (" +
                    connection.description() + ")");
      per_value[*row[0]] = rows;
    }
  }
  attach_counts(items, catalog, counts);
}

}  // namespace enumwatch
