// A counting semaphore for coroutines on one io_context: bounds the polls in flight, and takes
// turns on a shared connection (poll/shared_connection.hpp). A slot is
// held by a Permit and given back by its destructor, so no exit path of a poll (return, throw,
// a coroutine frame destroyed at shutdown) can keep it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>

namespace enumwatch {

class AsyncSemaphore {
  struct State;

 public:
  class [[nodiscard]] Permit {
   public:
    Permit() = default;
    explicit Permit(std::shared_ptr<State> state) : state_(std::move(state)) {}
    Permit(Permit&& other) noexcept = default;
    Permit& operator=(Permit&& other) noexcept {
      if (this != &other) {
        release();
        state_ = std::move(other.state_);
      }
      return *this;
    }
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() { release(); }

    void release() {
      if (auto state = std::move(state_)) state->release();
    }

   private:
    // Shared, not borrowed: a permit may outlive the semaphore's owner during shutdown.
    std::shared_ptr<State> state_;
  };

  AsyncSemaphore(boost::asio::any_io_executor executor, int capacity)
      : state_(std::make_shared<State>(std::move(executor), capacity)) {}

  // Waits for a free slot, first come first served.
  [[nodiscard]] boost::asio::awaitable<Permit> acquire();
  // The same, for at most until `deadline`: nothing when it passed first.
  [[nodiscard]] boost::asio::awaitable<std::optional<Permit>> acquire_until(
      std::chrono::steady_clock::time_point deadline);

  void set_capacity(int capacity) { state_->set_capacity(capacity); }
  [[nodiscard]] int available() const { return state_->available; }

 private:
  struct State {
    State(boost::asio::any_io_executor ex, int cap)
        : executor(std::move(ex)), available(cap), capacity(cap) {}
    void release();
    void set_capacity(int capacity);
    void hand_over();

    boost::asio::any_io_executor executor;
    // A waiter's timer is cancelled to wake it; `granted` tells a real hand-over from shutdown.
    struct Waiter {
      boost::asio::steady_timer timer;
      bool granted = false;
    };
    std::deque<std::shared_ptr<Waiter>> waiters;
    int available;
    int capacity;
  };

  std::shared_ptr<State> state_;
};

}  // namespace enumwatch
