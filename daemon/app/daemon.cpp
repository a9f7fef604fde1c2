// enumwatch run: the composition root. One io_context carries the scheduler (poll/), the HTTP
// server and API (http/), the alert dispatcher (alerting/) and the metrics (metrics/); this file
// wires them together and handles the process lifecycle: signals, reload, systemd notification
// and the watchdog. A finished poll goes to PollFanout (app/poll_fanout), and from there to
// metrics, alerts and the status page's stream; the page's view is gathered by
// http/page/status_view.
#include "app/daemon.hpp"

#include <spdlog/spdlog.h>

#include <malloc.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>

#include "alerting/dispatcher.hpp"
#include "app/loaded_config.hpp"
#include "app/poll_fanout.hpp"
#include "app/systemd_notify.hpp"
#include "enumwatch/core/error.hpp"
#include "enumwatch/report/report.hpp"
#include "http/api.hpp"
#include "http/event_stream.hpp"
#include "http/page/status_view.hpp"
#include "http/server.hpp"
#include "logging.hpp"
#include "metrics/metrics.hpp"
#include "poll/scheduler.hpp"
#include "snapshots/registry.hpp"

namespace enumwatch {
namespace asio = boost::asio;

namespace {

// How long shutdown waits for alert deliveries (docs/reliability.md): well inside systemd's
// TimeoutStopSec, and shorter than one receiver request's timeout (10 s).
constexpr std::chrono::milliseconds kShutdownDrain = std::chrono::seconds(5);

class Daemon final {
 public:
  Daemon(std::string path, LoadedConfig initial)
      : path_(std::move(path)),
        signals_(io_, SIGHUP, SIGTERM, SIGINT),
        registry_(initial.config.daemon.state_dir, std::move(initial.snapshots)),
        metrics_(initial.config.daemon.per_enum_metrics),
        count_internal_error_(
            [this](const std::string& component) { metrics_.count_internal_error(component); }),
        alerts_(io_.get_executor(), initial.config.alerting, metrics_, count_internal_error_,
                initial.config.daemon.state_dir + "/alerts.json", initial.receiver_tls),
        events_(io_.get_executor()),
        fanout_(metrics_, alerts_, events_,
                [this](const std::string& name) { return scheduler_.report(name); }),
        scheduler_(io_.get_executor(), registry_, fanout_, count_internal_error_),
        api_(scheduler_, registry_, metrics_),
        server_(
            io_.get_executor(), [this](const HttpRequest& r) { return api_.handle(r); },
            [this](const HttpRequest& headers) { return api_.wants_body(headers); },
            count_internal_error_),
        config_(std::move(initial.config)) {
    api_.set_token(std::move(initial.token));
    set_shard(initial, config_.daemon.poll_duration_histogram);
    api_.set_status_page(&events_, [this] { return status_page(); });
    server_.set_stream_opener([this](const HttpRequest& r, const asio::ip::address& client) {
      return api_.open_stream(r, client);
    });
    server_.set_tls(initial.listener_tls);
    server_.set_allowed_hosts({config_.daemon.listen, config_.alerting.external_url});
    reloaded_at_ = std::chrono::system_clock::now();
    for (const auto& t : initial.targets) metrics_.add_target(t.config);
    metrics_.set_snapshots(registry_.all());
    report_recovered_snapshots();
    metrics_.record_reload(true, std::chrono::system_clock::now());
    std::vector<std::string> names;
    for (const auto& t : initial.targets) names.push_back(t.config.name);
    alerts_.restore(names);
    scheduler_.apply(initial.targets, config_.daemon.max_concurrent_polls);
  }

  int run() {
    try {
      server_.start(resolve_listen(config_.daemon.listen));
    } catch (const boost::system::system_error& e) {
      throw Error("cannot listen on " + config_.daemon.listen + ": " + e.code().message() +
                  ": free the port or change daemon.listen");
    }
    spdlog::info("enumwatch listening on {}, watching {} targets{}", config_.daemon.listen,
                 config_.targets.size() - other_shards_, shard_text());
    systemd::ready(status_line());
    wait_for_signals();
    alerts_.start();
    asio::co_spawn(io_, housekeeping(), report_escape(count_internal_error_, "housekeeping"));
    io_.run();
    spdlog::info("enumwatch stopped");
    return 0;
  }

