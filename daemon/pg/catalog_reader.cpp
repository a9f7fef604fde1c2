#include "pg/catalog_reader.hpp"

#include <algorithm>
#include <array>

#include "enumwatch/dependents.hpp"
#include "enumwatch/impact.hpp"

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

constexpr std::string_view kSetStatementTimeout =
    "SELECT pg_catalog.set_config('statement_timeout', $1, true)";

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

boost::asio::awaitable<std::optional<std::string>> read_migration_revision(
    PgConnection& connection, const TargetOptions& options, Deadline deadline) {
  const std::string revision_sql =
      migration_revision_sql(options.migration_table, options.migration_tool);
  std::vector<Statement> statements;
  statements.push_back({kSetStatementTimeout, {statement_timeout_ms(deadline)}});
  statements.push_back({revision_sql, {}});
  auto results = co_await connection.run_pipeline(statements, deadline);
  if (results[0].error) {
    throw query_failed(results[0],
                       "setting statement_timeout failed (" + connection.description() + ")");
  }
  co_return decode_revision(results[1], options);
}

boost::asio::awaitable<DatabaseState> read_database(PgConnection& connection,
                                                    const TargetOptions& options,
                                                    Deadline deadline) {
  const std::string schemas = pg_text_array(options.scope.schemas);
  const std::string excluded = pg_text_array(options.scope.exclude_schemas);
  const bool with_revision = !options.migration_table.empty();

  // One pipeline, one implicit transaction. The server stops the queries too when the poll's
  // time is up. The migration table is read with the session's search_path; after it, an empty
  // search_path makes pg_get_expr qualify type names in column defaults, so that remediation SQL
  // can reuse them verbatim.
  const std::string revision_sql =
      with_revision ? migration_revision_sql(options.migration_table, options.migration_tool)
                    : std::string();
  // The fingerprint comes first, with the session's search_path, as later fingerprint polls
  // compute it; a change that lands between it and the reads makes the next one differ, so
  // nothing is missed.
  const std::string fingerprint =
      fingerprint_sql(options.migration_table, options.migration_tool, options.checks);
  std::vector<Statement> statements;
  statements.push_back({kSetStatementTimeout, {statement_timeout_ms(deadline)}});
  statements.push_back({fingerprint, {schemas, excluded}});
  if (with_revision) statements.push_back({revision_sql, {}});
  statements.push_back({"SELECT pg_catalog.set_config('search_path', '', true)", {}});
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
      (results[1].sqlstate == "42P01" || results[1].sqlstate == "42703"))
    (void)decode_revision(results[1], options);
  if (with_revision) state.migration_revision = decode_revision(results[next++], options);
  for (std::size_t i = 1; i < results.size(); ++i) {
    if (results[i].error) throw query_failed(results[i], "reading the catalog failed" + where);
  }
  const Fingerprint read = decode_fingerprint(results[1].rows);
  state.fingerprint = read.hash;
  state.ddl_trigger_installed = read.ddl_trigger_installed;
  state.catalog = decode_catalog(results[next + 1].rows, results[next + 2].rows, options.scope);
  if (options.checks) state.catalog.checks = decode_checks(results[next + 3].rows, options.scope);
  co_return state;
}

FingerprintQuery::FingerprintQuery(const TargetOptions& options)
    : sql(fingerprint_sql(options.migration_table, options.migration_tool, options.checks)),
      params{pg_text_array(options.scope.schemas), pg_text_array(options.scope.exclude_schemas)} {}

boost::asio::awaitable<Fingerprint> read_fingerprint(PgConnection& connection,
                                                     const FingerprintQuery& query,
                                                     Deadline deadline) {
  const std::array<Statement, 2> statements{
      Statement{kSetStatementTimeout, {statement_timeout_ms(deadline)}},
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
  statements.push_back({kSetStatementTimeout, {statement_timeout_ms(deadline)}});
  // Definitions schema-qualified, so that the recipe means the same under any search_path.
  statements.push_back({"SELECT pg_catalog.set_config('search_path', '', true)", {}});
  for (const auto& type : types) statements.push_back({dependents_sql(), {type.schema, type.name}});
  auto results = co_await connection.run_pipeline(statements, deadline);
  const std::string where = " (" + connection.description() + ")";
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].error) throw query_failed(results[i], "reading the dependents failed" + where);
  }
  for (std::size_t i = 0; i < types.size(); ++i)
    state.catalog.dependents[types[i]] = decode_dependents(results[i + 2].rows);
}

boost::asio::awaitable<void> read_impact_estimates(PgConnection& connection,
                                                   std::vector<DriftItem>& items,
                                                   const Catalog& catalog, Deadline deadline) {
  const auto columns = impact_columns(items, catalog);
  if (columns.empty()) co_return;
  const std::array<Statement, 2> statements{
      Statement{kSetStatementTimeout, {statement_timeout_ms(deadline)}},
      Statement{column_stats_sql(), column_stats_params(columns)}};
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
  statements.push_back({kSetStatementTimeout, {statement_timeout_ms(deadline)}});
  std::vector<std::string> sql;
  sql.reserve(columns.size());
  for (const auto& column : columns) sql.push_back(exact_count_sql(column));
  for (const auto& text : sql) statements.push_back({text, {values}});
  auto results = co_await connection.run_pipeline(statements, deadline);
  CountsByColumn counts;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].error)
      throw query_failed(results[i], "counting rows failed (" + connection.description() + ")");
    if (i == 0) continue;
    auto& per_value = counts[columns[i - 1]];
    for (const auto& row : results[i].rows) {
      if (row.size() == 2 && row[0] && row[1]) per_value[*row[0]] = std::stoll(*row[1]);
    }
  }
  attach_counts(items, catalog, counts);
}

}  // namespace enumwatch
