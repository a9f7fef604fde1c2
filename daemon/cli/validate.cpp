// enumwatch validate: runs a pending migration on a throwaway copy before it is deployed and
// reports what it would do (docs/validate.md).
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>

#include "cli/command.hpp"
#include "enumwatch/core/duration.hpp"
#include "enumwatch/core/error.hpp"
#include "enumwatch/core/file_io.hpp"
#include "enumwatch/diff/diff.hpp"
#include "enumwatch/report/report.hpp"
#include "enumwatch/sql/sql_quote.hpp"
#include "enumwatch/validate/migration_script.hpp"
#include "enumwatch/validate/validation.hpp"
#include "pg/catalog_reader.hpp"
#include "pg/migration_runner.hpp"
#include "pg/read_pipeline.hpp"
#include "pg/schema_dump.hpp"
#include "pg/throwaway_cluster.hpp"

namespace enumwatch::cli {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;

struct ValidateArgs {
  DsnSource production;
  std::vector<std::string> snapshots;
  std::vector<std::string> previous_snapshots;
  std::vector<std::string> migrations;
  std::string shadow_dsn;
  std::string schema_from;
  std::string format = "text";
  std::string fail_on = "warning";
  std::string timeout = "60s";
};

std::string read_text(const std::string& path, std::string_view what) {
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  return read_file(path, what);
}

// Each --migration: a file, standard input, or a directory's files in the order their tool
// applies them (migration_order).
std::vector<MigrationScript> read_migrations(const std::vector<std::string>& paths) {
  std::vector<MigrationScript> scripts;
  for (const auto& path : paths) {
    std::error_code ec;
    if (path != "-" && fs::is_directory(path, ec)) {
      std::vector<std::string> names;
      for (const auto& entry : fs::directory_iterator(path, ec))
        if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
      if (ec) throw Error("--migration " + path + ": cannot list the directory: " + ec.message());
      const auto ordered = migration_order(std::move(names));
      if (ordered.empty())
        throw Error("--migration " + path + ": no .sql migration in the directory");
      for (const auto& name : ordered) {
        const std::string file = (fs::path(path) / name).string();
        scripts.push_back(parse_migration(file, read_text(file, "--migration")));
      }
    } else {
      scripts.push_back(parse_migration(path, read_text(path, "--migration")));
    }
  }
  return scripts;
}

Severity severity_option(const std::string& text) {
  if (text == "info") return Severity::info;
  if (text == "critical") return Severity::critical;
  return Severity::warning;
}

// The database the migration runs in: a throwaway cluster's, or a uniquely named one on
// --shadow-dsn's server, dropped at the end whatever happens.
class ShadowDatabase {
 public:
  ShadowDatabase(const std::string& shadow_dsn, Deadline deadline) {
    if (shadow_dsn.empty()) {
      cluster_ = ThrowawayCluster::start();
      params_ = cluster_->params("postgres");
      kind_ = "initdb";
      return;
    }
    admin_ = parse_dsn(shadow_dsn);
    std::random_device random;
    name_ = "enumwatch_validate_" + std::to_string(random()) + std::to_string(random() % 1000);
    run_admin("CREATE DATABASE " + quote_ident(name_), deadline);
    created_ = true;
    params_ = admin_;
    params_.set("dbname", name_);
    kind_ = "shadow-dsn";
  }
  ~ShadowDatabase() {
    if (!created_) return;
    try {
      run_admin("DROP DATABASE IF EXISTS " + quote_ident(name_) + " WITH (FORCE)",
                std::chrono::steady_clock::now() + std::chrono::seconds(30));
    } catch (const std::exception& e) {
      print_error("validate: could not drop the shadow database " + name_ + ": " + e.what() +
                  "; drop it by hand");
    }
  }
  ShadowDatabase(const ShadowDatabase&) = delete;
  ShadowDatabase& operator=(const ShadowDatabase&) = delete;

  [[nodiscard]] const ConnParams& params() const { return params_; }
  [[nodiscard]] const std::string& kind() const { return kind_; }

 private:
  // On its own loop: the destructor runs also while an interrupted loop unwinds.
  void run_admin(const std::string& sql, Deadline deadline) {
    asio::io_context io;
    // Named: a coroutine lambda's captures live in the closure, which must outlive io.run().
    auto work = [&]() -> asio::awaitable<void> {
      auto connection = co_await PgConnection::connect(admin_, deadline);
      const Statement statement{sql, {}};
      auto results = co_await connection->run_pipeline({&statement, 1}, deadline);
      if (results.at(0).error) {
        const bool denied = results[0].sqlstate == "42501";
        throw Error("--shadow-dsn: " + *results[0].error +
                    (denied ? ": the role needs CREATEDB (ALTER ROLE ... CREATEDB)" : ""));
      }
    };
    auto done = asio::co_spawn(io, work(), asio::use_future);
    io.run();
    done.get();
  }