 private:
  void wait_for_signals() {
    signals_.async_wait([this](boost::system::error_code ec, int signal) {
      if (ec) return;
      if (signal == SIGHUP) {
        if (!stopping_) reload();
        wait_for_signals();
        return;
      }
      if (stopping_) {  // a second SIGTERM or SIGINT: stop without waiting for the receivers
        spdlog::info("received {} again, stopping now", signal == SIGTERM ? "SIGTERM" : "SIGINT");
        alerts_.flush();
        io_.stop();
        return;
      }
      stopping_ = true;
      spdlog::info("received {}, shutting down", signal == SIGTERM ? "SIGTERM" : "SIGINT");
      systemd::stopping();
      server_.stop();
      events_.stop();
      scheduler_.stop();
      wait_for_signals();
      // Alerts already due are delivered before exiting, for a bounded time (docs/reliability.md,
      // "Shutdown drains alert deliveries"): a deploy's restart must not hold back an alert the
      // receivers only get after the new process's first polls.
      alerts_.drain(kShutdownDrain, [this] {
        alerts_.flush();
        io_.stop();  // in-flight polls are abandoned; their connections close as their frames go
      });
    });
  }

  // SIGHUP. An invalid config is rejected whole and the daemon goes on with the old one; an
  // error nobody expected is counted as well. Never throws: the signal handler re-arms after it.
  void reload() noexcept {
    systemd::reloading();
    const auto now = std::chrono::system_clock::now();
    try {
      apply(load_everything(path_));
      metrics_.record_reload(true, now);
      reloaded_at_ = now;
      reload_error_.clear();
    } catch (const Error& e) {
      metrics_.record_reload(false, now);
      reload_error_ = e.what();
      spdlog::error("config reload rejected, keeping the running config: {}", e.what());
    } catch (...) {
      metrics_.record_reload(false, now);
      reload_error_ = "internal error (see the log)";
      report_internal_error(count_internal_error_, "reload", std::current_exception());
    }
    systemd::ready(status_line());
  }

  void apply(LoadedConfig next) {
    if (next.config.daemon.listen != config_.daemon.listen) {
      spdlog::warn("daemon.listen changed to {}: restart enumwatch to listen there",
                   next.config.daemon.listen);
    }
    configure_logging(next.config.daemon.log_level, next.config.daemon.log_format);
    registry_.replace(SnapshotStore(next.config.daemon.state_dir), std::move(next.snapshots));
    metrics_.set_per_enum_metrics(next.config.daemon.per_enum_metrics);
    for (const auto& t : next.targets) metrics_.add_target(t.config);
    auto changes = scheduler_.apply(next.targets, next.config.daemon.max_concurrent_polls);
    // Snapshots may have changed for kept targets too: poll them with the new ones now.
    for (const auto& t : next.targets) scheduler_.request_poll(t.config.name);
    api_.set_token(std::move(next.token));
    if (next.shard != shard_) {
      spdlog::info("shard changed from {}/{} to {}/{}: {} targets here now", shard_.index,
                   shard_.count, next.shard.index, next.shard.count, next.targets.size());
    }
    set_shard(next, next.config.daemon.poll_duration_histogram);
    server_.set_tls(next.listener_tls);  // rotated certificates serve new connections
    server_.set_allowed_hosts({next.config.daemon.listen, next.config.alerting.external_url});
    alerts_.configure(next.config.alerting, next.receiver_tls);
    metrics_.set_snapshots(registry_.all());
    report_recovered_snapshots();
    config_ = std::move(next.config);
    spdlog::info("config reloaded: {} targets{} ({} added, {} changed, {} removed, {} unchanged)",
                 config_.targets.size() - other_shards_, shard_text(), changes.added,
                 changes.changed, changes.removed, changes.kept);
  }

  // docs/fleet.md: targets of other shards are validated, never polled, and named as such.
  // (`loaded.config` may be moved from already: the histogram mode comes apart.)
  void set_shard(const LoadedConfig& loaded, DurationHistogram durations) {
    shard_ = loaded.shard;
    other_shards_ = loaded.other_shards.size();
    metrics_.set_shard(loaded.shard, loaded.targets.size(), loaded.other_shards.size());
    metrics_.set_duration_histograms(durations, loaded.targets.size());
    api_.set_shard(loaded.shard, loaded.other_shards);
  }

