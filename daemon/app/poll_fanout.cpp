#include "app/poll_fanout.hpp"

#include <boost/json.hpp>

#include "alerting/dispatcher.hpp"
#include "http/event_stream.hpp"
#include "metrics/metrics.hpp"

namespace enumwatch {

void PollFanout::polled(const TargetConfig& target, std::span<const NamedSnapshot> snapshots,
                        const PollResult& result) {
  metrics_.record_poll(target, snapshots, result);
  alerts_.observe(target, result);
  publish_if_changed(target.name);
}

void PollFanout::removed(const std::string& target) {
  metrics_.remove_target(target);
  alerts_.forget_target(target);
  published_.erase(target);
}

void PollFanout::listening(const std::string& target, bool up) {
  metrics_.set_listening(target, up);
}

void PollFanout::interval_changed(const std::string& target, std::chrono::milliseconds interval) {
  metrics_.set_poll_interval(target, interval);
}

void PollFanout::notified(const std::string& target, std::size_t count) {
  metrics_.count_change_notifications(target, count);
}

void PollFanout::coalesced(const std::string& target, std::size_t count) {
  metrics_.count_coalesced_notifications(target, count);
}

void PollFanout::secondary_read_failed(const std::string&, std::string_view read) {
  metrics_.count_secondary_read_failure(read);  // the poller logged which target and why
}

void PollFanout::publish_if_changed(const std::string& name) {
  // Nobody listening: nothing to compare against either (a new subscriber first gets every
  // target's current state), so a poll costs nothing here.
  if (events_.subscribers() == 0) {
    published_.clear();
    return;
  }
  auto report = report_(name);
  if (!report) return;
  boost::json::value value = to_json(*report);
  auto& object = value.as_object();
  const boost::json::value polled_at = object["polled_at"];
  object["polled_at"] = nullptr;
  std::string key = boost::json::serialize(value);
  auto& last = published_[name];
  if (last == key) return;
  last = std::move(key);
  object["polled_at"] = polled_at;
  events_.publish("target", boost::json::serialize(value));
}

}  // namespace enumwatch