  std::unique_ptr<ThrowawayCluster> cluster_;
  ConnParams admin_;
  ConnParams params_;
  std::string name_;
  std::string kind_;
  bool created_ = false;
};

// pg_dump's --lock-wait-timeout: it takes ACCESS SHARE on every table, and must not queue
// production's queries behind it while a long DDL holds one.
constexpr int kDumpLockWaitSeconds = 10;

TargetOptions read_options() {
  TargetOptions options;  // every schema but the catalog's
  options.naming = NamingPolicy::none;
  return options;
}

// Table sizes in production, by schema.table as the runner names them (quote_ident each).
constexpr std::string_view kTableSizes =
    "SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) "
    "pg_catalog.quote_ident(c.relname), c.reltuples::pg_catalog.text FROM pg_catalog.pg_class c "
    "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
    "WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,m,p}'::pg_catalog.\"char\"[])";

// What validate --dsn reads from production, read only: its catalog (for the columns that use
// each type), its tables' row estimates and its schema (pg_dump); the connection stays open for
// pg_stats.
struct Production {
  std::shared_ptr<PgConnection> connection;
  DatabaseState state;
  std::map<std::string, double> rows;  // never-analysed tables (reltuples -1) are absent
  std::optional<MigrationScript> schema;
};

asio::awaitable<Production> read_production(const ConnParams& params, const PgDump& pg_dump,
                                            Deadline deadline) {
  Production production;
  production.connection = co_await PgConnection::connect(params, deadline);
  production.state = co_await read_database(*production.connection, read_options(), deadline);
  ReadPipeline reads(deadline, "reading production's table sizes");
  const auto version = reads.add(CatalogRead<int>{
      "SELECT pg_catalog.current_setting('server_version_num')", {}, [](const Rows& rows) {
        if (rows.size() != 1 || rows[0].size() != 1 || !rows[0][0])
          throw Error("unexpected server_version_num row");
        return std::atoi(rows[0][0]->c_str());
      }});
  const auto sizes = reads.add(CatalogRead<std::map<std::string, double>>{
      std::string(kTableSizes), {}, [](const Rows& rows) {
        std::map<std::string, double> out;
        for (const auto& row : rows) {
          if (row.size() != 2 || !row[0] || !row[1]) throw Error("unexpected table size row");
          const double tuples = std::strtod(row[1]->c_str(), nullptr);
          if (tuples >= 0) out[*row[0]] = tuples;
        }
        return out;
      }});
  co_await reads.run(*production.connection);
  production.rows = reads.take(sizes);
  // Before pg_dump runs: a pg_dump older than the server refuses it, and says less clearly why.
  require_pg_dump_for(pg_dump, reads.take(version));
  production.schema = parse_migration("production's schema (pg_dump)",
                                      dump_schema(pg_dump, params, kDumpLockWaitSeconds));
  co_return production;
}

// The views whose rules use one of `columns` (table as written, column): what an ALTER COLUMN
// ... TYPE refused with 0A000 trips over; as schema.name.
constexpr std::string_view kViewsUsingColumn =
    "SELECT DISTINCT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' "
    "OPERATOR(pg_catalog.||) pg_catalog.quote_ident(v.relname) "
    "FROM pg_catalog.pg_depend d "
    "JOIN pg_catalog.pg_rewrite r ON r.oid OPERATOR(pg_catalog.=) d.objid "
    "JOIN pg_catalog.pg_class v ON v.oid OPERATOR(pg_catalog.=) r.ev_class "
    "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) v.relnamespace "
    "JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) d.refobjid "
    "AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid "
    "WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass "
    "AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass "
    "AND d.refobjid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1) "
    "AND a.attname OPERATOR(pg_catalog.=) $2 AND v.oid OPERATOR(pg_catalog.<>) d.refobjid "
    "ORDER BY 1";

asio::awaitable<std::vector<std::string>> views_using(
    PgConnection& connection, const std::vector<std::pair<WrittenName, std::string>>& columns,
    Deadline deadline) {
  std::vector<Statement> reads;
  for (const auto& [table, column] : columns) {
    std::string relation = table.schema ? quote_ident(*table.schema) + "." : std::string();
    relation += quote_ident(table.name);
    reads.push_back({kViewsUsingColumn, {std::move(relation), column}});
  }
  std::vector<std::string> views;
  for (const auto& result : co_await connection.run_pipeline(reads, deadline)) {
    if (result.error) continue;  // only an explanation: the failure stands without it
    for (const auto& row : result.rows)
      if (!row.empty() && row[0] && std::find(views.begin(), views.end(), *row[0]) == views.end())
        views.push_back(*row[0]);
  }
  co_return views;
}

// A statement's rows: production's estimate for the table it rewrote, else the one it locked.
std::optional<double> rows_of(const StatementRun& run, const Production& production) {
  for (const bool rewrites : {true, false}) {
    for (const auto& lock : run.locks) {
      if (lock.rewrite != rewrites) continue;
      const auto found = production.rows.find(lock.relation);
      if (found != production.rows.end()) return found->second;
    }
  }
  return std::nullopt;
}

asio::awaitable<ValidationReport> validate(const std::vector<NamedSnapshot>& snapshots,
                                           const std::vector<NamedSnapshot>& previous,
                                           const std::vector<MigrationScript>& migrations,
                                           const std::optional<MigrationScript>& schema,
                                           const std::optional<Production>& production,
                                           const ShadowDatabase& shadow, Deadline deadline) {
  ValidationReport report;
  report.shadow = shadow.kind();
  const MigrationScript* start = schema                             ? &*schema
                                 : production && production->schema ? &*production->schema
                                                                    : nullptr;
  auto connection = co_await PgConnection::connect(shadow.params(), deadline);
  if (start) {
    co_await load_schema(*connection, *start, deadline);
    // The migration gets a session of its own, as under its tool: not the SETs of a dump
    // (pg_dump empties search_path).
    connection = co_await PgConnection::connect(shadow.params(), deadline);
  }
  const DatabaseState before = co_await read_database(*connection, read_options(), deadline);
  const TypeDependentNames dependents_before = co_await read_type_dependents(*connection, deadline);
  // What took effect on the copy: the findings that compare before and after point into it.
  std::vector<MigrationScript> applied;
  for (const auto& script : migrations) {
    MigrationOutcome outcome = co_await run_migration(*connection, script, deadline);
    const std::size_t ran = outcome.statements.size();
    for (auto& run : outcome.statements) {
      if (production) run.rows = rows_of(run, *production);
      for (auto& finding : statement_findings(run)) report.findings.push_back(std::move(finding));
      report.statements.push_back(std::move(run));
    }
    if (outcome.failure) {
      // The failed statement is the last that ran (or, at COMMIT, the file's last one).
      const std::size_t failed = ran == 0 ? 0 : ran - 1;
      if (failed < script.statements.size() && failed_with(*outcome.failure, "0A000") &&
          !script.statements[failed].retyped_columns.empty()) {
        name_blocking_views(
            *outcome.failure,
            co_await views_using(*connection, script.statements[failed].retyped_columns, deadline));
      }
      report.findings.push_back(std::move(*outcome.failure));
      applied.push_back(committed_part(script, failed));
      break;  // the run stops at a failed transaction; the drift is what the copy holds
    }
    applied.push_back(script);
  }
  const DatabaseState after = co_await read_database(*connection, read_options(), deadline);
  const TypeDependentNames dependents_after = co_await read_type_dependents(*connection, deadline);
  for (auto& finding : lost_dependents(dependents_before, dependents_after, applied))
    report.findings.push_back(std::move(finding));
  for (auto& finding :
       rolling_deploy_findings(before.catalog, after.catalog, previous, snapshots, applied))
    report.findings.push_back(std::move(finding));
  for (auto& finding : order_changes(before.catalog, after.catalog, applied))
    report.findings.push_back(std::move(finding));
  if (production) {
    // The values the migration takes away, weighed by production's pg_stats as `diff` weighs
    // drift (docs/drift-kinds.md, "Impact"): no table is scanned.
    std::vector<DriftItem> removed = removed_value_items(before.catalog, after.catalog);
    co_await read_impact_estimates(*production->connection, removed, production->state.catalog,
                                   deadline);
    for (auto& finding : rows_remain_findings(removed, applied))
      report.findings.push_back(std::move(finding));
  }
  DiffOptions options;  // as diff: the snapshot is the whole policy
  report.drift = diff("validate", snapshots, after, options);
  for (auto& finding : drift_findings(report.drift, before.catalog, applied))
    report.findings.push_back(std::move(finding));
  co_return report;
}

// Runs the validation on a loop that SIGINT and SIGTERM stop: the handler's exception leaves
// io.run(), the loop's coroutines are destroyed, and `shadow` (declared before the loop) then
// stops the server or drops the database (docs/validate.md, "Cleaning up").
ValidationReport run_interruptible(const ValidateArgs& args,
                                   const std::vector<NamedSnapshot>& snapshots,
                                   const std::vector<NamedSnapshot>& previous,
                                   const std::vector<MigrationScript>& migrations,
                                   const std::optional<MigrationScript>& schema,
                                   const std::optional<ConnParams>& production,
                                   const std::optional<PgDump>& pg_dump, Deadline deadline) {
  asio::io_context io;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code& ec, int signal) {
    if (!ec) {
      throw Error(std::string("validate: interrupted by ") +
                  (signal == SIGINT ? "SIGINT" : "SIGTERM") + "; the throwaway copy was removed");
    }
  });
  // Signals are caught from here on, so that initdb's seconds are covered too.
  std::unique_ptr<ShadowDatabase> shadow;
  std::optional<ValidationReport> report;
  std::exception_ptr failure;
  // Named: a coroutine lambda's captures live in the closure, which must outlive io.run().
  auto work = [&]() -> asio::awaitable<ValidationReport> {
    // Production first: what is wrong there (a refused connection, an old pg_dump) is said
    // before a server is started for nothing.
    std::optional<Production> read;
    if (production) read = co_await read_production(*production, *pg_dump, deadline);
    shadow = std::make_unique<ShadowDatabase>(args.shadow_dsn, deadline);
    co_return co_await validate(snapshots, previous, migrations, schema, read, *shadow, deadline);
  };
  asio::co_spawn(io, work(), [&](std::exception_ptr e, ValidationReport r) {
    failure = e;
    if (!e) report = std::move(r);
    signals.cancel();
  });
  try {
    io.run();
  } catch (...) {
    io.stop();
    throw;  // `shadow` cleans up as this unwinds
  }
  if (failure) std::rethrow_exception(failure);
  return std::move(*report);
}

