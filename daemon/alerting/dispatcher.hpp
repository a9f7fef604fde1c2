// From poll results to alerts at every receiver (docs/alerting.md). The AlertTracker (common/)
// decides what is due; one AlertReceiver per configured URL delivers it. The dispatcher owns both,
// the one-second clock that lets drift_for and resend_interval elapse between polls, and the alert
// state file (<state_dir>/alerts.json) that carries what fired, since when, and what must still
// be resolved across a restart.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "alerting/receiver.hpp"
#include "enumwatch/alerting/alerts.hpp"
#include "enumwatch/config/config.hpp"
#include "logging.hpp"
#include "poll/poll_result.hpp"

namespace enumwatch {

class Metrics;

class AlertDispatcher {
 public:
  // An empty state_file keeps the state in memory only (tests).
  AlertDispatcher(boost::asio::any_io_executor executor, const AlertingSettings& settings,
                  Metrics& metrics, InternalErrorCounter count_internal_error,
                  std::string state_file = {},
                  std::shared_ptr<boost::asio::ssl::context> receiver_tls = nullptr);
  ~AlertDispatcher();
  AlertDispatcher(const AlertDispatcher&) = delete;
  AlertDispatcher& operator=(const AlertDispatcher&) = delete;

  // At start, before the first poll: the alert state the last run left. Alerts of targets not
  // in `targets` resolve. A missing file is a first start; a malformed one is logged, counted,
  // kept aside as alerts.json.corrupt, and the daemon starts with no alerts.
  void restore(const std::vector<std::string>& targets);
  // At shutdown: writes the state now if it changed since the last write (on the disk thread,
  // the file's one writer, after any write under way), and returns once it is written.
  void flush();
  // At shutdown, before flush(): every receiver delivers what it has queued (no backoff, no
  // retry after a failure) for at most `bound`; then `done` runs, on the event loop, always.
  void drain(std::chrono::milliseconds bound, std::function<void()> done);

  // On reload: new resend interval and runbook at once; a receiver whose URL is unchanged keeps
  // its queue, new URLs get new receivers, removed ones go.
  void configure(const AlertingSettings& settings,
                 std::shared_ptr<boost::asio::ssl::context> receiver_tls);
  // After every poll. Only successful polls move alerts: a failed poll is not a resolution.
  void observe(const TargetConfig& target, const PollResult& result);
  // The target left the config: its firing alerts resolve.
  void forget_target(const std::string& target);
  // Starts the clock; call once the io_context is about to run.
  void start();

  [[nodiscard]] std::size_t firing_count() const { return tracker_.firing_count(); }
  [[nodiscard]] std::vector<std::pair<AlertReceiver::Kind, AlertReceiver::Status>> receivers()
      const {
    std::vector<std::pair<AlertReceiver::Kind, AlertReceiver::Status>> out;
    for (const auto& r : receivers_) out.emplace_back(r->kind(), r->status());
    return out;
  }

 private:
  void build_receivers();
  void send_due();
  void persist();
  boost::asio::awaitable<void> clock();
  boost::asio::awaitable<void> wait_drained(std::chrono::milliseconds bound);
  std::string write_state(const std::string& content) const;

  boost::asio::any_io_executor executor_;
  AlertingSettings settings_;
  Metrics& metrics_;
  InternalErrorCounter count_internal_error_;
  AlertTracker tracker_;
  std::vector<std::unique_ptr<AlertReceiver>> receivers_;
  std::string state_file_;
  std::shared_ptr<boost::asio::ssl::context> receiver_tls_;  // made from [alerting] tls_*
  std::uint64_t persisted_version_ = 0;
  bool writing_ = false;
  boost::asio::thread_pool disk_{1};                            // fsync never stalls the loop
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // the clock stops with us
};

}  // namespace enumwatch
