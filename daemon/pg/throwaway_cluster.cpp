#include "pg/throwaway_cluster.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "enumwatch/core/error.hpp"
#include "enumwatch/core/text.hpp"
#include "pg/postgres_programs.hpp"

namespace enumwatch {
namespace {

// run()'s status when the program's user cannot open its log: the temporary directory is out of
// its reach.
constexpr int kLogUnreachable = 125;

// Runs argv (no shell) with stdout and stderr appended to `log`, as `run_as` when given; returns
// the exit status (-1 when it could not start, kLogUnreachable when the log cannot be opened).
int run(const std::vector<std::string>& argv, const std::string& log,
        const std::optional<std::pair<uid_t, gid_t>>& run_as) {
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    // The user first: the log belongs to whoever writes it (the server appends to it later).
    if (run_as && (::setgid(run_as->second) != 0 || ::setuid(run_as->first) != 0)) ::_exit(126);
    // Never onto enumwatch's own stderr: its errors are one line each.
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) ::_exit(kLogUnreachable);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string last_line_of(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return escape_control(last);
}

}  // namespace

std::unique_ptr<ThrowawayCluster> ThrowawayCluster::start() {
  std::unique_ptr<ThrowawayCluster> cluster(new ThrowawayCluster());
  const auto initdb = find_postgres_program("initdb");
  if (!initdb) {
    throw Error(
        "validate: no initdb in PATH or /usr/lib/postgresql/*/bin: install the PostgreSQL server "
        "(Debian: postgresql-15), or give --shadow-dsn");
  }
  // pg_ctl and postgres of the same installation as this initdb.
  cluster->bin_ = std::filesystem::path(*initdb).parent_path().string();
  if (::geteuid() == 0) {
    const passwd* postgres = ::getpwnam("postgres");
    if (!postgres) {
      throw Error(
          "validate: running as root, and there is no 'postgres' user to run the throwaway "
          "server (PostgreSQL refuses root): run as another user, create one, or give "
          "--shadow-dsn");
    }
    cluster->run_as_ = std::make_pair(postgres->pw_uid, postgres->pw_gid);
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/enumwatch-validate.XXXXXX";
  // A unix socket's path is at most 107 bytes: a long TMPDIR falls back to /tmp.
  if (pattern.size() > 80) pattern = "/tmp/enumwatch-validate.XXXXXX";
  if (!::mkdtemp(pattern.data()))
    throw Error("validate: cannot make a temporary directory under " + pattern + ": " +
                std::strerror(errno));
  cluster->dir_ = pattern;
  if (cluster->run_as_ &&
      ::chown(cluster->dir_.c_str(), cluster->run_as_->first, cluster->run_as_->second) != 0) {
    throw Error("validate: cannot hand " + cluster->dir_ +
                " to the postgres user: " + std::strerror(errno));
  }
  const std::string data = cluster->dir_ + "/data";
  const std::string log = cluster->dir_ + "/initdb.log";
  const int initdb_status =
      run({cluster->bin_ + "/initdb", "--no-sync", "--no-instructions", "-D", data, "-U",
           "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"},
          log, cluster->run_as_);
  if (initdb_status == kLogUnreachable && cluster->run_as_) {
    throw Error("validate: the postgres user cannot reach the temporary directory " +
                escape_control(cluster->dir_) +
                " (a directory above it is private to root): set TMPDIR to a directory every "
                "user may enter, such as /tmp, or give --shadow-dsn");
  }
  if (initdb_status != 0) {
    throw Error("validate: initdb failed in " + escape_control(cluster->dir_) + ": " +
                last_line_of(log));
  }
  {
    // Only a unix socket in the private directory: nothing else on the machine can reach it.
    std::ofstream conf(data + "/postgresql.conf", std::ios::app);
    conf << "listen_addresses = ''\nunix_socket_directories = '" << cluster->dir_
         << "'\nport = 5432\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            "max_connections = 10\nshared_buffers = 16MB\n";
    if (!conf) throw Error("validate: cannot write " + data + "/postgresql.conf");
  }
  const std::string server_log = cluster->dir_ + "/server.log";
  if (run({cluster->bin_ + "/pg_ctl", "-D", data, "-l", server_log, "-w", "-t", "60", "start"}, log,
          cluster->run_as_) != 0) {
    cluster->started_ = true;  // it may have started after all: stop() tries
    throw Error("validate: the throwaway server did not start: " + last_line_of(server_log));
  }
  cluster->started_ = true;
  return cluster;
}

ThrowawayCluster::~ThrowawayCluster() {
  stop();
}

void ThrowawayCluster::stop() noexcept {
  if (dir_.empty()) return;
  if (started_) {
    // Immediate: the copy is thrown away, nothing in it needs a checkpoint.
    run({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "-t", "30", "stop"},
        "/dev/null", run_as_);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  dir_.clear();
}

ConnParams ThrowawayCluster::params(const std::string& dbname) const {
  ConnParams params;
  params.set("host", dir_);
  params.set("port", "5432");
  params.set("user", "postgres");
  params.set("dbname", dbname);
  params.set("connect_timeout", "10");
  return params;
}

}  // namespace enumwatch
