// enumwatch: command-line entry point. Parses arguments and hands over to one command.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "app/daemon.hpp"
#include "cli/commands.hpp"
#include "enumwatch/error.hpp"
#include "version.hpp"

namespace enumwatch {

void print_error(const std::string& message) {
  std::cerr << "enumwatch: " << message << "\n";
}

bool stdout_wants_colour() {
  return ::isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
}

}  // namespace enumwatch

int main(int argc, char** argv) {
  using namespace enumwatch;
  CLI::App app{"enumwatch: watches PostgreSQL enum types for drift from the code's snapshots"};
  app.name("enumwatch");
  app.set_version_flag("--version", std::string("enumwatch ") + kVersion + " (" + kRevision + ")");
  app.require_subcommand(1, 1);

  std::string run_config;
  auto* run = app.add_subcommand("run", "Run the daemon in the foreground (as systemd does)");
  run->add_option("--config", run_config, "Config file")->envname("ENUMWATCH_CONFIG")->required();

  CheckArgs check_args;
  auto* check = app.add_subcommand("check", "Poll each target once, diff, print, exit 0/1/2");
  check->add_option("--config", check_args.config, "Config file")
      ->envname("ENUMWATCH_CONFIG")
      ->required();
  check->add_option("--target", check_args.targets, "Only this target (repeatable)");
  check->add_option("--format", check_args.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));

  SnapshotArgs snapshot_args;
  auto* snapshot =
      app.add_subcommand("snapshot", "Capture the enums of a live database as a snapshot");
  snapshot->add_option("--dsn", snapshot_args.dsn, "key=value or postgresql:// connection string")
      ->required();
  snapshot->add_option("--schema", snapshot_args.schemas, "Only this schema (repeatable)");
  snapshot->add_option("--output", snapshot_args.output,
                       "Write here instead of stdout (atomically)");
  snapshot->add_option("--revision", snapshot_args.revision, "Record this code/migration revision");
  snapshot->add_option("--format", snapshot_args.format, "toml or json")
      ->check(CLI::IsMember({"toml", "json"}));
  snapshot->add_option("--timeout", snapshot_args.timeout,
                       "Connect + query time limit (default 10s)");

  DiffArgs diff_args;
  auto* diff = app.add_subcommand("diff", "Diff a snapshot against a database or another snapshot");
  diff->add_option("--snapshot", diff_args.snapshot, "The expected snapshot (TOML or .json)")
      ->required();
  auto* dsn = diff->add_option("--dsn", diff_args.dsn, "The database to compare with");
  auto* against =
      diff->add_option("--against", diff_args.against, "A snapshot standing for the database");
  dsn->excludes(against);
  diff->add_option("--schema", diff_args.schemas, "Only this schema (repeatable)");
  diff->add_option("--format", diff_args.format, "text, json or sql")
      ->check(CLI::IsMember({"text", "json", "sql"}));
  diff->add_option("--timeout", diff_args.timeout, "Connect + query time limit (default 10s)");

  RegisterArgs register_args;
  auto* register_cmd = app.add_subcommand(
      "register", "Register a new version of an API-managed snapshot with a running daemon");
  register_cmd->add_option("--url", register_args.url, "The daemon, e.g. http://ops-host:9747")
      ->required();
  register_cmd->add_option("--snapshot", register_args.snapshot, "The snapshot's name")->required();
  register_cmd->add_option("--file", register_args.file, "The snapshot file (TOML or .json)")
      ->required();
  register_cmd->add_option("--token-file", register_args.token_file,
                           "File holding the daemon's API token (- for stdin)");
  register_cmd->add_option("--timeout", register_args.timeout, "Request time limit (default 30s)");

  PollArgs poll_args;
  auto* poll = app.add_subcommand("poll", "Ask a running daemon to poll a target now");
  poll->add_option("--url", poll_args.url, "The daemon, e.g. http://ops-host:9747")->required();
  poll->add_option("--target", poll_args.target, "The target's name")->required();
  poll->add_option("--token-file", poll_args.token_file,
                   "File holding the daemon's API token (- for stdin)");
  poll->add_option("--timeout", poll_args.timeout, "Request time limit (default 30s)");

  std::string config_check_path;
  auto* config_check =
      app.add_subcommand("config-check", "Validate a config and its snapshot files, offline");
  config_check->add_option("--config", config_check_path, "Config file")
      ->envname("ENUMWATCH_CONFIG")
      ->required();

  std::string help_topic;
  auto* help = app.add_subcommand("help", "Show help for enumwatch or one command");
  help->add_option("command", help_topic, "A command name");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(std::string(e.what()) + " (see: enumwatch help)");
    return kExitError;
  }

  if (help->parsed()) {
    if (help_topic.empty()) {
      std::cout << app.help();
      return kExitOk;
    }
    try {
      std::cout << app.get_subcommand(help_topic)->help();
      return kExitOk;
    } catch (const CLI::OptionNotFound&) {
      print_error("no command \"" + help_topic +
                  "\" (commands: run, check, snapshot, diff, config-check, register, poll)");
      return kExitError;
    }
  }
  if (run->parsed()) return run_daemon(run_config);
  try {
    if (check->parsed()) return run_check(check_args);
    if (snapshot->parsed()) return run_snapshot(snapshot_args);
    if (diff->parsed()) {
      if (diff_args.dsn.empty() == diff_args.against.empty())
        throw Error("diff needs exactly one of --dsn or --against");
      return run_diff(diff_args);
    }
    if (config_check->parsed()) return run_config_check(config_check_path);
    if (register_cmd->parsed()) return run_register(register_args);
    if (poll->parsed()) return run_poll(poll_args);
  } catch (const std::exception& e) {
    print_error(e.what());
  }
  return kExitError;
}
