// Drift alerts (docs/alerting.md): one alert per drifting (target, schema, enum), debounced by
// drift_for, re-sent while firing, re-sent for 15 minutes once resolved. Pure state: the daemon
// feeds it poll results and the clock, and sends what due() returns.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "enumwatch/core/duration.hpp"
#include "enumwatch/diff/diff.hpp"

namespace enumwatch {

using TimePoint = std::chrono::system_clock::time_point;

struct AlertKey {
  std::string target, schema, enum_name;
  auto operator<=>(const AlertKey&) const = default;
};

struct Alert {
  AlertKey key;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  TimePoint starts_at;
  TimePoint ends_at;
  bool resolved = false;

  bool operator==(const Alert&) const = default;
};

struct AlertSettings {
  Duration resend_interval{std::chrono::minutes(1)};
  std::string runbook_url;
};

// How long a resolved alert keeps being re-sent, so that receivers that missed it still learn.
inline constexpr auto kResolvedResendWindow = std::chrono::minutes(15);

class AlertTracker {
 public:
  explicit AlertTracker(AlertSettings settings) : settings_(std::move(settings)) {}
  void set_settings(AlertSettings settings) { settings_ = std::move(settings); }

  // After a successful poll. A failed poll is not a resolution: do not call this for one.
  void observe(const std::string& target, const std::map<std::string, std::string>& target_labels,
               Duration drift_for, std::span<const DriftItem> drift, TimePoint now);
  // The target left the config: its firing alerts resolve.
  void forget_target(const std::string& target, TimePoint now);
  // What to send now: alerts that started firing or changed, firing ones due for re-sending
  // (endsAt = now + 4 x resend_interval), resolved ones (endsAt = when resolved) for 15 minutes.
  [[nodiscard]] std::vector<Alert> due(TimePoint now);

  // Every alert a receiver should know of now (firing, or resolved within the re-send window),
  // without counting as a send: for a receiver that was just added.
  [[nodiscard]] std::vector<Alert> active(TimePoint now) const;

  [[nodiscard]] std::size_t firing_count() const;

  // What must survive a restart (docs/alerting.md: nothing is lost while the daemon runs, and a
  // restart is no excuse): every alert's content, whether it fires, since when, and when it was
  // first seen (so drift_for does not start over). Send times are not kept: after a restart every
  // alert is due at once, so receivers learn the current state.
  [[nodiscard]] boost::json::value persisted() const;
  // Replaces the state with a persisted one; alerts of targets not in `targets` resolve at `now`.
  // Throws Error naming what is malformed; the tracker is then unchanged.
  void restore(const boost::json::value& persisted, const std::vector<std::string>& targets,
               TimePoint now);
  // Grows whenever what persisted() returns changes.
  [[nodiscard]] std::uint64_t version() const { return version_; }

 private:
  struct State {
    Alert alert;  // content; times filled when sent
    TimePoint first_seen;
    Duration drift_for{};
    bool firing = false;
    bool changed = false;
    std::optional<TimePoint> last_sent;
  };

  AlertSettings settings_;
  std::map<AlertKey, State> states_;
  std::uint64_t version_ = 0;
};

// What one receiver still has to deliver: the latest state of each alert. A newer state replaces
// an unsent older one (the superseded update is what goes); nothing else is ever dropped, so the
// queue never holds more entries than there are alerts.
class AlertQueue {
 public:
  void push(std::span<const Alert> alerts);
  // Up to `limit` alerts, oldest keys first; they leave the queue.
  [[nodiscard]] std::vector<Alert> take(std::size_t limit);
  // A batch that could not be delivered goes back, unless a newer state arrived meanwhile.
  void give_back(std::vector<Alert> batch);
  [[nodiscard]] bool empty() const { return queued_.empty(); }
  [[nodiscard]] std::size_t size() const { return queued_.size(); }

 private:
  std::map<AlertKey, Alert> queued_;
};

// Alertmanager API v2 body: [{"labels","annotations","startsAt","endsAt","generatorURL"}].
[[nodiscard]] boost::json::value alertmanager_body(std::span<const Alert> alerts,
                                                   const std::string& external_url);
// The body Alertmanager's own webhooks send (version 4), for generic webhook receivers.
[[nodiscard]] boost::json::value webhook_body(std::span<const Alert> alerts,
                                              const std::string& external_url);

}  // namespace enumwatch
