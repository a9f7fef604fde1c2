#include <doctest/doctest.h>

#include "enumwatch/core/backoff.hpp"

using namespace enumwatch;
using namespace std::chrono_literals;

TEST_CASE("a retry waits the base, then twice as long after each further failure") {
  CHECK(exponential_backoff(1s, 0, 30s) == 1s);
  CHECK(exponential_backoff(1s, 1, 30s) == 1s);
  CHECK(exponential_backoff(1s, 2, 30s) == 2s);
  CHECK(exponential_backoff(1s, 5, 30s) == 16s);
}

TEST_CASE("a retry never waits longer than the cap, however many failures") {
  CHECK(exponential_backoff(1s, 6, 30s) == 30s);
  CHECK(exponential_backoff(1s, 1000000, 30s) == 30s);
  CHECK(exponential_backoff(500ms, 64, 60s) == 60s);
}

TEST_CASE("a base longer than the cap is kept as it is") {
  CHECK(exponential_backoff(10min, 5, 5min) == 10min);
}
