#include "pg/migration_runner.hpp"

#include <map>
#include <set>
#include <string>

#include "enumwatch/catalog/ddl_trigger.hpp"
#include "enumwatch/core/error.hpp"

namespace enumwatch {
namespace {

// Tables of the migration's own schemas (not the catalog's), with their file nodes: a new file
// node after a statement is a rewrite. Every name is qualified: the migration may have set a
// search_path of its own.
constexpr std::string_view kRelationFiles =
    "SELECT c.oid::pg_catalog.text, c.relfilenode::pg_catalog.text, "
    "pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) "
    "pg_catalog.quote_ident(c.relname) "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) "
    "c.relnamespace WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,m,p}'::pg_catalog.\"char\"[]) "
    "AND n.nspname OPERATOR(pg_catalog.<>) ALL ('{pg_catalog,information_schema}'::"
    "pg_catalog.name[]) AND n.nspname OPERATOR(pg_catalog.!~) '^pg_toast'";

// The relation locks this session holds, by table oid and mode.
constexpr std::string_view kOwnLocks =
    "SELECT l.relation::pg_catalog.oid::pg_catalog.text, l.mode FROM pg_catalog.pg_locks l "
    "WHERE l.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid() AND l.locktype "
    "OPERATOR(pg_catalog.=) 'relation' AND l.granted";

constexpr std::string_view kLockTimeout = "SELECT pg_catalog.current_setting('lock_timeout')";

struct Relation {
  std::string file_node;
  std::string name;
};
using Relations = std::map<std::string, Relation>;            // by oid
using Locks = std::set<std::pair<std::string, std::string>>;  // (oid, mode)

struct Observation {
  Relations relations;
  Locks locks;
  bool lock_timeout_set = false;
};

const std::string& cell(const Row& row, std::size_t i) {
  static const std::string empty;
  return i < row.size() && row[i] ? *row[i] : empty;
}

// The PQcmdStatus without its counts: "INSERT 0 1" -> "INSERT", "ALTER TYPE" stays.
std::string command_tag(const std::string& status) {
  std::string tag = status;
  while (!tag.empty()) {
    const auto space = tag.find_last_of(' ');
    const std::string last = space == std::string::npos ? tag : tag.substr(space + 1);
    if (last.empty() || last.find_first_not_of("0123456789") != std::string::npos) break;
    tag = space == std::string::npos ? std::string() : tag.substr(0, space);
  }
  return tag;
}

boost::asio::awaitable<StatementResult> execute(PgConnection& connection, std::string_view sql,
                                                Deadline deadline) {
  const Statement statement{sql, {}};
  auto results = co_await connection.run_pipeline({&statement, 1}, deadline);
  co_return std::move(results.at(0));
}

boost::asio::awaitable<Observation> observe(PgConnection& connection, Deadline deadline) {
  const std::vector<Statement> reads{{kRelationFiles, {}}, {kOwnLocks, {}}, {kLockTimeout, {}}};
  auto results = co_await connection.run_pipeline(reads, deadline);
  for (const auto& r : results) {
    if (r.error) throw Error("validate: reading the copy's locks failed: " + *r.error);
  }
  Observation out;
  for (const auto& row : results[0].rows)
    out.relations[cell(row, 0)] = {cell(row, 1), cell(row, 2)};
  for (const auto& row : results[1].rows) out.locks.emplace(cell(row, 0), cell(row, 1));
  const std::string& timeout =
      results[2].rows.empty() ? std::string() : cell(results[2].rows[0], 0);
  out.lock_timeout_set = !timeout.empty() && timeout != "0";
  co_return out;
}

// The locks `after` holds that `before` did not, on tables that existed when the transaction
// began (`preexisting`): the ones this statement took. A rewrite shows as a new file node.
std::vector<LockTaken> locks_taken(const Observation& before, const Observation& after,
                                   const Relations& preexisting) {
  std::vector<LockTaken> out;
  std::set<std::string> rewritten;
  for (const auto& [oid, relation] : after.relations) {
    const auto old = before.relations.find(oid);
    if (preexisting.contains(oid) && old != before.relations.end() &&
        old->second.file_node != relation.file_node)
      rewritten.insert(oid);
  }
  // The strongest new lock per table is the one worth naming; a rewrite takes ACCESS EXCLUSIVE.
  std::map<std::string, std::string> strongest;
  static const std::vector<std::string> order{
      "AccessShareLock", "RowShareLock",          "RowExclusiveLock", "ShareUpdateExclusiveLock",
      "ShareLock",       "ShareRowExclusiveLock", "ExclusiveLock",    "AccessExclusiveLock"};
  auto rank = [&](const std::string& mode) {
    return std::find(order.begin(), order.end(), mode) - order.begin();
  };
  for (const auto& [oid, mode] : after.locks) {
    if (before.locks.contains({oid, mode}) || !preexisting.contains(oid)) continue;
    auto& held = strongest[oid];
    if (held.empty() || rank(mode) > rank(held)) held = mode;
  }
  for (const auto& oid : rewritten) strongest.try_emplace(oid, "AccessExclusiveLock");
  for (const auto& [oid, mode] : strongest) {
    const auto relation = after.relations.find(oid);
    if (relation == after.relations.end()) continue;
    // ACCESS SHARE (a read) and ROW EXCLUSIVE (a write) block nobody's DDL-free work: not shown.
    if (!rewritten.contains(oid) && (mode == "AccessShareLock" || mode == "RowExclusiveLock"))
      continue;
    out.push_back({relation->second.name, mode, rewritten.contains(oid)});
  }
  return out;
}

}  // namespace

