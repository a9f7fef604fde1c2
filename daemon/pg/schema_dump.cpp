#include "pg/schema_dump.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
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

}  // namespace

std::string dump_schema(const ConnParams& params, int lock_wait_seconds) {
  const auto pg_dump = find_postgres_program("pg_dump");
  if (!pg_dump) {
    throw Error(
        "validate --dsn needs pg_dump, as new as the server (Debian: postgresql-client-15 or "
        "newer): none in PATH or /usr/lib/postgresql/*/bin");
  }
  const std::string conninfo = conninfo_without_password(params);
  const std::string* password = params.find("password");
  std::vector<std::string> argv{*pg_dump,
                                "--schema-only",
                                "--no-owner",
                                "--no-privileges",
                                "--no-comments",
                                "--no-publications",
                                "--no-subscriptions",
                                "--no-security-labels",
                                "--no-tablespaces",
                                "--lock-wait-timeout=" + std::to_string(lock_wait_seconds * 1000),
                                "--dbname=" + conninfo};
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)
    throw Error(std::string("validate: cannot make a pipe for pg_dump: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) throw Error(std::string("validate: cannot start pg_dump: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
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
  std::string sql = drain(out_pipe[0]);
  const std::string errors = drain(err_pipe[0]);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string last;
    for (std::string_view rest = errors; !rest.empty();) {
      const auto end = rest.find('\n');
      const auto line = rest.substr(0, end);
      if (!line.empty()) last = std::string(line);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    }
    throw Error("validate: pg_dump of production failed: " +
                escape_control(redact_dsn(
                    last.empty() ? "exit status " + std::to_string(WEXITSTATUS(status)) : last)) +
                " (pg_dump must be as new as the server)");
  }
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
