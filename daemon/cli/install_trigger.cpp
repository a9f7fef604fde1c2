// enumwatch install-trigger: install (or remove) the event trigger of SPEC §9 in one database, in
// one transaction; --print writes the SQL for a DBA instead.
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "cli/run_blocking.hpp"
#include "enumwatch/ddl_trigger.hpp"
#include "enumwatch/duration.hpp"
#include "enumwatch/error.hpp"
#include "pg/connection.hpp"

namespace enumwatch::cli {
namespace {

struct InstallTriggerArgs {
  DsnSource database;
  bool uninstall = false;
  bool print = false;
  std::string timeout = "10s";
};

int install_trigger(const InstallTriggerArgs& args) {
  if (args.print) {
    std::cout << ddl_trigger_script(args.uninstall);
    return kExitOk;
  }
  const Duration timeout = parse_timeout_option(args.timeout);
  ConnParams params = parse_dsn(args.database.resolve());
  const Deadline deadline = std::chrono::steady_clock::now() + timeout;
  const std::vector<std::string> sql = ddl_trigger_statements(args.uninstall);
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
  auto* dsn = add_dsn_options(*command, args->database);
  command->add_flag("--uninstall", args->uninstall, "Remove the trigger and its function");
  auto* print = command->add_flag("--print", args->print,
                                  "Write the SQL (one transaction) instead, for a DBA to run");
  print->excludes(dsn);
  command->add_option("--timeout", args->timeout, "Connect + install time limit (default 10s)");
  return {command, [args] { return install_trigger(*args); }};
}

}  // namespace enumwatch::cli
