#include "alerting/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <future>

#include "enumwatch/core/error.hpp"
#include "enumwatch/core/file_io.hpp"

namespace enumwatch {
namespace asio = boost::asio;

namespace {

AlertSettings tracker_settings(const AlertingSettings& a) {
  return AlertSettings{a.resend_interval, a.runbook_url};
}

}  // namespace

AlertDispatcher::AlertDispatcher(asio::any_io_executor executor, const AlertingSettings& settings,
                                 Metrics& metrics, InternalErrorCounter count_internal_error,
                                 std::string state_file,
                                 std::shared_ptr<asio::ssl::context> receiver_tls)
    : executor_(std::move(executor)),
      settings_(settings),
      metrics_(metrics),
      count_internal_error_(std::move(count_internal_error)),
      tracker_(tracker_settings(settings)),
      state_file_(std::move(state_file)),
      receiver_tls_(std::move(receiver_tls)) {
  build_receivers();
}

AlertDispatcher::~AlertDispatcher() {
  *alive_ = false;
  disk_.join();  // a write under way finishes: the file is whole either way
}

void AlertDispatcher::restore(const std::vector<std::string>& targets) {
  if (state_file_.empty()) return;
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::path(state_file_).parent_path();
  std::filesystem::create_directories(dir, ec);
  // A crash between creating a temporary file and renaming it leaves alerts.json.tmp.<random>
  // behind (docs/security.md, "Temporary files"); nothing else uses that name. remove() takes a
  // symlink itself, never what it points to.
  const std::string leftover = std::filesystem::path(state_file_).filename().string() + ".tmp.";
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().starts_with(leftover))
      std::filesystem::remove(entry.path(), ec);
  }
  if (!std::filesystem::exists(state_file_, ec) && !ec) return;  // the first start
  try {
    // Boost.JSON's own exception would say neither which file nor what to do: an Error does.
    boost::system::error_code ec_json;
    const auto persisted = boost::json::parse(read_file(state_file_, "alert state"), ec_json);
    if (ec_json) throw Error("not valid JSON: " + ec_json.message());
    tracker_.restore(persisted, targets, std::chrono::system_clock::now());
    persisted_version_ = tracker_.version();
    spdlog::info("alerts: restored {} firing alerts from {}", tracker_.firing_count(), state_file_);
  } catch (const std::exception& e) {
    spdlog::error("alerts: {}: {}; starting with no alerts (the file is kept as {}.corrupt)",
                  state_file_, e.what(), state_file_);
    std::filesystem::rename(state_file_, state_file_ + ".corrupt", ec);
    if (count_internal_error_) count_internal_error_("alerting");
  }
}

// alerts.json has one writer: the disk thread. flush() queues its write there too, behind any
// write under way (they used the same temporary name when flush() wrote from the loop thread),
// and waits for it.
void AlertDispatcher::flush() {
  if (state_file_.empty() || tracker_.version() == persisted_version_) return;
  std::promise<std::string> written;
  auto error = written.get_future();
  asio::post(disk_, [this, &written, content = boost::json::serialize(tracker_.persisted())] {
    written.set_value(write_state(content));
  });
  if (const std::string e = error.get(); !e.empty()) {
    spdlog::error("alerts: cannot save the alert state at shutdown: {}", e);
    return;
  }
  persisted_version_ = tracker_.version();
}

