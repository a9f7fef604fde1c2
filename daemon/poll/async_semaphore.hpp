// A counting semaphore for coroutines on one io_context: bounds the polls in flight.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <memory>

namespace enumwatch {

class AsyncSemaphore {
 public:
  AsyncSemaphore(boost::asio::any_io_executor executor, int capacity)
      : executor_(std::move(executor)), available_(capacity), capacity_(capacity) {}

  boost::asio::awaitable<void> acquire() {
    if (available_ > 0 && waiters_.empty()) {
      --available_;
      co_return;
    }
    auto waiter = std::make_shared<boost::asio::steady_timer>(
        executor_, boost::asio::steady_timer::time_point::max());
    waiters_.push_back(waiter);
    boost::system::error_code ec;
    co_await waiter->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    // Woken by release(), which handed this waiter its slot.
  }

  void release() {
    if (available_ < 0) {  // the capacity shrank while slots were out: absorb this one
      ++available_;
      return;
    }
    if (!waiters_.empty()) {
      auto next = waiters_.front();
      waiters_.pop_front();
      next->cancel();  // the slot passes straight to the next waiter
      return;
    }
    ++available_;
  }

  void set_capacity(int capacity) {
    available_ += capacity - capacity_;
    capacity_ = capacity;
    while (available_ > 0 && !waiters_.empty()) {
      --available_;
      auto next = waiters_.front();
      waiters_.pop_front();
      next->cancel();
    }
  }

 private:
  boost::asio::any_io_executor executor_;
  std::deque<std::shared_ptr<boost::asio::steady_timer>> waiters_;
  int available_;
  int capacity_;
};

}  // namespace enumwatch
