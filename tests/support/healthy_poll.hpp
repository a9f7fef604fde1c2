// What a poll of a healthy database without drift returns, for tests that stand in for one.
#pragma once

#include <chrono>
#include <string>

#include "poll/poll_result.hpp"

namespace enumwatch::testing {

inline PollResult healthy_poll(const std::string& target) {
  PollResult result;
  result.outcome = PollOutcome::ok;
  result.report.name = target;
  result.report.up = true;
  result.report.polled_at = std::chrono::system_clock::now();
  result.database = DatabaseState{};
  return result;
}

}  // namespace enumwatch::testing