boost::asio::awaitable<MigrationOutcome> run_migration(PgConnection& connection,
                                                       const MigrationScript& script,
                                                       Deadline deadline) {
  MigrationOutcome outcome;
  const bool own_transaction = !script.manages_transactions();
  bool in_transaction = false;
  Relations preexisting;
  if (own_transaction) {
    if (auto begun = co_await execute(connection, "BEGIN", deadline); begun.error)
      throw Error("validate: BEGIN failed on the copy: " + *begun.error);
    in_transaction = true;
    preexisting = (co_await observe(connection, deadline)).relations;
  }
  for (const auto& statement : script.statements) {
    std::optional<Observation> before;
    if (in_transaction) before = co_await observe(connection, deadline);
    StatementResult result = co_await execute(connection, statement.sql, deadline);
    StatementRun run{script.file,
                     statement.line,
                     statement.sql,
                     command_tag(result.command_status),
                     {},
                     std::nullopt,
                     before && before->lock_timeout_set};
    if (result.error) {
      outcome.statements.push_back(std::move(run));
      outcome.failure = migration_failed(script, statement, result.sqlstate, *result.error);
      if (in_transaction || statement.control == TransactionControl::commit)
        (void)co_await execute(connection, "ROLLBACK", deadline);
      co_return outcome;
    }
    switch (statement.control) {
      case TransactionControl::begin:
        in_transaction = true;
        preexisting = (co_await observe(connection, deadline)).relations;
        break;
      case TransactionControl::commit:
      case TransactionControl::rollback:
        in_transaction = false;
        break;
      default:
        if (before) {
          const Observation after = co_await observe(connection, deadline);
          run.locks = locks_taken(*before, after, preexisting);
        }
    }
    outcome.statements.push_back(std::move(run));
  }
  if (own_transaction) {
    // Deferred constraints fail here, at COMMIT: the last statement stands for the file.
    StatementResult committed = co_await execute(connection, "COMMIT", deadline);
    if (committed.error && !script.statements.empty()) {
      outcome.failure = migration_failed(script, script.statements.back(), committed.sqlstate,
                                         "at COMMIT: " + *committed.error);
      outcome.failure->line.reset();
    }
  }
  co_return outcome;
}

boost::asio::awaitable<TypeDependentNames> read_type_dependents(PgConnection& connection,
                                                                Deadline deadline) {
  static constexpr std::string_view kTypeDependents =
      "SELECT n.nspname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) t.typname, "
      "pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) "
      "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) "
      "t.typnamespace JOIN pg_catalog.pg_depend d ON d.refclassid OPERATOR(pg_catalog.=) "
      "'pg_catalog.pg_type'::pg_catalog.regclass AND (d.refobjid OPERATOR(pg_catalog.=) t.oid "
      "OR d.refobjid OPERATOR(pg_catalog.=) t.typarray) "
      "WHERE t.typtype OPERATOR(pg_catalog.=) 'e' AND d.deptype OPERATOR(pg_catalog.=) "
      "ANY ('{n,a}'::pg_catalog.\"char\"[])";
  // An empty search_path for the pipeline's transaction: pg_describe_object then qualifies every
  // name ("view public.v"), whatever path the migration set.
  const std::vector<Statement> reads{{kEmptySearchPath, {}}, {kTypeDependents, {}}};
  auto results = co_await connection.run_pipeline(reads, deadline);
  for (const auto& r : results)
    if (r.error) throw Error("validate: reading the copy's type dependents failed: " + *r.error);
  TypeDependentNames out;
  for (const auto& row : results[1].rows) out[cell(row, 0)].insert(cell(row, 1));
  co_return out;
}

boost::asio::awaitable<void> load_schema(PgConnection& connection, const MigrationScript& schema,
                                         Deadline deadline) {
  for (const auto& statement : schema.statements) {
    StatementResult result = co_await execute(connection, statement.sql, deadline);
    if (result.error) {
      throw Error(located({schema.file, statement.line, {}},
                          "the starting schema does not load on the copy: " + *result.error +
                              " (SQLSTATE " + result.sqlstate + ")"));
    }
  }
}

}  // namespace enumwatch
