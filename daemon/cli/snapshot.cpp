// enumwatch snapshot: capture the enums of a live database as a snapshot file.
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "cli/run_blocking.hpp"
#include "enumwatch/core/duration.hpp"
#include "enumwatch/core/file_io.hpp"
#include "enumwatch/snapshot/snapshot.hpp"
#include "pg/catalog_reader.hpp"

namespace enumwatch::cli {
namespace {

struct SnapshotArgs {
  DsnSource database;
  std::vector<std::string> schemas;
  std::string output;
  std::string revision;
  std::string format = "toml";
  std::string timeout = "10s";
};

int snapshot(const SnapshotArgs& args) {
  const Duration timeout = parse_timeout_option(args.timeout);
  TargetOptions options;
  options.scope.schemas = args.schemas;
  ConnParams params = parse_dsn(args.database.resolve());
  const Deadline deadline = std::chrono::steady_clock::now() + timeout;

  Snapshot snapshot = run_blocking([&]() -> boost::asio::awaitable<Snapshot> {
    auto connection = co_await PgConnection::connect(params, deadline);
    DatabaseState state = co_await read_database(*connection, options, deadline);
    Snapshot out;
    out.enums = std::move(state.catalog.enums);
    for (auto& check : state.catalog.checks) {
      CheckColumn entry;  // the snapshot's part: no constraint names, type or default
      entry.schema = std::move(check.schema);
      entry.table = std::move(check.table);
      entry.column = std::move(check.column);
      entry.values = std::move(check.values);
      out.checks.push_back(std::move(entry));
    }
    out.source = "enumwatch snapshot of " + connection->description();
    co_return out;
  });
  if (!args.revision.empty()) snapshot.revision = args.revision;

  const std::string text = args.format == "json" ? to_json(snapshot) : to_toml(snapshot);
  if (args.output.empty() || args.output == "-") {
    std::cout << text;
  } else {
    write_file_atomically(args.output, text);
    std::cerr << "enumwatch: wrote " << snapshot.enums.size() << " enum types and "
              << snapshot.checks.size() << " CHECK-constraint enums to " << args.output << "\n";
  }
  return kExitOk;
}

}  // namespace

Command add_snapshot(CLI::App& app) {
  auto args = std::make_shared<SnapshotArgs>();
  auto* command =
      app.add_subcommand("snapshot", "Capture the enums of a live database as a snapshot");
  add_dsn_options(*command, args->database);
  command->add_option("--schema", args->schemas, "Only this schema (repeatable)");
  command->add_option("--output", args->output, "Write here instead of stdout (atomically)");
  command->add_option("--revision", args->revision, "Record this code/migration revision");
  command->add_option("--format", args->format, "toml or json")
      ->check(CLI::IsMember({"toml", "json"}));
  command->add_option("--timeout", args->timeout, "Connect + query time limit (default 10s)");
  return {command, [args] { return snapshot(*args); }};
}

}  // namespace enumwatch::cli
