#include <doctest/doctest.h>

#include "enumwatch/core/duration.hpp"

using namespace enumwatch;
using namespace std::chrono_literals;

TEST_CASE("every unit of the config format parses") {
  CHECK(parse_duration("0s") == 0ms);
  CHECK(parse_duration("500ms") == 500ms);
  CHECK(parse_duration("30s") == 30s);
  CHECK(parse_duration("5m") == 5min);
  CHECK(parse_duration("1h") == 1h);
  CHECK(parse_duration("1h30m") == 90min);
}

TEST_CASE("malformed durations are rejected") {
  for (const char* bad : {"", "30", "s", "1x", "1.5s", " 1s", "1s ", "-5s", "99999999999s"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_duration(bad));
  }
}

TEST_CASE("durations print in their largest exact unit") {
  CHECK(format_duration(30s) == "30s");
  CHECK(format_duration(5min) == "5m");
  CHECK(format_duration(1500ms) == "1500ms");
}
