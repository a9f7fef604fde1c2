#include "alerting/dispatcher.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace enumwatch {
namespace asio = boost::asio;

namespace {

AlertSettings tracker_settings(const AlertingSettings& a) {
  return AlertSettings{a.resend_interval, a.runbook_url};
}

}  // namespace

AlertDispatcher::AlertDispatcher(asio::any_io_executor executor, const AlertingSettings& settings,
                                 Metrics& metrics, InternalErrorCounter count_internal_error)
    : executor_(std::move(executor)),
      settings_(settings),
      metrics_(metrics),
      count_internal_error_(std::move(count_internal_error)),
      tracker_(tracker_settings(settings)) {
  build_receivers();
}

AlertDispatcher::~AlertDispatcher() {
  *alive_ = false;
}

void AlertDispatcher::configure(const AlertingSettings& settings) {
  const bool receivers_changed = settings.alertmanager_urls != settings_.alertmanager_urls ||
                                 settings.webhook_urls != settings_.webhook_urls ||
                                 settings.external_url != settings_.external_url;
  settings_ = settings;
  tracker_.set_settings(tracker_settings(settings));
  if (receivers_changed) build_receivers();
}

void AlertDispatcher::observe(const TargetConfig& target, const PollResult& result) {
  if (result.outcome != PollOutcome::ok) return;
  tracker_.observe(target.name, target.labels, target.options.drift_for, result.report.drift,
                   std::chrono::system_clock::now());
  send_due();
}

void AlertDispatcher::forget_target(const std::string& target) {
  tracker_.forget_target(target, std::chrono::system_clock::now());
  send_due();
}

void AlertDispatcher::start() {
  asio::co_spawn(executor_, clock(), report_escape(count_internal_error_, "alerting"));
}

void AlertDispatcher::build_receivers() {
  receivers_.clear();
  for (const auto& url : settings_.alertmanager_urls) {
    receivers_.push_back(
        std::make_unique<AlertReceiver>(executor_, AlertReceiver::Kind::alertmanager, url,
                                        settings_.external_url, metrics_, count_internal_error_));
  }
  for (const auto& url : settings_.webhook_urls) {
    receivers_.push_back(std::make_unique<AlertReceiver>(executor_, AlertReceiver::Kind::webhook,
                                                         url, settings_.external_url, metrics_,
                                                         count_internal_error_));
  }
}

// Every receiver gets every alert (HA Alertmanagers deduplicate among themselves).
void AlertDispatcher::send_due() {
  auto due = tracker_.due(std::chrono::system_clock::now());
  if (due.empty()) return;
  for (auto& receiver : receivers_) receiver->enqueue(due);
}

// drift_for and resend_interval elapse between polls too. The loop's one edge: whatever a tick
// throws is counted and the clock ticks on.
asio::awaitable<void> AlertDispatcher::clock() {
  auto alive = alive_;
  asio::steady_timer timer(executor_);
  while (*alive) {
    timer.expires_after(std::chrono::seconds(1));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!*alive) break;
    try {
      send_due();
    } catch (...) {
      report_internal_error(count_internal_error_, "alerting", std::current_exception());
    }
  }
}

}  // namespace enumwatch
