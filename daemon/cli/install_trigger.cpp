// enumwatch install-trigger: install (or remove) the event trigger of docs/instant-detection.md in
// one database, in one transaction; --print writes the SQL for a DBA instead.
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "cli/run_blocking.hpp"
#include "enumwatch/catalog/ddl_trigger.hpp"
#include "enumwatch/core/duration.hpp"
#include "enumwatch/core/error.hpp"
#include "pg/connection.hpp"
#include "pg/read_pipeline.hpp"

namespace enumwatch::cli {
namespace {

struct InstallTriggerArgs {
  DsnSource database;
  bool uninstall = false;
  bool print = false;
  std::string timeout = "10s";
  std::vector<std::string> monitoring_roles;  // made members of enumwatch_reader
};

// --print --dsn: the script for that database, which refuses to run in any other. Reads only its
// name, with the same empty search_path as everything enumwatch sends.
std::string script_for(const ConnParams& params, const InstallTriggerArgs& args,
                       Deadline deadline) {
  const std::string database = run_blocking([&]() -> boost::asio::awaitable<std::string> {
    auto connection = co_await PgConnection::connect(params, deadline);
    ReadPipeline pipeline(deadline, "reading the database's name");
    const auto name = pipeline.add(CatalogRead<std::optional<std::string>>{
        "SELECT pg_catalog.current_database()", {}, [](const Rows& rows) {
          return rows.size() == 1 && rows[0].size() == 1 ? rows[0][0] : std::nullopt;
        }});
    co_await pipeline.run(*connection);
    pipeline.require_all();
    auto database = pipeline.take(name);
    if (!database)
      throw Error("reading the database's name failed: no answer (" + connection->description() +
                  ")");
    co_return *database;
  });
  return ddl_trigger_script(args.uninstall, database, args.monitoring_roles);
}

int install_trigger(const InstallTriggerArgs& args) {
  const Duration timeout = parse_timeout_option(args.timeout);
  const Deadline deadline = std::chrono::steady_clock::now() + timeout;
  if (args.print) {
    std::cout << (args.database.given()
                      ? script_for(parse_dsn(args.database.resolve()), args, deadline)
                      : ddl_trigger_script(args.uninstall, {}, args.monitoring_roles));
    return kExitOk;
  }
  ConnParams params = parse_dsn(args.database.resolve());
  const std::vector<std::string> sql =
      ddl_trigger_statements(args.uninstall, args.monitoring_roles);
  const std::string where = run_blocking([&]() -> boost::asio::awaitable<std::string> {
    auto connection = co_await PgConnection::connect(params, deadline);
    std::vector<Statement> statements;
    for (const auto& s : sql) statements.push_back({s, {}});
    // One pipeline is one implicit transaction: all of it, or nothing.
    const auto results = co_await connection->run_pipeline(statements, deadline);
    for (const auto& result : results) {
      if (!result.error || result.sqlstate.empty()) continue;
      std::string message = (args.uninstall ? "removing" : "installing") +
                            std::string(" the event trigger failed, nothing was changed: ") +
                            *result.error + " (" + connection->description() + ")";
      if (result.sqlstate == "42501") {
        message +=
            ": event triggers need a superuser; run this as one, or hand `enumwatch "
            "install-trigger --print` to a DBA";
      }
      throw Error(message);
    }
    co_return connection->description();
  });
  std::cerr << "enumwatch: " << (args.uninstall ? "removed" : "installed")
            << " the event trigger enumwatch_ddl_notify (" << where << ")\n";
  return kExitOk;
}

}  // namespace

Command add_install_trigger(CLI::App& app) {
  auto args = std::make_shared<InstallTriggerArgs>();
  auto* command = app.add_subcommand(
      "install-trigger",
      "Install (as a superuser, once per database) the event trigger that makes schema changes "
      "instant for the daemon (notify = \"auto\")");
  (void)add_dsn_options(*command, args->database);
  command->add_flag("--uninstall", args->uninstall,
                    "Remove the triggers, their functions and the log enumwatch.ddl_log");
  command->add_option("--monitoring-role", args->monitoring_roles,
                      "A role that may read who changed what (enumwatch.ddl_log): made a member "
                      "of enumwatch_reader; repeatable");
  command->add_flag("--print", args->print,
                    "Write the SQL (one transaction) instead, for a DBA to run; with --dsn, the "
                    "script for that database (it refuses to run in another)");
  command->add_option("--timeout", args->timeout, "Connect + install time limit (default 10s)");
  return {command, [args] { return install_trigger(*args); }};
}

}  // namespace enumwatch::cli
