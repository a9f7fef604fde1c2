// enumwatch: command-line entry point. Lists the subcommands (each defined in its own cli/ file),
// parses the arguments and runs the one chosen; any failure is one line on stderr and exit 2.
#include <CLI/CLI.hpp>
#include <iostream>
#include <vector>

#include "cli/command.hpp"
#include "version.hpp"

int main(int argc, char** argv) {
  using namespace enumwatch::cli;
  CLI::App app{"enumwatch: watches PostgreSQL enum types for drift from the code's snapshots"};
  app.name("enumwatch");
  app.set_version_flag("--version", std::string("enumwatch ") + enumwatch::kVersion + " (" +
                                        enumwatch::kRevision + ")");
  app.require_subcommand(1, 1);

  const std::vector<Command> commands{add_run(app),  add_check(app),           add_snapshot(app),
                                      add_diff(app), add_config_check(app),    add_register(app),
                                      add_poll(app), add_install_trigger(app), add_validate(app)};

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
    for (const auto& command : commands) {
      if (command.subcommand->get_name() == help_topic) {
        std::cout << command.subcommand->help();
        return kExitOk;
      }
    }
    std::string names;
    for (const auto& command : commands)
      names += (names.empty() ? "" : ", ") + command.subcommand->get_name();
    print_error("no command \"" + help_topic + "\" (commands: " + names + ")");
    return kExitError;
  }
  for (const auto& command : commands) {
    if (!command.subcommand->parsed()) continue;
    try {
      return command.run();
    } catch (const std::exception& e) {
      print_error(e.what());
      return kExitError;
    }
  }
  return kExitError;
}
