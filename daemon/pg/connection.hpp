// The one PostgreSQL client of enumwatch: libpq's asynchronous API driven by Boost.Asio.
// Connecting runs the PQconnectPoll state machine on socket readiness; queries go out in one
// pipeline (one round trip, one implicit transaction, unnamed statements only, so PgBouncer in
// transaction pooling works). Every operation is bounded by a deadline; nothing blocks the loop.
//
// Errors: expected runtime failures (refused, bad password, timeout, SQL error) throw PgError,
// an enumwatch::Error like every expected failure, whose message is one line with the password
// redacted.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/catalog/catalog_query.hpp"
#include "enumwatch/config/dsn.hpp"
#include "enumwatch/core/error.hpp"

namespace enumwatch {

using Deadline = std::chrono::steady_clock::time_point;

class PgError : public Error {
 public:
  enum class Kind { connect, timeout, query };
  PgError(Kind kind, const std::string& message, std::string sqlstate = {})
      : Error(message), kind_(kind), sqlstate_(std::move(sqlstate)) {}
  [[nodiscard]] Kind kind() const { return kind_; }
  [[nodiscard]] const std::string& sqlstate() const { return sqlstate_; }

 private:
  Kind kind_;
  std::string sqlstate_;
};

// One statement of a pipeline: SQL with $n placeholders and text parameters. The SQL text is
// not copied: it must outlive the pipeline (it is usually a constant).
struct Statement {
  std::string_view sql;
  std::vector<std::string> params;
};

// What one statement of a pipeline returned: rows, or the server's error.
struct StatementResult {
  Rows rows;
  std::optional<std::string> error;
  std::string sqlstate;
  std::string command_status;  // PQcmdStatus: the command tag and its counts ("INSERT 0 1")
};

// A NOTIFY the server delivered to this session (LISTEN).
struct Notification {
  std::string channel;
  std::string payload;
};

class PgConnection : public std::enable_shared_from_this<PgConnection> {
 public:
  // Resolves host names off the loop (libpq would block on DNS), then connects without blocking:
  // one attempt per address, each with its share of the time left (or connect_timeout), so a
  // dead address cannot use up the whole deadline. Sets TCP keepalives unless the DSN does.
  [[nodiscard]] static boost::asio::awaitable<std::shared_ptr<PgConnection>> connect(
      ConnParams params, Deadline deadline);

  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Sends every statement in one pipeline and collects one result per statement. A failing
  // statement aborts the rest (their results say so); the connection stays usable. Throws
  // PgError on timeout or a broken connection, after which the connection is unusable.
  [[nodiscard]] boost::asio::awaitable<std::vector<StatementResult>> run_pipeline(
      std::span<const Statement> statements, Deadline deadline);
  // Several pipelines in one round trip (docs/fleet.md, "One round trip per database"), with one
  // sync after the last: while no statement fails they share one implicit transaction, so each
  // group must set what it relies on (search_path, statement_timeout) with its first statement.
  // A failing statement aborts only the rest of its group: the groups after it are sent again,
  // each its own transaction, in a second round trip. Throws as run_pipeline does.
  [[nodiscard]] boost::asio::awaitable<std::vector<std::vector<StatementResult>>> run_pipelines(
      std::span<const std::span<const Statement>> groups, Deadline deadline);

  // Waits until the server delivers notifications (to a session that ran LISTEN) and returns
  // every one that arrived; empty when the deadline passed first or interrupt() was called.
  // Throws PgError when the connection breaks (server gone, backend terminated).
  [[nodiscard]] boost::asio::awaitable<std::vector<Notification>> wait_for_notifications(
      Deadline deadline);
  // Ends a pending wait_for_notifications early, as if its deadline had passed.
  void interrupt();

  [[nodiscard]] bool usable() const;
  [[nodiscard]] const std::string& description() const;  // redacted, for messages

  // What was learned about this session and holds as long as it does, such as a name resolved
  // through the role's search_path (pg/catalog_reader.cpp): gone with the connection.
  [[nodiscard]] std::map<std::string, std::string>& session_names();

  struct Impl;

 private:
  [[nodiscard]] static boost::asio::awaitable<std::shared_ptr<PgConnection>> connect_one(
      const ConnParams& params, Deadline deadline);

 public:
  class Key {  // only connect() can make one, so only connect() constructs connections
    friend class PgConnection;
    Key() = default;
  };
  PgConnection(Key, std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace enumwatch
