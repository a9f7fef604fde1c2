#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>

#include "poll/async_semaphore.hpp"

using namespace enumwatch;
using namespace std::chrono_literals;
namespace asio = boost::asio;

TEST_CASE("a turn waited for past its deadline is not taken, and later waiters still get theirs") {
  asio::io_context io;
  AsyncSemaphore turns(io.get_executor(), 1);
  std::optional<AsyncSemaphore::Permit> held;
  bool late_gave_up = false, patient_got_it = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        held.emplace(co_await turns.acquire());
        // Another target's use holds the connection for 200 ms.
        asio::steady_timer busy(io, 200ms);
        co_await busy.async_wait(asio::use_awaitable);
        held.reset();
      },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto permit = co_await turns.acquire_until(std::chrono::steady_clock::now() + 50ms);
        late_gave_up = !permit.has_value();
      },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto permit = co_await turns.acquire_until(std::chrono::steady_clock::now() + 2s);
        patient_got_it = permit.has_value();
      },
      asio::detached);
  io.run_for(1s);
  CHECK(late_gave_up);
  CHECK(patient_got_it);
  CHECK(turns.available() == 1);  // the one that gave up left no slot behind, nor took one
}
