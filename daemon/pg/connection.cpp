#include "pg/connection.hpp"

#include <libpq-fe.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdlib>
#include <optional>

#include "pg/host_resolver.hpp"

namespace enumwatch {
namespace asio = boost::asio;

namespace {

struct PGconnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct PGresultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ConnHandle = std::unique_ptr<PGconn, PGconnDeleter>;
using ResultHandle = std::unique_ptr<PGresult, PGresultDeleter>;
struct PGnotifyDeleter {
  void operator()(PGnotify* notify) const { PQfreemem(notify); }
};

// libpq's messages span lines ("...failed: refused\n\tIs the server running..."): make them one.
std::string one_line(const char* text) {
  std::string out;
  bool space = false;
  for (const char* p = text ? text : ""; *p; ++p) {
    if (*p == '\n' || *p == '\t' || *p == '\r' || *p == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += *p;
  }
  return redact_dsn(out);
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto comma = text.find(',', start);
    out.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

// Where we connect, for messages: host, port and database, never credentials.
std::string describe(const ConnParams& params) {
  std::string out;
  for (const char* key : {"host", "hostaddr", "port", "dbname"}) {
    if (const auto* v = params.find(key))
      out += (out.empty() ? "" : " ") + std::string(key) + "=" + *v;
  }
  return out.empty() ? std::string("default libpq connection") : out;
}

Rows rows_of(const PGresult* result) {
  Rows rows;
  const int tuples = PQntuples(result), fields = PQnfields(result);
  rows.reserve(static_cast<std::size_t>(tuples));
  for (int r = 0; r < tuples; ++r) {
    Row row;
    row.reserve(static_cast<std::size_t>(fields));
    for (int f = 0; f < fields; ++f) {
      if (PQgetisnull(result, r, f)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(result, r, f),
                                     static_cast<std::size_t>(PQgetlength(result, r, f))));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

void ignore_notice(void*, const PGresult*) {}

}  // namespace

struct PgConnection::Impl {
  explicit Impl(const asio::any_io_executor& ex) : socket(ex), timer(ex) {}
  ~Impl() { release_socket(); }  // libpq owns the fd: never let Asio close it

  void release_socket() {
    if (socket.is_open()) (void)socket.release();
  }

  // libpq may open a new socket during connection (SSL/GSS retries, multiple hosts), so the
  // descriptor is re-armed on the current PQsocket() after every step.
  void refresh_socket() {
    release_socket();
    const int fd = conn ? PQsocket(conn.get()) : -1;
    if (fd >= 0) socket.assign(fd);
  }

  [[noreturn]] void fail_timeout(std::string_view doing) {
    broken = true;
    throw PgError(PgError::Kind::timeout,
                  "timed out " + std::string(doing) + " (" + description + ")");
  }

  // Waits until libpq's socket is ready, or the deadline passes.
  asio::awaitable<void> wait(asio::posix::descriptor_base::wait_type direction,
                             std::string_view doing) {
    if (timed_out) fail_timeout(doing);
    if (!socket.is_open()) {
      broken = true;
      throw PgError(PgError::Kind::connect, "connection lost (" + description + ")");
    }
    // libpq may leave bytes unread in the kernel, and Asio's epoll registration is edge-triggered;
    // that is safe because queuing a wait re-arms the descriptor (EPOLL_CTL_MOD), which reports
    // readiness that already exists.
    boost::system::error_code ec;
    co_await socket.async_wait(direction, asio::redirect_error(asio::use_awaitable, ec));
    if (timed_out) fail_timeout(doing);
    if (ec) {
      broken = true;
      throw PgError(PgError::Kind::connect,
                    "waiting on the connection failed: " + ec.message() + " (" + description + ")");
    }
  }

  ConnHandle conn;
  asio::posix::stream_descriptor socket;
  asio::steady_timer timer;
  std::string description;
  bool timed_out = false;
  bool broken = false;
  std::map<std::string, std::string> session_names;
};

namespace {

// Arms the deadline: when it passes, pending waits are cancelled and the operation times out.
void arm_deadline(const std::shared_ptr<PgConnection>& self, PgConnection::Impl& impl,
                  Deadline deadline) {
  impl.timed_out = false;
  impl.timer.expires_at(deadline);
  impl.timer.async_wait(
      [weak = std::weak_ptr<PgConnection>(self), &impl](boost::system::error_code ec) {
        if (ec || !weak.lock()) return;
        impl.timed_out = true;
        boost::system::error_code ignored;
        impl.socket.cancel(ignored);
      });
}

// libpq resolves host names synchronously inside PQconnectStart, and tries a host's addresses
// with no timeout of its own in asynchronous mode. So names are resolved here (pg/host_resolver,
// bounded by the deadline) and every address becomes an attempt of its own, with hostaddr set
// (host stays set for TLS verification and .pgpass); connect() gives each attempt its share of
// the time, so a dead first address cannot use up the whole poll.
asio::awaitable<std::vector<ConnParams>> plan_attempts(const ConnParams& params,
                                                       Deadline deadline) {
  if (params.find("hostaddr")) co_return std::vector<ConnParams>{params};
  std::string hosts;
  if (const auto* h = params.find("host")) {
    hosts = *h;
  } else if (const char* env = std::getenv("PGHOST")) {
    hosts = env;
  }
  if (hosts.empty()) co_return std::vector<ConnParams>{params};  // libpq's default socket
  const std::vector<std::string> host_list = split_commas(hosts);
  const auto* port = params.find("port");
  const std::vector<std::string> port_list =
      port ? split_commas(*port) : std::vector<std::string>{};
  const bool port_per_host = port_list.size() > 1;

  std::vector<ConnParams> attempts;
  for (std::size_t i = 0; i < host_list.size(); ++i) {
    const std::string& host = host_list[i];
    ConnParams attempt = params;
    attempt.set("host", host);
    if (port_per_host) attempt.set("port", i < port_list.size() ? port_list[i] : "");
    boost::system::error_code ec;
    if (host.empty() || host.front() == '/' || host.front() == '@' ||
        (asio::ip::make_address(host, ec), !ec)) {
      attempts.push_back(std::move(attempt));  // socket directory or literal: no lookup
      continue;
    }
    for (const auto& address : co_await resolve_host(host, deadline)) {
      attempt.set("hostaddr", address);
      attempts.push_back(attempt);
    }
  }
  co_return attempts;
}

}  // namespace

PgConnection::PgConnection(Key, std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PgConnection::~PgConnection() = default;

bool PgConnection::usable() const {
  return !impl_->broken && impl_->conn && PQstatus(impl_->conn.get()) == CONNECTION_OK;
}

const std::string& PgConnection::description() const {
  return impl_->description;
}

std::map<std::string, std::string>& PgConnection::session_names() {
  return impl_->session_names;
}

asio::awaitable<std::shared_ptr<PgConnection>> PgConnection::connect(ConnParams params,
                                                                     Deadline deadline) {
  try {
    expand_service(params);
  } catch (const Error& e) {
    throw PgError(PgError::Kind::connect, e.what());
  }
  if (!params.find("application_name")) params.set("application_name", "enumwatch");
  // TCP keepalives, so that a firewall dropping idle connections between polls is noticed by the
  // kernel instead of a poll hanging until its timeout. A DSN's own values win.
  for (const auto& [key, value] :
       {std::pair{"keepalives", "1"}, std::pair{"keepalives_idle", "30"},
        std::pair{"keepalives_interval", "10"}, std::pair{"keepalives_count", "3"}}) {
    if (!params.find(key)) params.set(key, value);
  }
  const std::vector<ConnParams> attempts = co_await plan_attempts(params, deadline);
  std::optional<std::chrono::milliseconds> per_address;
  if (const auto* t = params.find("connect_timeout"); t && std::atoi(t->c_str()) > 0)
    per_address = std::chrono::seconds(std::max(2, std::atoi(t->c_str())));
  std::optional<PgError> last;
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    const auto left = static_cast<long>(attempts.size() - i);
    Deadline attempt_deadline = left == 1 ? deadline : now + (deadline - now) / left;
    if (per_address && left > 1) attempt_deadline = std::min(deadline, now + *per_address);
    try {
      co_return co_await connect_one(attempts[i], attempt_deadline);
    } catch (const PgError& e) {
      last = e;
    }
  }
  if (!last) throw PgError(PgError::Kind::timeout, "timed out before connecting");
  if (attempts.size() > 1) {
    throw PgError(last->kind(),
                  std::string(last->what()) + " (the last of " + std::to_string(attempts.size()) +
                      " addresses tried)",
                  last->sqlstate());
  }
  throw *last;
}

asio::awaitable<std::shared_ptr<PgConnection>> PgConnection::connect_one(const ConnParams& params,
                                                                         Deadline deadline) {
  auto executor = co_await asio::this_coro::executor;
  auto self = std::make_shared<PgConnection>(Key{}, std::make_unique<Impl>(executor));
  Impl& impl = *self->impl_;
  impl.description = describe(params);
  arm_deadline(self, impl, deadline);

  std::vector<const char*> keys, values;
  for (const auto& [k, v] : params.entries) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  impl.conn.reset(PQconnectStartParams(keys.data(), values.data(), 0));
  if (!impl.conn) throw PgError(PgError::Kind::connect, "libpq could not allocate a connection");
  PQsetNoticeReceiver(impl.conn.get(), ignore_notice, nullptr);
  if (PQstatus(impl.conn.get()) == CONNECTION_BAD) {
    throw PgError(PgError::Kind::connect, one_line(PQerrorMessage(impl.conn.get())));
  }

  PostgresPollingStatusType status = PGRES_POLLING_WRITING;
  while (status != PGRES_POLLING_OK) {
    if (status == PGRES_POLLING_FAILED) {
      impl.broken = true;
      throw PgError(PgError::Kind::connect, one_line(PQerrorMessage(impl.conn.get())));
    }
    impl.refresh_socket();
    co_await impl.wait(status == PGRES_POLLING_READING ? asio::posix::descriptor_base::wait_read
                                                       : asio::posix::descriptor_base::wait_write,
                       "connecting");
    status = PQconnectPoll(impl.conn.get());
  }
  impl.refresh_socket();
  impl.timer.cancel();
  if (PQsetnonblocking(impl.conn.get(), 1) != 0) {
    throw PgError(PgError::Kind::connect, one_line(PQerrorMessage(impl.conn.get())));
  }
  co_return self;
}

asio::awaitable<std::vector<StatementResult>> PgConnection::run_pipeline(
    std::span<const Statement> statements, Deadline deadline) {
  auto results = co_await run_pipelines(std::span(&statements, 1), deadline);
  co_return std::move(results.front());
}

asio::awaitable<std::vector<std::vector<StatementResult>>> PgConnection::run_pipelines(
    std::span<const std::span<const Statement>> groups, Deadline deadline) {
  auto self = shared_from_this();
  Impl& impl = *impl_;
  PGconn* conn = impl.conn.get();
  auto broken = [&](std::string_view doing) -> PgError {
    impl.broken = true;
    return PgError(
        PgError::Kind::connect,
        std::string(doing) + ": " + one_line(PQerrorMessage(conn)) + " (" + impl.description + ")");
  };
  if (!usable())
    throw PgError(PgError::Kind::connect, "connection is not open (" + impl.description + ")");
  arm_deadline(self, impl, deadline);

  if (PQenterPipelineMode(conn) != 1) throw broken("entering pipeline mode failed");
  std::string sql;  // libpq wants NUL-terminated text
  std::vector<const char*> params;
  // Sends groups[from..], with one sync after all of them or one after each.
  auto send = [&](std::size_t from, bool one_sync) -> asio::awaitable<void> {
    for (std::size_t g = from; g < groups.size(); ++g) {
      for (const auto& s : groups[g]) {
        sql.assign(s.sql);
        params.clear();
        for (const auto& p : s.params) params.push_back(p.c_str());
        if (PQsendQueryParams(conn, sql.c_str(), static_cast<int>(params.size()), nullptr,
                              params.data(), nullptr, nullptr, 0) != 1) {
          throw broken("sending a query failed");
        }
      }
      if ((!one_sync || g + 1 == groups.size()) && PQpipelineSync(conn) != 1)
        throw broken("sending the pipeline failed");
    }
    for (int flushed; (flushed = PQflush(conn)) != 0;) {
      if (flushed < 0) throw broken("sending the pipeline failed");
      co_await impl.wait(asio::posix::descriptor_base::wait_write, "sending queries");
      if (PQconsumeInput(conn) != 1) throw broken("reading from the server failed");
    }
  };

  auto next_result = [&]() -> asio::awaitable<ResultHandle> {
    while (PQisBusy(conn)) {
      co_await impl.wait(asio::posix::descriptor_base::wait_read, "waiting for query results");
      if (PQconsumeInput(conn) != 1) throw broken("reading from the server failed");
    }
    co_return ResultHandle(PQgetResult(conn));
  };
  auto read_sync = [&]() -> asio::awaitable<void> {
    ResultHandle sync = co_await next_result();
    if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC)
      throw broken("the pipeline did not end cleanly");
  };

  // Groups go out with one sync for all of them: one send, and the server flushes once
  // (libpq 15's PQpipelineSync sends at once, and the server flushes at every sync). They share
  // one implicit transaction then; each group's first statement sets what the rest of it relies
  // on (pg/read_pipeline.cpp). A statement that fails aborts what follows it: its own group's
  // rest stays aborted, as with a sync of its own, and the groups after it go again, a sync each.
  std::vector<std::vector<StatementResult>> answers(groups.size());
  std::size_t from = 0;
  bool one_sync = groups.size() > 1;
  while (from < groups.size()) {
    co_await send(from, one_sync);
    std::optional<std::size_t> failed_group;
    for (std::size_t g = from; g < groups.size(); ++g) {
      std::vector<StatementResult> results;
      results.reserve(groups[g].size());
      for (std::size_t i = 0; i < groups[g].size(); ++i) {
        ResultHandle result = co_await next_result();
        if (!result) throw broken("the server ended the pipeline early");
        StatementResult out;
        switch (PQresultStatus(result.get())) {
          case PGRES_TUPLES_OK:
            out.rows = rows_of(result.get());
            out.command_status = PQcmdStatus(result.get());
            break;
          case PGRES_COMMAND_OK:
            out.command_status = PQcmdStatus(result.get());
            break;
          case PGRES_PIPELINE_ABORTED:
            out.error = "not run: an earlier statement of the same poll failed";
            break;
          default: {
            const char* primary = PQresultErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY);
            const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
            out.error = one_line(primary ? primary : PQresultErrorMessage(result.get()));
            out.sqlstate = state ? state : "";
            if (!failed_group) failed_group = g;
          }
        }
        results.push_back(std::move(out));
        // Each statement's results end with a null result.
        if (ResultHandle end = co_await next_result(); end) throw broken("unexpected extra result");
      }
      if (!one_sync) co_await read_sync();
      answers[g] = std::move(results);
    }
    if (one_sync) co_await read_sync();
    from = one_sync && failed_group ? *failed_group + 1 : groups.size();
    one_sync = false;
  }
  if (PQexitPipelineMode(conn) != 1) throw broken("leaving pipeline mode failed");
  // A poll connection never LISTENs, but behind a transaction pooler it may be handed a server
  // session on which another client ran LISTEN: libpq would keep those notifications forever.
  while (PGnotify* stray = PQnotifies(conn)) PQfreemem(stray);
  impl.timer.cancel();
  co_return answers;
}

asio::awaitable<std::vector<Notification>> PgConnection::wait_for_notifications(Deadline deadline) {
  auto self = shared_from_this();
  Impl& impl = *impl_;
  PGconn* conn = impl.conn.get();
  auto broken = [&]() -> PgError {
    impl.broken = true;
    return PgError(PgError::Kind::connect,
                   "the listening connection broke: " + one_line(PQerrorMessage(conn)) + " (" +
                       impl.description + ")");
  };
  if (!usable())
    throw PgError(PgError::Kind::connect, "connection is not open (" + impl.description + ")");
  arm_deadline(self, impl, deadline);
  std::vector<Notification> out;
  // One PQconsumeInput reads what libpq's buffer holds, some 200 notifications: read on while a
  // read brings more (up to a bound, so that the loop is not held), so that a flood's backlog is
  // read at the socket's speed, not one buffer per coalescing window of the listener.
  constexpr int kReadsAtOnce = 64;
  auto collect = [&] {
    for (int read = 0; read < kReadsAtOnce; ++read) {
      const std::size_t before = out.size();
      if (PQconsumeInput(conn) != 1 || PQstatus(conn) != CONNECTION_OK) throw broken();
      while (PGnotify* raw = PQnotifies(conn)) {
        std::unique_ptr<PGnotify, PGnotifyDeleter> notify(raw);
        out.push_back({notify->relname ? notify->relname : "", notify->extra ? notify->extra : ""});
      }
      if (out.size() == before) break;
    }
  };
  collect();
  while (out.empty() && !impl.timed_out) {
    if (!impl.socket.is_open()) throw broken();
    boost::system::error_code ec;
    co_await impl.socket.async_wait(asio::posix::descriptor_base::wait_read,
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (impl.timed_out) break;  // the deadline, or interrupt(): not a failure
    if (ec) {
      impl.broken = true;
      throw PgError(PgError::Kind::connect, "waiting on the connection failed: " + ec.message() +
                                                " (" + impl.description + ")");
    }
    // A terminated backend sends its error and closes: the first read may still succeed.
    collect();
  }
  impl.timer.cancel();
  co_return out;
}

void PgConnection::interrupt() {
  impl_->timed_out = true;
  boost::system::error_code ignored;
  impl_->socket.cancel(ignored);
}

}  // namespace enumwatch
