#include "poll/shared_connection.hpp"

#include <algorithm>

namespace enumwatch {

SharedConnection::SharedConnection(boost::asio::any_io_executor executor, ConnParams params)
    : params_(std::move(params)), turns_(std::move(executor), 1) {}

boost::asio::awaitable<SharedConnection::Turn> SharedConnection::take_turn(Deadline deadline) {
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

boost::asio::awaitable<std::shared_ptr<PgConnection>> SharedConnection::Turn::connect(
    Deadline deadline) {
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
