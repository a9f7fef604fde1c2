// Catalog reads (catalog_read.hpp) sent to one connection as one pipeline: one round trip, one
// implicit transaction, behind the session setup every pipeline starts with. Each read added
// gives a handle, and the handle takes back that read's decoded result: what a read returns is
// found by the read, never by counting statements (docs/design.md, "A poll through the rooms").
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/catalog/catalog_read.hpp"
#include "pg/connection.hpp"

namespace enumwatch {

class ReadPipeline;

template <typename T>
class ReadHandle {
 private:
  friend class ReadPipeline;
  ReadHandle(std::size_t index, std::function<T(const Rows&)> decode)
      : index_(index), decode_(std::move(decode)) {}
  std::size_t index_;
  std::function<T(const Rows&)> decode_;
};

class ReadPipeline {
 public:
  // What the first statement sets for the rest: an empty search_path, so that nothing a role of
  // the watched database put on its path can stand in for pg_catalog's (docs/security.md,
  // "search_path"), and the statement_timeout of the deadline. Resolving an unqualified
  // migration_table needs the role's own search_path: it sets only the timeout.
  enum class Setup { empty_search_path, timeout_only };

  // `what` names the reads in an error: "reading the catalog" → "reading the catalog failed
  // (host=… dbname=…): the server's message".
  ReadPipeline(Deadline deadline, std::string what, Setup setup = Setup::empty_search_path);

  template <typename T>
  [[nodiscard]] ReadHandle<T> add(CatalogRead<T> read) {
    statements_.push_back({std::move(read.sql), std::move(read.params), false});
    return ReadHandle<T>(statements_.size() - 1, std::move(read.decode));
  }
  // A read whose failure is not the pipeline's: require_all() passes over it, and its caller
  // looks at result() itself. Added last, since a failed statement aborts the ones after it.
  template <typename T>
  [[nodiscard]] ReadHandle<T> add_optional(CatalogRead<T> read) {
    auto handle = add(std::move(read));
    statements_.back().optional = true;
    return handle;
  }
  // A statement whose rows nobody reads (a set_config for the rest of the transaction).
  void set(std::string sql);

  // Throws PgError when the connection fails (timeout, broken); a statement's own error is kept
  // for the read it belongs to.
  [[nodiscard]] boost::asio::awaitable<void> run(PgConnection& connection);
  // The same in two halves, for a round trip shared with other pipelines
  // (SharedConnection::run_batched): what to send (the timeout is what is left of the deadline
  // now), then what the server answered over the connection `description` names.
  [[nodiscard]] std::vector<Statement> statements();
  void accept(std::vector<StatementResult> results, std::string description);
  [[nodiscard]] Deadline deadline() const { return deadline_; }
  [[nodiscard]] Setup setup_kind() const { return setup_; }

  // The server's error of the setup statement, if it failed.
  [[nodiscard]] const StatementResult& setup() const { return results_.at(0); }
  // The result of one read as the server sent it (for a read whose errors mean something).
  template <typename T>
  [[nodiscard]] const StatementResult& result(const ReadHandle<T>& handle) const {
    return results_.at(handle.index_);
  }
  // The read's decoded rows. Throws PgError when the server failed it (kind timeout when the
  // statement_timeout stopped it), Error when its rows have another shape than its SQL promises.
  template <typename T>
  [[nodiscard]] T take(const ReadHandle<T>& handle) const {
    const StatementResult& answer = result(handle);
    if (answer.error) throw failed(answer);
    try {
      return handle.decode_(answer.rows);
    } catch (const PgError&) {
      throw;
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + " (" + description_ + ")");
    }
  }
  // Throws the first statement's error, setup included, in the order they were sent; optional
  // reads aside.
  void require_all() const;
  // "WHAT failed (DESCRIPTION): the server's message", of kind timeout for SQLSTATE 57014.
  [[nodiscard]] PgError failed(const StatementResult& result, std::string_view what = {}) const;
  // A failed statement's error with this message: of kind timeout when statement_timeout stopped
  // it (SQLSTATE 57014, the poll's time ran out on the server), else of kind query.
  [[nodiscard]] static PgError statement_error(const StatementResult& result, std::string message);

 private:
  struct OwnedStatement {
    std::string sql;
    std::vector<std::string> params;
    bool optional = false;
  };
  std::vector<OwnedStatement> statements_;  // [0]: the setup
  std::vector<StatementResult> results_;
  std::string what_, description_;
  Deadline deadline_;
  Setup setup_;
};

}  // namespace enumwatch
