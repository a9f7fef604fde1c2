#include "poll/shared_connection.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace enumwatch {
namespace asio = boost::asio;

// One pipeline waiting for a shared round trip. Owned by its caller and by the queue alike: the
// caller's wait ends when `answered` is set and the timer cancelled.
struct SharedConnection::Batched {
  Batched(ReadPipeline& p, SchemaHashesAsked* a, const asio::any_io_executor& executor)
      : pipeline(&p), asked(a), done(executor, std::chrono::steady_clock::time_point::max()) {}
  ReadPipeline* pipeline;
  SchemaHashesAsked* asked;
  asio::steady_timer done;
  bool answered = false;
  std::optional<std::uint64_t> session;
  std::exception_ptr error;
};

SharedConnection::SharedConnection(asio::any_io_executor executor, ConnParams params)
    : executor_(executor), params_(std::move(params)), turns_(std::move(executor), 1) {}

asio::awaitable<SharedConnection::Turn> SharedConnection::take_turn(Deadline deadline) {
  auto permit = co_await turns_.acquire_until(deadline);
  if (!permit) {
    throw PgError(PgError::Kind::timeout,
                  "timed out waiting for the database's shared poll connection (" +
                      params_.redacted() +
                      "): another target's poll over it took the time; raise timeout, or look "
                      "at what makes that database slow");
  }
  co_return Turn(*this, std::move(*permit));
}

asio::awaitable<std::shared_ptr<PgConnection>> SharedConnection::Turn::connect(Deadline deadline) {
  if (auto open_now = open()) co_return open_now;
  owner_->connection_.reset();
  owner_->connection_ = co_await PgConnection::connect(owner_->params_, deadline);
  ++owner_->session_;
  co_return owner_->connection_;
}

std::shared_ptr<PgConnection> SharedConnection::Turn::open() const {
  if (owner_->connection_ && owner_->connection_->usable()) return owner_->connection_;
  return nullptr;
}

std::optional<std::uint64_t> SharedConnection::open_session() const {
  if (connection_ && connection_->usable()) return session_;
  return std::nullopt;
}

asio::awaitable<std::optional<std::uint64_t>> SharedConnection::run_batched(
    ReadPipeline& pipeline, SchemaHashesAsked* asked) {
  auto entry = std::make_shared<Batched>(pipeline, asked, executor_);
  waiting_.push_back(entry);
  if (!std::exchange(draining_, true))
    asio::co_spawn(executor_, drain(shared_from_this()), asio::detached);
  boost::system::error_code ignored;
  while (!entry->answered)
    co_await entry->done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  if (entry->error) std::rethrow_exception(entry->error);
  co_return entry->session;
}

asio::awaitable<void> SharedConnection::drain(std::shared_ptr<SharedConnection> self) {
  // Targets that came due in the same instant are resumed one after another: a moment's wait
  // lets all of them ask before the round trip leaves.
  asio::steady_timer gather(self->executor_, kGatherFor);
  boost::system::error_code ignored;
  co_await gather.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  while (!self->waiting_.empty()) {
    // Whatever waited for the turn leaves with this round trip too.
    std::vector<std::shared_ptr<Batched>> batch;
    std::exception_ptr failure;
    try {
      Deadline earliest = Deadline::max();
      for (const auto& b : self->waiting_) earliest = std::min(earliest, b->pipeline->deadline());
      auto turn = co_await self->take_turn(earliest);
      batch = std::exchange(self->waiting_, {});
      co_await self->run_round_trip(batch);
    } catch (...) {
      failure = std::current_exception();
      if (batch.empty()) batch = std::exchange(self->waiting_, {});
    }
    for (const auto& b : batch) {
      if (failure && !b->answered) b->error = failure;
      b->answered = true;
      b->done.cancel();
    }
  }
  self->draining_ = false;
}