// On the disk thread only. The error, or empty.
std::string AlertDispatcher::write_state(const std::string& content) const {
  try {
    write_file_atomically(state_file_, content);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

// Writes the state on the disk thread whenever it changed; one write at a time, the newest
// state last. A failed write is logged and counted, and retried with the next change or tick.
void AlertDispatcher::persist() {
  if (state_file_.empty() || writing_ || tracker_.version() == persisted_version_) return;
  writing_ = true;
  const std::uint64_t version = tracker_.version();
  asio::post(disk_, [this, alive = alive_, version,
                     content = boost::json::serialize(tracker_.persisted())] {
    std::string error = write_state(content);
    asio::post(executor_, [this, alive, version, error] {
      if (!*alive) return;
      writing_ = false;
      if (!error.empty()) {
        spdlog::error("alerts: cannot save the alert state: {}", error);
        if (count_internal_error_) count_internal_error_("alerting");
        return;  // the next tick tries again
      }
      persisted_version_ = std::max(persisted_version_, version);
      persist();
    });
  });
}

void AlertDispatcher::drain(std::chrono::milliseconds bound, std::function<void()> done) {
  try {
    send_due();  // what fell due since the last tick goes too
  } catch (...) {
    report_internal_error(count_internal_error_, "alerting", std::current_exception());
  }
  for (auto& receiver : receivers_) receiver->drain();
  // `done` runs whatever happens to the wait: the daemon must exit even if it throws.
  asio::co_spawn(executor_, wait_drained(bound),
                 [count = count_internal_error_, done = std::move(done)](std::exception_ptr e) {
                   if (e) report_internal_error(count, "alerting", e);
                   done();
                 });
}

asio::awaitable<void> AlertDispatcher::wait_drained(std::chrono::milliseconds bound) {
  auto alive = alive_;
  const auto started = std::chrono::steady_clock::now();
  auto pending = [&] {
    std::size_t n = 0;
    for (const auto& receiver : receivers_) n += receiver->idle() ? 0 : 1;
    return n;
  };
  asio::steady_timer timer(executor_);
  while (*alive && pending() > 0 && std::chrono::steady_clock::now() - started < bound) {
    timer.expires_after(std::chrono::milliseconds(20));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (!*alive) co_return;
  std::size_t owed = 0;
  for (const auto& receiver : receivers_) owed += receiver->owed();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  if (owed == 0) {
    spdlog::info("alerts: every pending delivery done ({} ms)", took.count());
  } else {
    spdlog::warn(
        "alerts: {} alert notifications at {} receivers not delivered at shutdown (unreachable, "
        "or still sending after {} ms); the state file keeps the alerts and they are sent again "
        "after the restart",
        owed, pending(), took.count());
  }
}

void AlertDispatcher::configure(const AlertingSettings& settings,
                                std::shared_ptr<asio::ssl::context> receiver_tls) {
  settings_ = settings;
  receiver_tls_ = std::move(receiver_tls);
  tracker_.set_settings(tracker_settings(settings));
  build_receivers();
}

void AlertDispatcher::observe(const TargetConfig& target, const PollResult& result) {
  // An unchanged poll has the drift of the last one: nothing to observe (the clock below moves
  // drift_for and resend_interval along).
  if (result.outcome != PollOutcome::ok || result.unchanged) return;
  tracker_.observe(target.name, target.labels, target.options.drift_for, result.report.drift,
                   std::chrono::system_clock::now());
  send_due();
  persist();
}

void AlertDispatcher::forget_target(const std::string& target) {
  tracker_.forget_target(target, std::chrono::system_clock::now());
  send_due();
  persist();
}

void AlertDispatcher::start() {
  asio::co_spawn(executor_, clock(), report_escape(count_internal_error_, "alerting"));
}

// Receivers whose URL stays keep their queue (a receiver that is down keeps what it owes);
// a new one is given at once every alert that fires or was resolved lately.
void AlertDispatcher::build_receivers() {
  std::vector<std::unique_ptr<AlertReceiver>> previous = std::move(receivers_);
  receivers_.clear();
  auto add = [&](AlertReceiver::Kind kind, const std::string& url) {
    auto kept = std::find_if(previous.begin(), previous.end(), [&](const auto& r) {
      return r && r->kind() == kind && r->url() == url;
    });
    if (kept != previous.end()) {
      (*kept)->set_external_url(settings_.external_url);
      (*kept)->set_tls(receiver_tls_);
      receivers_.push_back(std::move(*kept));
      return;
    }
    receivers_.push_back(std::make_unique<AlertReceiver>(
        executor_, kind, url, settings_.external_url, metrics_, count_internal_error_));
    receivers_.back()->set_tls(receiver_tls_);
    const auto current = tracker_.active(std::chrono::system_clock::now());
    if (!current.empty()) receivers_.back()->enqueue(current);
  };
  for (const auto& url : settings_.alertmanager_urls) add(AlertReceiver::Kind::alertmanager, url);
  for (const auto& url : settings_.webhook_urls) add(AlertReceiver::Kind::webhook, url);
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
      persist();
    } catch (...) {
      report_internal_error(count_internal_error_, "alerting", std::current_exception());
    }
  }
}

}  // namespace enumwatch
