// The one-shot commands of the enumwatch binary (SPEC §2). Each returns the process exit code for
// what it found (0, or 1 for drift) and throws for what stops it (bad input, unreachable database
// or daemon): main prints the exception as one line and exits 2, in one place for all commands.
#pragma once

#include <string>
#include <vector>

namespace enumwatch {

inline constexpr int kExitOk = 0;
inline constexpr int kExitDrift = 1;
inline constexpr int kExitError = 2;

struct CheckArgs {
  std::string config;
  std::vector<std::string> targets;
  std::string format = "text";
};

struct SnapshotArgs {
  std::string dsn;
  std::vector<std::string> schemas;
  std::string output;
  std::string revision;
  std::string format = "toml";
  std::string timeout = "10s";
};

struct DiffArgs {
  std::string snapshot;
  std::string dsn;
  std::string against;
  std::vector<std::string> schemas;
  std::string format = "text";
  std::string timeout = "10s";
};

// The deploy-pipeline side of the HTTP API (SPEC §6).
struct RegisterArgs {
  std::string url;  // the daemon, e.g. http://ops-host:9747
  std::string snapshot;
  std::string file;
  std::string token_file;  // "-": read the token from stdin
  std::string timeout = "30s";
};

struct PollArgs {
  std::string url;
  std::string target;
  std::string token_file;
  std::string timeout = "30s";
};

int run_check(const CheckArgs& args);
int run_register(const RegisterArgs& args);
int run_poll(const PollArgs& args);
int run_snapshot(const SnapshotArgs& args);
int run_diff(const DiffArgs& args);
int run_config_check(const std::string& config_path);

// Prints "enumwatch: <message>" to stderr, one line.
void print_error(const std::string& message);
// Colour only when stdout is a terminal and NO_COLOR is unset.
[[nodiscard]] bool stdout_wants_colour();

}  // namespace enumwatch
