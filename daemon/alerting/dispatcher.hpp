// From poll results to alerts at every receiver (SPEC §8). The AlertTracker (common/) decides what
// is due; one AlertReceiver per configured URL delivers it. The dispatcher owns both, and the
// one-second clock that lets drift_for and resend_interval elapse between polls.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "alerting/receiver.hpp"
#include "enumwatch/alerts.hpp"
#include "enumwatch/config.hpp"
#include "logging.hpp"
#include "poll/target_poller.hpp"

namespace enumwatch {

class Metrics;

class AlertDispatcher {
 public:
  AlertDispatcher(boost::asio::any_io_executor executor, const AlertingSettings& settings,
                  Metrics& metrics, InternalErrorCounter count_internal_error);
  ~AlertDispatcher();
  AlertDispatcher(const AlertDispatcher&) = delete;
  AlertDispatcher& operator=(const AlertDispatcher&) = delete;

  // On reload: new resend interval and runbook at once; receivers rebuilt only when their URLs
  // or the external URL changed.
  void configure(const AlertingSettings& settings);
  // After every poll. Only successful polls move alerts: a failed poll is not a resolution.
  void observe(const TargetConfig& target, const PollResult& result);
  // The target left the config: its firing alerts resolve.
  void forget_target(const std::string& target);
  // Starts the clock; call once the io_context is about to run.
  void start();

  [[nodiscard]] std::size_t firing_count() const { return tracker_.firing_count(); }

 private:
  void build_receivers();
  void send_due();
  boost::asio::awaitable<void> clock();

  boost::asio::any_io_executor executor_;
  AlertingSettings settings_;
  Metrics& metrics_;
  InternalErrorCounter count_internal_error_;
  AlertTracker tracker_;
  std::vector<std::unique_ptr<AlertReceiver>> receivers_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // the clock stops with us
};

}  // namespace enumwatch
