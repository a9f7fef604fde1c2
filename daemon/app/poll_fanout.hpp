// Where a finished poll goes: its metrics, its alerts, and a `target` event for the status page's
// live stream when what the page shows changed. The scheduler's PollObserver; the daemon owns it.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "poll/scheduler.hpp"

namespace enumwatch {

class AlertDispatcher;
class EventHub;
class Metrics;

class PollFanout final : public PollObserver {
 public:
  // `report` reads a target's current report (the scheduler's, which is built after this).
  using ReportOf = std::function<std::optional<TargetReport>(const std::string&)>;
  PollFanout(Metrics& metrics, AlertDispatcher& alerts, EventHub& events, ReportOf report)
      : metrics_(metrics), alerts_(alerts), events_(events), report_(std::move(report)) {}

  void polled(const TargetConfig& target, std::span<const NamedSnapshot> snapshots,
              const PollResult& result) override;
  void removed(const std::string& target) override;
  void listening(const std::string& target, bool up) override;
  void interval_changed(const std::string& target, std::chrono::milliseconds interval) override;
  void notified(const std::string& target, std::size_t count) override;
  void coalesced(const std::string& target, std::size_t count) override;
  void secondary_read_failed(const std::string& target, std::string_view read) override;

 private:
  // A `target` event when state, error or drift changed (not merely the time of the poll).
  void publish_if_changed(const std::string& name);

  Metrics& metrics_;
  AlertDispatcher& alerts_;
  EventHub& events_;
  ReportOf report_;
  std::map<std::string, std::string> published_;  // the last event of each target, sans time
};

}  // namespace enumwatch
