// enumwatch diff: one snapshot against a live database or another snapshot; text, JSON or the
// remediation SQL.
#include <boost/json.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/run_blocking.hpp"
#include "enumwatch/error.hpp"
#include "enumwatch/remediation.hpp"
#include "enumwatch/report.hpp"
#include "pg/catalog_reader.hpp"

namespace enumwatch {
namespace {

std::string stem(const std::string& path) {
  auto slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  auto dot = name.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

// Items that SQL cannot fix are listed as comments, so the script stays safe to pipe into psql.
std::string sql_output(const std::vector<DriftItem>& items) {
  if (items.empty()) return "-- enumwatch: no drift, nothing to do\n";
  std::string out;
  for (const auto& i : items) {
    if (i.remediation_sql) continue;
    out += "-- not fixable in SQL: " + std::string(to_string(i.kind)) + " " +
           (i.enum_name.empty() ? std::string() : i.schema + "." + i.enum_name + ": ") + i.message +
           "\n";
  }
  if (!out.empty()) out += "\n";
  return out + remediation_script(items);
}

}  // namespace

int run_diff(const DiffArgs& args) {
  Snapshot expected = load_snapshot(args.snapshot);
  DiffOptions options;  // the snapshot is the whole policy: order matters, no naming rule
  options.scope.schemas = args.schemas;
  DatabaseState database;
  std::string target;
  if (!args.against.empty()) {
    Snapshot other = load_snapshot(args.against);
    database.catalog.enums = other.enums;
    database.migration_revision = other.revision;
    target = args.against;
  } else {
    auto timeout = parse_duration(args.timeout);
    if (!timeout) throw Error("--timeout \"" + args.timeout + "\" is not a duration (e.g. 10s)");
    ConnParams params = parse_dsn(args.dsn);
    const std::string* dbname = params.find("dbname");
    target = dbname ? *dbname : std::string("database");
    TargetOptions read_options;
    read_options.scope = options.scope;
    const Deadline deadline = std::chrono::steady_clock::now() + *timeout;
    database = run_blocking([&]() -> boost::asio::awaitable<DatabaseState> {
      auto connection = co_await PgConnection::connect(params, deadline);
      co_return co_await read_database(*connection, read_options, deadline);
    });
  }
  std::vector<NamedSnapshot> snapshots{
      {stem(args.snapshot), std::make_shared<Snapshot>(std::move(expected))}};
  auto items = diff(target, snapshots, database, options);

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

}  // namespace enumwatch
