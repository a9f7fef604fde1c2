// The subcommands of the enumwatch binary (docs/cli.md). Each file in cli/ adds one subcommand to
// the parser with its flags and returns how to run it; main.cpp only lists them. A command returns
// its exit code for what it found (0, or 1 for drift) and throws for what stops it (bad input, an
// unreachable database or daemon): main prints that as one line and exits 2, in one place.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace enumwatch::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitDrift = 1;
inline constexpr int kExitError = 2;

struct Command {
  CLI::App* subcommand;
  std::function<int()> run;
};

Command add_run(CLI::App& app);
Command add_check(CLI::App& app);
Command add_snapshot(CLI::App& app);
Command add_diff(CLI::App& app);
Command add_config_check(CLI::App& app);
Command add_register(CLI::App& app);
Command add_poll(CLI::App& app);
Command add_install_trigger(CLI::App& app);
Command add_validate(CLI::App& app);

// A snapshot file's name as drift items name it: "snapshots/orders-app.toml" -> "orders-app".
[[nodiscard]] std::string file_stem(const std::string& path);

// Prints "enumwatch: <message>" to stderr, one line.
void print_error(const std::string& message);
// Colour only when stdout is a terminal and NO_COLOR is unset.
[[nodiscard]] bool stdout_wants_colour();
// --config, also read from ENUMWATCH_CONFIG (docs/cli.md).
void add_config_option(CLI::App& command, std::string& path);

// --dsn and --dsn-file, for commands that connect to one database. Neither: libpq's PG*
// environment variables and ~/.pgpass decide, as for psql.
struct DsnSource {
  std::string dsn;
  std::string dsn_file;
  [[nodiscard]] bool given() const { return !dsn.empty() || !dsn_file.empty(); }
  // The connection string to use; throws Error when --dsn-file cannot be read.
  [[nodiscard]] std::string resolve() const;
};
CLI::Option* add_dsn_options(CLI::App& command, DsnSource& source);

}  // namespace enumwatch::cli