int validate_command(const ValidateArgs& args) {
  std::vector<NamedSnapshot> snapshots, previous;
  for (const auto& path : args.snapshots)
    snapshots.push_back({file_stem(path), std::make_shared<Snapshot>(load_snapshot(path))});
  for (const auto& path : args.previous_snapshots)
    previous.push_back({file_stem(path), std::make_shared<Snapshot>(load_snapshot(path))});
  const auto migrations = read_migrations(args.migrations);
  std::optional<MigrationScript> schema;
  if (!args.schema_from.empty())
    schema = parse_migration(args.schema_from, read_text(args.schema_from, "--schema-from"));
  std::optional<ConnParams> production;
  std::optional<PgDump> pg_dump;
  if (args.production.given()) {
    if (schema)
      throw Error("validate starts from --dsn (production's schema) or --schema-from, not both");
    production = parse_dsn(args.production.resolve());
    pg_dump = find_pg_dump();  // a missing pg_dump is said before anything connects or starts
  }
  const Duration timeout = parse_timeout_option(args.timeout);
  const Deadline deadline = std::chrono::steady_clock::now() + timeout;

  const ValidationReport report = run_interruptible(args, snapshots, previous, migrations, schema,
                                                    production, pg_dump, deadline);
  if (args.format == "json") {
    std::cout << boost::json::serialize(to_json(report)) << "\n";
  } else if (args.format == "markdown") {
    std::cout << render_validation_markdown(report);
  } else {
    std::cout << render_validation_text(report);
  }
  return has_findings_at(report, severity_option(args.fail_on)) ? kExitDrift : kExitOk;
}

}  // namespace

