#include "pg/read_pipeline.hpp"

#include <algorithm>
#include <chrono>

namespace enumwatch {
namespace {

std::string statement_timeout_ms(Deadline deadline) {
  using namespace std::chrono;
  const auto remaining = duration_cast<milliseconds>(deadline - steady_clock::now()).count();
  return std::to_string(std::max<long long>(remaining, 1));
}

// Every setting ends with the pipeline's transaction. jit off: compiling a catalog query cost
// the server more than running it (1.1 s against 20 ms for the schema hashes of 50 schemas,
// docs/operations.md, "Polling"); a server without the setting (before PostgreSQL 11)
// is left as it is.
#define ENUMWATCH_NO_JIT                                           \
  "CASE WHEN pg_catalog.current_setting('jit', true) IS NOT NULL " \
  "THEN pg_catalog.set_config('jit', 'off', true) END"
constexpr std::string_view kEmptySearchPathAndTimeout =
    "SELECT pg_catalog.set_config('search_path', '', true), "
    "pg_catalog.set_config('statement_timeout', $1, true), " ENUMWATCH_NO_JIT;
constexpr std::string_view kTimeoutOnly =
    "SELECT pg_catalog.set_config('statement_timeout', $1, true), " ENUMWATCH_NO_JIT;
#undef ENUMWATCH_NO_JIT

}  // namespace

ReadPipeline::ReadPipeline(Deadline deadline, std::string what, Setup setup)
    : what_(std::move(what)), deadline_(deadline), setup_(setup) {
  statements_.push_back(
      {std::string(setup == Setup::empty_search_path ? kEmptySearchPathAndTimeout : kTimeoutOnly),
       {},
       false});
}

void ReadPipeline::set(std::string sql) {
  statements_.push_back({std::move(sql), {}, false});
}

boost::asio::awaitable<void> ReadPipeline::run(PgConnection& connection) {
  const auto sent = statements();
  accept(co_await connection.run_pipeline(sent, deadline_), connection.description());
}

std::vector<Statement> ReadPipeline::statements() {
  // The timeout is what is left of the deadline when the pipeline leaves, not when it was built.
  statements_.front().params = {statement_timeout_ms(deadline_)};
  std::vector<Statement> out;
  out.reserve(statements_.size());
  for (const auto& s : statements_) out.push_back({s.sql, s.params});
  return out;
}

void ReadPipeline::accept(std::vector<StatementResult> results, std::string description) {
  results_ = std::move(results);
  description_ = std::move(description);
}

void ReadPipeline::require_all() const {
  for (std::size_t i = 0; i < results_.size(); ++i)
    if (results_[i].error && !statements_.at(i).optional) throw failed(results_[i]);
}

PgError ReadPipeline::failed(const StatementResult& result, std::string_view what) const {
  return statement_error(result, std::string(what.empty() ? what_ : what) + " failed (" +
                                     description_ + "): " + result.error.value_or("no error"));
}

PgError ReadPipeline::statement_error(const StatementResult& result, std::string message) {
  const auto kind = result.sqlstate == "57014" ? PgError::Kind::timeout : PgError::Kind::query;
  return PgError(kind, std::move(message), result.sqlstate);
}

}  // namespace enumwatch
