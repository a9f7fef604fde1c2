// A PollObserver that ignores everything the scheduler tells it: tests derive from it and
// override what they look at.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "poll/scheduler.hpp"

namespace enumwatch::testing {

struct IgnorePolls : PollObserver {
  void polled(const TargetConfig&, std::span<const NamedSnapshot>, const PollResult&) override {}
  void removed(const std::string&) override {}
  void listening(const std::string&, bool) override {}
  void interval_changed(const std::string&, std::chrono::milliseconds) override {}
  void notified(const std::string&, std::size_t) override {}
  void coalesced(const std::string&, std::size_t) override {}
  void secondary_read_failed(const std::string&, std::string_view) override {}
};

}  // namespace enumwatch::testing
