// enumwatch diff: one snapshot against a live database or another snapshot; text, JSON or the
// remediation SQL.
#include <boost/json.hpp>
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "cli/run_blocking.hpp"
#include "enumwatch/core/duration.hpp"
#include "enumwatch/core/error.hpp"
#include "enumwatch/core/text.hpp"
#include "enumwatch/diff/diff.hpp"
#include "enumwatch/report/report.hpp"
#include "enumwatch/sql/remediation.hpp"
#include "enumwatch/sql/sql_quote.hpp"
#include "pg/catalog_reader.hpp"
#include "pg/drift_reader.hpp"

namespace enumwatch::cli {
namespace {

struct DiffArgs {
  std::string snapshot;
  DsnSource database;
  std::string against;
  std::vector<std::string> schemas;
  std::string format = "text";
  std::string timeout = "10s";
  std::string lock_timeout = "5s";
  std::string impact = "estimate";
};

// Items that SQL cannot fix are listed as comments, so the script stays safe to pipe into psql.
std::string sql_output(const std::vector<DriftItem>& items) {
  if (items.empty()) return "-- enumwatch: no drift, nothing to do\n";
  std::string out;
  for (const auto& i : items) {
    if (i.remediation_sql) continue;
    out += "-- not fixable in SQL: " + std::string(to_string(i.kind)) + " " +
           sql_comment((i.enum_name.empty() ? std::string() : i.schema + "." + i.enum_name + ": ") +
                       i.message) +
           "\n";
  }
  if (!out.empty()) out += "\n";
  return out + remediation_script(items);
}

// Reads the catalog, and the dependents of every type whose fix recreates it (so that the
// recipe keeps them), in one connection.
DatabaseState read_live(const DiffArgs& args, std::span<const NamedSnapshot> snapshots,
                        const DiffOptions& options, std::string& target,
                        std::vector<DriftItem>& items) {
  const Duration timeout = parse_timeout_option(args.timeout);
  ConnParams params = parse_dsn(args.database.resolve());
  const std::string* dbname = params.find("dbname");
  target = dbname ? *dbname : std::string("database");
  TargetOptions read_options;
  read_options.scope = options.scope;
  const Deadline deadline = std::chrono::steady_clock::now() + timeout;
  return run_blocking([&]() -> boost::asio::awaitable<DatabaseState> {
    auto connection = co_await PgConnection::connect(params, deadline);
    DatabaseState state = co_await read_database(*connection, read_options, deadline);
    // Exact counts scan the tables, so they are asked for; they are bounded by --timeout and a
    // timeout is an error (exit 2), never a silent estimate.
    DriftRead read = co_await read_drift(
        *connection, target, snapshots, state, options,
        args.impact == "exact" ? ImpactRead::exact : ImpactRead::estimate, deadline);
    for (const auto& failure : read.failures) {
      // The drift is known; only the recipe, the attribution or the impact is poorer, and it
      // says so.
      std::cerr << "enumwatch: warning: reading " << failure.what() << " failed ("
                << escape_control(failure.error) << "): "
                << (failure.read == "dependents"   ? "the SQL does not keep them"
                    : failure.read == "changed_by" ? "who changed it is unknown"
                                                   : "impact is unknown")
                << "\n";
    }
    items = std::move(read.items);
    co_return state;
  });
}

int diff_command(const DiffArgs& args) {
  if (args.database.given() && !args.against.empty())
    throw Error(
        "diff takes a database (--dsn, --dsn-file or PG* variables) or --against, not both");
  if (args.impact == "exact" && !args.against.empty())
    throw Error("--impact exact counts rows in a database: give --dsn, not --against");
  Snapshot expected = load_snapshot(args.snapshot);
  DiffOptions options;  // the snapshot is the whole policy: order matters, no naming rule
  options.scope.schemas = args.schemas;
  options.lock_timeout = parse_timeout_option(args.lock_timeout, "--lock-timeout");
  const std::vector<NamedSnapshot> snapshots{
      {file_stem(args.snapshot), std::make_shared<Snapshot>(std::move(expected))}};
  DatabaseState database;
  std::string target;
  std::vector<DriftItem> items;
  if (!args.against.empty()) {
    auto other = std::make_shared<Snapshot>(load_snapshot(args.against));
    database.catalog.enums = other->enums;
    database.catalog.checks = other->checks;
    database.migration_revision = other->revision;
    target = args.against;
    // Two services' snapshots: where they name one type differently, one of them is wrong.
    std::vector<NamedSnapshot> both = snapshots;
    both.push_back({file_stem(args.against), other});
    items = snapshot_conflicts(target, both, options);
    auto found = diff(target, snapshots, database, options);
    items.insert(items.end(), std::make_move_iterator(found.begin()),
                 std::make_move_iterator(found.end()));
  } else {
    database = read_live(args, snapshots, options, target, items);
  }

  if (args.format == "json") {
    std::cout << boost::json::serialize(drift_json(items)) << "\n";
  } else if (args.format == "sql") {
    std::cout << sql_output(items);
  } else if (items.empty()) {
    std::cout << "no drift\n";
  } else {
    std::cout << render_items_text(items, stdout_wants_colour());
  }
  return items.empty() ? kExitOk : kExitDrift;
}

}  // namespace

Command add_diff(CLI::App& app) {
  auto args = std::make_shared<DiffArgs>();
  auto* command =
      app.add_subcommand("diff", "Diff a snapshot against a database or another snapshot");
  command->add_option("--snapshot", args->snapshot, "The expected snapshot (TOML or .json)")
      ->required();
  auto* dsn = add_dsn_options(*command, args->database);
  auto* against = command->add_option(
      "--against", args->against,
      "A snapshot standing for the database (instead of --dsn, --dsn-file or PG* variables)");
  dsn->excludes(against);
  command->add_option("--schema", args->schemas, "Only this schema (repeatable)");
  command->add_option("--format", args->format, "text, json or sql")
      ->check(CLI::IsMember({"text", "json", "sql"}));
  command->add_option("--timeout", args->timeout, "Connect + query time limit (default 10s)");
  command
      ->add_option("--impact", args->impact,
                   "How rows per drifting value are found: estimate (pg_stats, no scan; the "
                   "default) or exact (counts them, bounded by --timeout)")
      ->check(CLI::IsMember({"estimate", "exact"}));
  command->add_option("--lock-timeout", args->lock_timeout,
                      "lock_timeout of the SQL that recreates a type (default 5s): it fails "
                      "instead of queueing behind a long transaction");
  return {command, [args] { return diff_command(*args); }};
}

}  // namespace enumwatch::cli