asio::awaitable<void> SharedConnection::run_round_trip(
    std::vector<std::shared_ptr<Batched>> batch) {
  const auto connection = connection_ && connection_->usable() ? connection_ : nullptr;
  if (!connection) co_return;  // nothing open: every caller polls the usual way
  const std::uint64_t session = session_;
  Deadline earliest = Deadline::max();
  std::vector<const Scope*> scopes;
  bool checks = false;
  for (const auto& b : batch) {
    // The round trip is one transaction while nothing fails (PgConnection::run_pipelines): a
    // pipeline that keeps the role's search_path would inherit the empty one of the one before.
    if (b->pipeline->setup_kind() != ReadPipeline::Setup::empty_search_path)
      throw Error("internal: a pipeline on the role's search_path in a shared round trip");
    earliest = std::min(earliest, b->pipeline->deadline());
    if (!b->asked) continue;
    scopes.push_back(b->asked->scope);
    checks = checks || b->asked->checks;
  }
  std::vector<std::vector<Statement>> groups;
  groups.reserve(batch.size() + 1);
  // The schema hashes, once for every pipeline that asks: ahead of them, a pipeline of their own,
  // so that their failure is theirs alone.
  std::optional<ReadPipeline> hashes_pipeline;
  std::optional<ReadHandle<SchemaHashes>> hashes;
  if (!scopes.empty()) {
    hashes_pipeline.emplace(earliest, "reading the schemas' fingerprints");
    hashes = hashes_pipeline->add(schema_hashes_read(schemas_of_all(scopes), checks));
    groups.push_back(hashes_pipeline->statements());
  }
  for (const auto& b : batch) groups.push_back(b->pipeline->statements());
  const std::vector<std::span<const Statement>> sent(groups.begin(), groups.end());
  auto answers = co_await connection->run_pipelines(sent, earliest);
  std::size_t next = 0;
  if (hashes_pipeline) {
    hashes_pipeline->accept(std::move(answers[next++]), connection->description());
    std::shared_ptr<const SchemaHashes> found;
    std::exception_ptr error;
    try {
      found = std::make_shared<const SchemaHashes>(hashes_pipeline->take(*hashes));
    } catch (...) {
      error = std::current_exception();
    }
    for (const auto& b : batch) {
      if (!b->asked) continue;
      b->asked->found = found;
      b->asked->error = error;
    }
  }
  for (const auto& b : batch) {
    b->pipeline->accept(std::move(answers[next++]), connection->description());
    b->session = session;
  }
  // Every quiet round trip passes here: the parameters are written out only for a debug log.
  if (spdlog::should_log(spdlog::level::debug)) {
    spdlog::debug("shared poll connection ({}): {} reads in one round trip{}", params_.redacted(),
                  batch.size(), hashes_pipeline ? ", one schema fingerprint query" : "");
  }
}

void SharedConnection::ask_full_read(const std::shared_ptr<FullReadAsked>& asked) {
  // Asks of polls that ended without a read go as new ones come.
  std::erase_if(full_reads_asked_, [](const auto& a) { return a.expired(); });
  full_reads_asked_.push_back(asked);
}

std::vector<std::shared_ptr<FullReadAsked>> SharedConnection::take_full_reads_asked() {
  std::vector<std::shared_ptr<FullReadAsked>> out;
  for (const auto& weak : std::exchange(full_reads_asked_, {})) {
    if (auto asked = weak.lock(); asked && !asked->found) out.push_back(std::move(asked));
  }
  return out;
}

std::shared_ptr<SharedConnection> SharedConnections::lease(const ConnParams& params) {
  auto& slot = by_key_[connection_key(params)];
  if (auto existing = slot.lock()) return existing;
  auto made = std::make_shared<SharedConnection>(executor_, params);
  slot = made;
  // Expired entries of parameters nobody uses any more go as new ones come.
  std::erase_if(by_key_, [](const auto& entry) { return entry.second.expired(); });
  return made;
}

}  // namespace enumwatch
