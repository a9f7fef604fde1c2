#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "http/event_stream.hpp"

using namespace enumwatch;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// Runs next() on the loop for at most `budget`: the chunk, or nothing when it ended.
std::optional<std::optional<std::string>> next_of(asio::io_context& io, EventSubscription& s,
                                                  std::chrono::milliseconds budget = 2s) {
  std::optional<std::optional<std::string>> got;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { got = co_await s.next(); }, asio::detached);
  io.restart();
  io.run_for(budget);
  return got;
}

}  // namespace

TEST_CASE("a subscriber gets its initial events, then what is published, in order") {
  asio::io_context io;
  EventHub hub(io.get_executor());
  auto s = hub.subscribe({EventHub::format("target", "{\"name\":\"a\"}")});
  REQUIRE(s);
  hub.publish("target", "{\"name\":\"b\"}");
  CHECK(next_of(io, *s) == std::optional<std::string>("event: target\ndata: {\"name\":\"a\"}\n\n"));
  CHECK(next_of(io, *s) == std::optional<std::string>("event: target\ndata: {\"name\":\"b\"}\n\n"));
}

TEST_CASE("a quiet stream sends heartbeats; a publish wakes a waiting subscriber at once") {
  asio::io_context io;
  EventHub hub(io.get_executor(), {4, 8, 50ms});
  auto s = hub.subscribe({});
  CHECK(next_of(io, *s) == std::optional<std::string>(": heartbeat\n\n"));

  std::optional<std::optional<std::string>> got;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { got = co_await s->next(); }, asio::detached);
  io.restart();
  io.run_for(10ms);  // now waiting
  CHECK_FALSE(got);
  hub.publish("target", "x");
  io.run_for(10ms);
  CHECK(got == std::optional<std::string>("event: target\ndata: x\n\n"));
}

TEST_CASE("subscribers are bounded, and one that falls behind is dropped, never waited for") {
  asio::io_context io;
  EventHub hub(io.get_executor(), {2, 3, 1000ms});
  auto slow = hub.subscribe({});
  auto fast = hub.subscribe({});
  CHECK_FALSE(hub.subscribe({}));  // full: the API answers 503
  for (int i = 0; i < 4; ++i) {
    hub.publish("target", std::to_string(i));
    if (i < 3) CHECK(next_of(io, *fast));  // fast reads as it goes
  }
  const auto ended = next_of(io, *slow);  // 4 queued > 3: dropped, its stream ends
  CHECK((ended && !*ended));
  CHECK(hub.subscribers() == 1);
  CHECK(hub.subscribe({}));  // its place is free again
  hub.stop();
  const auto stopped = next_of(io, *fast);
  CHECK((stopped && !*stopped));
}