Command add_validate(CLI::App& app) {
  auto args = std::make_shared<ValidateArgs>();
  auto* command = app.add_subcommand(
      "validate", "Run a pending migration on a throwaway copy and report what it would do");
  command->add_option("--snapshot", args->snapshots, "The code after the deploy (repeatable)")
      ->required();
  command->add_option("--previous-snapshot", args->previous_snapshots,
                      "The code running now, and during a rolling deploy (repeatable)");
  command
      ->add_option("--migration", args->migrations,
                   "A .sql file, a directory of them (Flyway, golang-migrate order) or - for "
                   "standard input (repeatable, applied in the order given)")
      ->required();
  auto* dsn = add_dsn_options(*command, args->production);
  dsn->description(
      "Production, read only: its schema (read by pg_dump) is the starting point, its row "
      "estimates weigh the findings");
  command->add_option("--shadow-dsn", args->shadow_dsn,
                      "A server where the role may create databases, instead of a throwaway "
                      "server of enumwatch's own");
  command->add_option("--schema-from", args->schema_from,
                      "A schema SQL file to start from (default: an empty database)");
  command->add_option("--format", args->format, "text, json or markdown")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  command
      ->add_option("--fail-on", args->fail_on,
                   "Exit 1 for findings at or above: info, warning (default) or critical")
      ->check(CLI::IsMember({"info", "warning", "critical"}));
  command->add_option("--timeout", args->timeout,
                      "Time limit for the whole validation, server start included (default 60s)");
  return {command, [args] { return validate_command(*args); }};
}

}  // namespace enumwatch::cli
