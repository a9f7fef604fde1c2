#include "pg/schema_dump.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "enumwatch/core/error.hpp"
#include "enumwatch/core/text.hpp"
#include "pg/postgres_programs.hpp"

namespace enumwatch {
namespace {

// libpq's key='value' form: a value in single quotes, its quotes and backslashes escaped.
std::string conninfo_without_password(const ConnParams& params) {
  std::string out;
  for (const auto& [key, value] : params.entries) {
    if (key == "password") continue;
    std::string quoted = "'";
    for (const char c : value) {
      if (c == '\'' || c == '\\') quoted += '\\';
      quoted += c;
    }
    out += (out.empty() ? "" : " ") + key + "=" + quoted + "'";
  }
  return out;
}

// Reads a descriptor to its end.
std::string drain(int fd) {
  std::string out;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      out.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  return out;
}

// What a program printed and how it ended.
struct ProgramRun {
  int status = 0;  // waitpid's
  std::string out, err;
  [[nodiscard]] bool ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
};

// Runs argv (no shell), with PGPASSWORD in its environment when `password` is given.
ProgramRun run_program(std::vector<std::string> argv, const std::string* password,
                       std::string_view what) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    throw Error("validate: cannot make a pipe for " + std::string(what) + ": " +
                std::strerror(errno));
  }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    const int saved = errno;
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw Error("validate: cannot make a pipe for " + std::string(what) + ": " +
                std::strerror(saved));
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int saved = errno;
    for (const int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    throw Error("validate: cannot start " + std::string(what) + ": " + std::strerror(saved));
  }
  if (pid == 0) {
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    if (password) ::setenv("PGPASSWORD", password->c_str(), 1);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  // The schema may be large and the errors few: stdout to its end, then stderr (pg_dump writes
  // little there, so it never fills the pipe while we read stdout).
  ProgramRun run;
  run.out = drain(out_pipe[0]);
  run.err = drain(err_pipe[0]);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  while (::waitpid(pid, &run.status, 0) < 0 && errno == EINTR) {
  }
  return run;
}

std::string last_line(std::string_view text) {
  std::string last;
  for (std::string_view rest = text; !rest.empty();) {
    const auto end = rest.find('\n');
    const auto line = rest.substr(0, end);
    if (!line.empty()) last = std::string(line);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  return last;
}

// 150014 -> "15", 90624 -> "9.6": a major version as PostgreSQL names it.
std::string major_name(int version_num) {
  if (version_num >= 100000) return std::to_string(version_num / 10000);
  return std::to_string(version_num / 10000) + "." + std::to_string(version_num / 100 % 100);
}

// The major version as server_version_num counts it: 15 -> 150000, 9.6 -> 90600.
int major_num(int version_num) {
  return version_num >= 100000 ? version_num / 10000 * 10000 : version_num / 100 * 100;
}

}  // namespace

PgDump find_pg_dump() {
  const auto path = find_postgres_program("pg_dump");
  if (!path) {
    throw Error(
        "validate --dsn needs pg_dump, as new as the server (Debian: postgresql-client-15 or "
        "newer): none in PATH or /usr/lib/postgresql/*/bin");
  }
  const ProgramRun run = run_program({*path, "--version"}, nullptr, "pg_dump");
  // "pg_dump (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)": the first word that starts with a
  // digit after "(PostgreSQL)".
  const std::string first = run.out.substr(0, run.out.find('\n'));
  PgDump pg_dump{*path, {}, 0};
  const auto product = first.find("(PostgreSQL) ");
  if (run.ok() && product != std::string::npos) {
    std::string_view version = std::string_view(first).substr(product + 13);
    version = version.substr(0, version.find(' '));
    int major = 0, minor = 0;
    std::size_t i = 0;
    while (i < version.size() && std::isdigit(static_cast<unsigned char>(version[i])))
      major = major * 10 + (version[i++] - '0');
    if (i < version.size() && version[i] == '.') {
      ++i;
      while (i < version.size() && std::isdigit(static_cast<unsigned char>(version[i])))
        minor = minor * 10 + (version[i++] - '0');
    }
    if (i > 0 && major > 0 && major < 1000) {
      pg_dump.version = std::string(version);
      pg_dump.version_num = major >= 10 ? major * 10000 : major * 10000 + minor * 100;
    }
  }
  if (pg_dump.version_num == 0) {
    const std::string said = first.empty() ? last_line(run.err) : first;
    throw Error("validate --dsn: cannot tell which version " + escape_control(*path) +
                " is: `pg_dump --version` " +
                (said.empty() ? std::string("printed nothing")
                              : "printed \"" + escape_control(said) + "\"") +
                (run.ok() ? "" : " and failed"));
  }
  return pg_dump;
}

void require_pg_dump_for(const PgDump& pg_dump, int server_version_num) {
  if (pg_dump.version_num >= major_num(server_version_num)) return;
  const std::string server = major_name(server_version_num);
  throw Error("validate --dsn: " + escape_control(pg_dump.path) + " is pg_dump " +
              escape_control(pg_dump.version) + ", older than production's server (PostgreSQL " +
              server + "), which it cannot dump: install pg_dump " + server +
              " or newer (Debian: postgresql-client-" + server + ") and put it first in PATH");
}

std::string dump_schema(const PgDump& pg_dump, const ConnParams& params, int lock_wait_seconds) {
  const std::string conninfo = conninfo_without_password(params);
  const ProgramRun run = run_program(
      {pg_dump.path, "--schema-only", "--no-owner", "--no-privileges", "--no-comments",
       "--no-publications", "--no-subscriptions", "--no-security-labels", "--no-tablespaces",
       "--lock-wait-timeout=" + std::to_string(lock_wait_seconds * 1000), "--dbname=" + conninfo},
      params.find("password"), "pg_dump");
  if (!run.ok()) {
    const std::string last = last_line(run.err);
    throw Error(
        "validate: pg_dump of production failed: " +
        escape_control(redact_dsn(
            last.empty() ? "exit status " + std::to_string(WEXITSTATUS(run.status)) : last)));
  }
  const std::string& sql = run.out;
  // The psql meta-commands pg_dump writes on lines of their own (\restrict and \unrestrict
  // since 15.14, \connect) are not SQL: those lines go, nothing else.
  std::string kept;
  for (std::string_view rest = sql; !rest.empty();) {
    const auto end = rest.find('\n');
    const auto line = rest.substr(0, end == std::string_view::npos ? rest.size() : end + 1);
    const bool meta = line.starts_with("\\restrict ") || line.starts_with("\\unrestrict ") ||
                      line.starts_with("\\connect ");
    if (!meta) kept += line;
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  return kept;
}

}  // namespace enumwatch
