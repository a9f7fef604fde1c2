#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

#include "http/event_stream.hpp"

using namespace enumwatch;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

const asio::ip::address kClient = asio::ip::make_address("192.0.2.1");
const asio::ip::address kOther = asio::ip::make_address("2001:db8::1");

// Runs next() on the loop for at most `budget`: the chunk (null when the stream ended), or
// nothing when next() has not returned by then.
std::optional<EventChunk> chunk_of(asio::io_context& io, EventSubscription& s,
                                   std::chrono::milliseconds budget = 2s) {
  std::optional<EventChunk> got;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { got = co_await s.next(); }, asio::detached);
  io.restart();
  io.run_for(budget);
  return got;
}

// The text of the next chunk; "<ended>" or "<nothing>" otherwise.
std::string next_of(asio::io_context& io, EventSubscription& s,
                    std::chrono::milliseconds budget = 2s) {
  const auto got = chunk_of(io, s, budget);
  if (!got) return "<nothing>";
  return *got ? **got : "<ended>";
}

std::function<std::vector<EventChunk>()> events(const std::vector<std::string>& initial) {
  std::vector<EventChunk> chunks;
  for (const auto& text : initial) chunks.push_back(std::make_shared<const std::string>(text));
  return [chunks] { return chunks; };
}

}  // namespace

TEST_CASE("a subscriber gets its initial events, then what is published, in order") {
  asio::io_context io;
  EventHub hub(io.get_executor());
  auto s = hub.subscribe(kClient, events({EventHub::format("target", "{\"name\":\"a\"}")}));
  REQUIRE(s.subscription);
  hub.publish("target", "{\"name\":\"b\"}");
  CHECK(next_of(io, *s.subscription) == "event: target\ndata: {\"name\":\"a\"}\n\n");
  CHECK(next_of(io, *s.subscription) == "event: target\ndata: {\"name\":\"b\"}\n\n");
}

TEST_CASE("a quiet stream sends heartbeats; a publish wakes a waiting subscriber at once") {
  asio::io_context io;
  EventHub hub(io.get_executor(),
               {.max_subscribers = 4, .max_per_client = 4, .max_queued = 8, .heartbeat = 50ms});
  auto s = hub.subscribe(kClient, {}).subscription;
  REQUIRE(s);
  CHECK(next_of(io, *s) == ": heartbeat\n\n");

  // A stream whose heartbeat never comes within the test: only the publish can wake it, however
  // late a loaded machine runs the loop.
  EventHub quiet(io.get_executor(),
                 {.max_subscribers = 4, .max_per_client = 4, .max_queued = 8, .heartbeat = 1h});
  auto waiting = quiet.subscribe(kClient, {}).subscription;
  REQUIRE(waiting);
  std::optional<EventChunk> got;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { got = co_await waiting->next(); }, asio::detached);
  io.restart();
  io.run_for(10ms);  // now waiting
  CHECK_FALSE(got);
  quiet.publish("target", "x");
  io.run_for(10ms);
  REQUIRE((got && *got));
  CHECK(**got == "event: target\ndata: x\n\n");
}

TEST_CASE("subscribers are bounded, and one that falls behind is dropped, never waited for") {
  asio::io_context io;
  EventHub hub(io.get_executor(),
               {.max_subscribers = 2, .max_per_client = 4, .max_queued = 3, .heartbeat = 1000ms});
  auto slow = hub.subscribe(kClient, {}).subscription;
  auto fast = hub.subscribe(kOther, {}).subscription;
  REQUIRE((slow && fast));
  const auto full = hub.subscribe(kOther, {});  // full: the API answers 503
  CHECK_FALSE(full.subscription);
  CHECK(full.refusal == EventHub::Subscribed::Refusal::hub_full);
  for (int i = 0; i < 4; ++i) {
    hub.publish("target", std::to_string(i));
    if (i < 3) CHECK(next_of(io, *fast) == "event: target\ndata: " + std::to_string(i) + "\n\n");
  }
  CHECK(next_of(io, *slow) == "<ended>");  // 4 queued > 3: dropped, its stream ends
  CHECK(hub.subscribers() == 1);
  CHECK(hub.subscribe(kClient, {}).subscription);  // its place is free again
  hub.stop();
  CHECK(next_of(io, *fast) == "<ended>");
}