  std::string shard_text() const {
    if (shard_.count <= 1) return "";
    return " (shard " + std::to_string(shard_.index) + "/" + std::to_string(shard_.count) + "; " +
           std::to_string(other_shards_) + " left to other shards)";
  }

  // A stored snapshot whose current.json was corrupt runs on its newest valid history version:
  // loud in the log and in enumwatch_internal_errors_total{component="snapshot_store"}.
  void report_recovered_snapshots() {
    for (const auto& [name, loaded] : registry_.all()) {
      if (!loaded.current || !loaded.current->recovered_from_history) continue;
      spdlog::error("snapshot {}: current version unusable, recovered from history: {}", name,
                    *loaded.current->recovered_from_history);
      metrics_.count_internal_error("snapshot_store");
    }
  }

  StatusPage status_page() const {
    return gather_status_page(scheduler_, registry_, alerts_, config_,
                              ReloadView{reload_error_.empty(), reloaded_at_, reload_error_});
  }

  std::string status_line() const {
    int targets = 0, up = 0, drifting = 0;
    scheduler_.for_each_report([&](const TargetReport& r) {
      ++targets;
      up += r.up ? 1 : 0;
      drifting += r.drift.empty() ? 0 : 1;
    });
    return std::to_string(targets) + " targets, " + std::to_string(up) + " up, " +
           std::to_string(drifting) + " with drift";
  }

  // Watchdog pings only while the scheduler makes progress, and a STATUS= line now and then.
  asio::awaitable<void> housekeeping() {
    const auto watchdog = systemd::watchdog_ping_interval();
    asio::steady_timer timer(io_);
    auto last_status = std::chrono::steady_clock::now();
    bool warned = false;
    for (;;) {
      timer.expires_after(
          watchdog ? std::min<std::chrono::microseconds>(*watchdog, std::chrono::seconds(5))
                   : std::chrono::microseconds(std::chrono::seconds(5)));
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      try {
        const auto now = std::chrono::steady_clock::now();
        if (watchdog) {
          if (scheduler_.making_progress(now)) {
            systemd::watchdog();
            warned = false;
          } else if (!warned) {
            spdlog::error(
                "scheduler is stalled (a poll or wake-up is overdue): not feeding the systemd "
                "watchdog");
            warned = true;
          }
        }
        if (now - last_status >= std::chrono::seconds(5)) {
          systemd::status(status_line());
          last_status = now;
        }
      } catch (...) {
        report_internal_error(count_internal_error_, "housekeeping", std::current_exception());
      }
    }
  }

  std::string path_;
  asio::io_context io_;  // first: destroyed last, after everything that uses it
  asio::signal_set signals_;
  SnapshotRegistry registry_;
  Metrics metrics_;
  InternalErrorCounter count_internal_error_;
  AlertDispatcher alerts_;  // its receivers count into metrics_: destroyed before it
  EventHub events_;
  PollFanout fanout_;  // before the scheduler, which calls it
  Scheduler scheduler_;
  HttpApi api_;
  HttpServer server_;
  Config config_;
  std::chrono::system_clock::time_point reloaded_at_;
  std::string reload_error_;  // of the last reload, if it failed
  Shard shard_;
  std::size_t other_shards_ = 0;  // configured targets this daemon leaves to other shards
  bool stopping_ = false;         // SIGTERM or SIGINT came: draining the alert receivers
};

}  // namespace

int run_daemon(const std::string& config_path) {
  // A scrape without gzip builds a body of up to 17 MB (10 000 targets) and frees it, as a full
  // read may build megabytes of rows. glibc's default moves its mmap threshold up to the largest
  // block freed, so after the first such block the next come from the heap, and the heap keeps
  // what they freed: 50 MB more RSS at 10 000 targets (docs/performance.md, "Memory at 10 000
  // targets"). A fixed threshold keeps every block of 1 MB or more in a mapping of its own,
  // returned when freed.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  configure_logging("info", "text");
  LoadedConfig initial = load_everything(config_path);
  configure_logging(initial.config.daemon.log_level, initial.config.daemon.log_format);
  Daemon daemon(config_path, std::move(initial));
  return daemon.run();
}

}  // namespace enumwatch
