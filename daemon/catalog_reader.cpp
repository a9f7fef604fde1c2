#include "catalog_reader.hpp"

#include <algorithm>

namespace enumwatch {

boost::asio::awaitable<DatabaseState> read_database(PgConnection& connection, const TargetOptions& options,
                                                    Deadline deadline) {
  using namespace std::chrono;
  // The server stops the queries too when the poll's time is up. An empty search_path makes
  // pg_get_expr qualify type names in column defaults, so remediation SQL can reuse them.
  const auto remaining = duration_cast<milliseconds>(deadline - steady_clock::now()).count();
  const std::string schemas = pg_text_array(options.scope.schemas);
  const std::string excluded = pg_text_array(options.scope.exclude_schemas);
  std::vector<Statement> statements{
      {"SELECT pg_catalog.set_config('statement_timeout', $1, true), "
       "pg_catalog.set_config('search_path', '', true)",
       {std::to_string(std::max<long long>(remaining, 1))}},
      {std::string(enum_types_sql()), {schemas, excluded}},
      {std::string(column_usage_sql()), {schemas, excluded}},
  };
  if (!options.migration_table.empty()) {
    statements.push_back({migration_revision_sql(options.migration_table), {}});
  }

  auto results = co_await connection.run_pipeline(statements, deadline);
  for (std::size_t i = 0; i < 3; ++i) {
    if (results[i].error) {
      throw PgError(results[i].sqlstate == "57014" ? PgError::Kind::timeout : PgError::Kind::query,
                    "reading the catalog failed: " + *results[i].error + " (" + connection.description() + ")",
                    results[i].sqlstate);
    }
  }
  DatabaseState state;
  state.catalog = decode_catalog(results[1].rows, results[2].rows, options.scope);
  if (!options.migration_table.empty()) {
    const auto& revision = results[3];
    if (revision.error) {
      std::string hint = revision.sqlstate == "42P01"
                             ? ": set migration_table to the table your migration tool writes, or to \"\""
                             : "";
      throw PgError(PgError::Kind::query,
                    "reading migration_table \"" + options.migration_table + "\" failed: " + *revision.error + hint,
                    revision.sqlstate);
    }
    state.migration_revision = decode_migration_revision(revision.rows);
  }
  co_return state;
}

}  // namespace enumwatch