TEST_CASE("one client address holds a few streams at most; others still get theirs") {
  asio::io_context io;
  EventHub hub(io.get_executor());
  REQUIRE(hub.limits().max_per_client == 4);
  std::vector<std::shared_ptr<EventSubscription>> held;
  for (int i = 0; i < 4; ++i) {
    auto s = hub.subscribe(kClient, {});
    REQUIRE(s.subscription);
    held.push_back(std::move(s.subscription));
  }
  const auto fifth = hub.subscribe(kClient, {});  // the API answers 429
  CHECK_FALSE(fifth.subscription);
  CHECK(fifth.refusal == EventHub::Subscribed::Refusal::client_full);
  CHECK(hub.subscribe(kOther, {}).subscription);
  held.pop_back();  // a page closed: its stream ended, and its place is free
  CHECK(hub.subscribe(kClient, {}).subscription);
}

TEST_CASE("a refused subscriber costs no serialization of the initial events") {
  asio::io_context io;
  EventHub hub(io.get_executor(),
               {.max_subscribers = 2, .max_per_client = 1, .max_queued = 8, .heartbeat = 1000ms});
  int serialized = 0;
  const auto initial = [&] {
    ++serialized;
    return std::vector<EventChunk>{
        std::make_shared<const std::string>(EventHub::format("target", "{}"))};
  };
  auto first = hub.subscribe(kClient, initial);
  REQUIRE(first.subscription);
  CHECK(serialized == 1);
  CHECK(hub.subscribe(kClient, initial).refusal == EventHub::Subscribed::Refusal::client_full);
  auto second = hub.subscribe(kOther, initial);
  REQUIRE(second.subscription);
  CHECK(hub.subscribe(asio::ip::make_address("192.0.2.9"), initial).refusal ==
        EventHub::Subscribed::Refusal::hub_full);
  CHECK(serialized == 2);
}

TEST_CASE("a published event is encoded once and shared by every subscriber") {
  asio::io_context io;
  EventHub hub(io.get_executor());
  auto a = hub.subscribe(kClient, {}).subscription;
  auto b = hub.subscribe(kOther, {}).subscription;
  REQUIRE((a && b));
  hub.publish("target", "{\"name\":\"x\"}");
  const auto got_a = chunk_of(io, *a);
  const auto got_b = chunk_of(io, *b);
  REQUIRE((got_a && *got_a && got_b && *got_b));
  CHECK(got_a->get() == got_b->get());  // one string, two pointers to it
  CHECK(**got_a == "event: target\ndata: {\"name\":\"x\"}\n\n");
}

TEST_CASE("the initial events do not count against the queue limit") {
  asio::io_context io;
  EventHub hub(io.get_executor(),
               {.max_subscribers = 4, .max_per_client = 4, .max_queued = 2, .heartbeat = 1000ms});
  // Ten targets' state on connect, more than max_queued, and then two published events.
  std::vector<std::string> initial;
  for (int i = 0; i < 10; ++i) initial.push_back(EventHub::format("target", std::to_string(i)));
  auto s = hub.subscribe(kClient, events(initial)).subscription;
  REQUIRE(s);
  hub.publish("target", "p0");
  hub.publish("target", "p1");
  for (int i = 0; i < 10; ++i) CHECK(next_of(io, *s) == initial[static_cast<std::size_t>(i)]);
  CHECK(next_of(io, *s) == "event: target\ndata: p0\n\n");
  CHECK(next_of(io, *s) == "event: target\ndata: p1\n\n");
  // A third published event while two wait is over the limit: dropped as before.
  hub.publish("target", "q0");
  hub.publish("target", "q1");
  hub.publish("target", "q2");
  CHECK(next_of(io, *s) == "<ended>");
}
