// enumwatch snapshot: capture the enums of a live database as a snapshot file.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/run_blocking.hpp"
#include "enumwatch/error.hpp"
#include "enumwatch/snapshot.hpp"
#include "enumwatch/text.hpp"
#include "pg/catalog_reader.hpp"

namespace enumwatch {

int run_snapshot(const SnapshotArgs& args) {
  auto timeout = parse_duration(args.timeout);
  if (!timeout) throw Error("--timeout \"" + args.timeout + "\" is not a duration (e.g. 10s)");
  TargetOptions options;
  options.scope.schemas = args.schemas;
  ConnParams params = parse_dsn(args.dsn);
  const Deadline deadline = std::chrono::steady_clock::now() + *timeout;

  Snapshot snapshot = run_blocking([&]() -> boost::asio::awaitable<Snapshot> {
    auto connection = co_await PgConnection::connect(params, deadline);
    DatabaseState state = co_await read_database(*connection, options, deadline);
    Snapshot out;
    out.enums = std::move(state.catalog.enums);
    out.source = "enumwatch snapshot of " + connection->description();
    co_return out;
  });
  if (!args.revision.empty()) snapshot.revision = args.revision;

  const std::string text = args.format == "json" ? to_json(snapshot) : to_toml(snapshot);
  if (args.output.empty() || args.output == "-") {
    std::cout << text;
  } else {
    write_file_atomically(args.output, text);
    std::cerr << "enumwatch: wrote " << snapshot.enums.size() << " enum types to " << args.output
              << "\n";
  }
  return kExitOk;
}

}  // namespace enumwatch
