#include "poll/async_semaphore.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

namespace enumwatch {
namespace asio = boost::asio;

asio::awaitable<AsyncSemaphore::Permit> AsyncSemaphore::acquire() {
  auto state = state_;
  if (state->available > 0 && state->waiters.empty()) {
    --state->available;
    co_return Permit(state);
  }
  auto waiter = std::make_shared<State::Waiter>(
      State::Waiter{asio::steady_timer(state->executor, asio::steady_timer::time_point::max())});
  state->waiters.push_back(waiter);
  // Woken when hand_over() grants this waiter a slot. Nothing else cancels the timer, so a
  // wake-up without a grant is a bug: leave the queue rather than take a slot nobody gave.
  boost::system::error_code ec;
  co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  if (!waiter->granted) {
    std::erase(state->waiters, waiter);
    throw std::logic_error("woken while waiting for a poll slot without being granted one");
  }
  co_return Permit(state);
}

asio::awaitable<std::optional<AsyncSemaphore::Permit>> AsyncSemaphore::acquire_until(
    std::chrono::steady_clock::time_point deadline) {
  auto state = state_;
  if (state->available > 0 && state->waiters.empty()) {
    --state->available;
    co_return Permit(state);
  }
  auto waiter =
      std::make_shared<State::Waiter>(State::Waiter{asio::steady_timer(state->executor, deadline)});
  state->waiters.push_back(waiter);
  boost::system::error_code ec;
  co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  // A grant that raced the deadline is still a grant: the slot was handed over.
  if (waiter->granted) co_return Permit(state);
  std::erase(state->waiters, waiter);
  co_return std::nullopt;
}

void AsyncSemaphore::State::release() {
  ++available;
  hand_over();
}

void AsyncSemaphore::State::set_capacity(int new_capacity) {
  available += new_capacity - capacity;
  capacity = new_capacity;
  hand_over();
}

// Passes free slots straight to the waiters in order; a negative `available` (the capacity shrank
// while slots were out) absorbs releases first.
void AsyncSemaphore::State::hand_over() {
  while (available > 0 && !waiters.empty()) {
    --available;
    auto next = waiters.front();
    waiters.pop_front();
    next->granted = true;
    next->timer.cancel();
  }
}

}  // namespace enumwatch
