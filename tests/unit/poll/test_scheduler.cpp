#include <doctest/doctest.h>

#include "poll/scheduler.hpp"

using namespace enumwatch;
using namespace std::chrono_literals;

TEST_CASE("a failing target backs off exponentially from its interval") {
  CHECK(backoff_delay(1s, 1) == 1s);
  CHECK(backoff_delay(1s, 2) == 2s);
  CHECK(backoff_delay(1s, 3) == 4s);
  CHECK(backoff_delay(1s, 4) == 8s);
}

TEST_CASE("backoff never exceeds ten intervals") {
  CHECK(backoff_delay(1s, 10) == 10s);
  CHECK(backoff_delay(1s, 100) == 10s);
}

TEST_CASE("backoff never exceeds five minutes") {
  CHECK(backoff_delay(1min, 4) == 5min);
  CHECK(backoff_delay(1min, 50) == 5min);
}

TEST_CASE("an interval longer than the cap is kept as it is") {
  CHECK(backoff_delay(10min, 5) == 10min);
}
