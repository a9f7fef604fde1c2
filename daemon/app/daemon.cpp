// enumwatch run: composes config, snapshots, scheduler, metrics and HTTP on one io_context, and
// handles the process lifecycle (signals, reload, systemd notification, watchdog).
#include "app/daemon.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>

#include "alerting/receiver.hpp"
#include "app/systemd_notify.hpp"
#include "cli/commands.hpp"
#include "enumwatch/alerts.hpp"
#include "enumwatch/error.hpp"
#include "enumwatch/text.hpp"
#include "http/api.hpp"
#include "http/server.hpp"
#include "logging.hpp"
#include "metrics/metrics.hpp"
#include "poll/scheduler.hpp"
#include "snapshots/registry.hpp"

namespace enumwatch {
namespace asio = boost::asio;

namespace {

// Everything a config file leads to, loaded and checked before any of it is used: a reload that
// fails anywhere here changes nothing.
struct LoadedConfig {
  Config config;
  SnapshotSet snapshots;
  std::optional<std::string> token;
  std::vector<TargetSetup> targets;
};

LoadedConfig load_everything(const std::string& path) {
  LoadedConfig out;
  out.config = load_config(path);
  out.snapshots = load_snapshots(out.config, SnapshotStore(out.config.daemon.state_dir));
  if (const auto& token_file = out.config.daemon.api_token_file) {
    out.token = read_secret_file(*token_file, "api token file");
  }
  for (const auto& target : out.config.targets)
    out.targets.push_back({target, read_password(target)});
  return out;
}

asio::ip::tcp::endpoint resolve_listen(const std::string& listen) {
  auto address = parse_listen(listen);
  if (!address) throw Error("daemon.listen = \"" + listen + "\" is not host:port");
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  auto results = resolver.resolve(address->host, std::to_string(address->port),
                                  asio::ip::tcp::resolver::passive);
  return results.begin()->endpoint();
}

class Daemon {
 public:
  Daemon(std::string path, LoadedConfig initial)
      : path_(std::move(path)),
        signals_(io_, SIGHUP, SIGTERM, SIGINT),
        registry_(initial.config.daemon.state_dir, std::move(initial.snapshots)),
        metrics_(initial.config.daemon.per_enum_metrics),
        scheduler_(
            io_.get_executor(), registry_,
            [this](const TargetConfig& target, std::span<const NamedSnapshot> snapshots,
                   const PollResult& result) {
              metrics_.record_poll(target, snapshots, result);
              // A failed poll is not a resolution: only successful polls move alerts.
              if (result.outcome == PollOutcome::ok) {
                alerts_.observe(target.name, target.labels, target.options.drift_for,
                                result.report.drift, std::chrono::system_clock::now());
                send_due_alerts();
              }
            },
            [this](const std::string& target) {
              metrics_.remove_target(target);
              alerts_.forget_target(target, std::chrono::system_clock::now());
            }),
        api_(scheduler_, registry_, metrics_),
        server_(io_.get_executor(), [this](const HttpRequest& r) { return api_.handle(r); }),
        config_(std::move(initial.config)),
        alerts_(alert_settings(config_.alerting)) {
    build_receivers(config_.alerting);
    api_.set_token(std::move(initial.token));
    for (const auto& t : initial.targets) metrics_.add_target(t.config.name);
    metrics_.set_snapshots(registry_.all());
    metrics_.record_reload(true, std::chrono::system_clock::now());
    scheduler_.apply(initial.targets, config_.daemon.max_concurrent_polls);
  }

  int run() {
    try {
      server_.start(resolve_listen(config_.daemon.listen));
    } catch (const std::exception& e) {
      spdlog::error("cannot listen on {}: {}: free the port or change daemon.listen",
                    config_.daemon.listen, e.what());
      return kExitError;
    }
    spdlog::info("enumwatch listening on {}, watching {} targets", config_.daemon.listen,
                 config_.targets.size());
    systemd::ready(status_line());
    wait_for_signals();
    asio::co_spawn(io_, housekeeping(), log_escape("housekeeping"));
    asio::co_spawn(io_, alert_clock(), log_escape("alert clock"));
    io_.run();
    spdlog::info("enumwatch stopped");
    return kExitOk;
  }

 private:
  void wait_for_signals() {
    signals_.async_wait([this](boost::system::error_code ec, int signal) {
      if (ec) return;
      if (signal == SIGHUP) {
        reload();
        wait_for_signals();
        return;
      }
      spdlog::info("received {}, shutting down", signal == SIGTERM ? "SIGTERM" : "SIGINT");
      systemd::stopping();
      server_.stop();
      scheduler_.stop();
      io_.stop();  // in-flight polls are abandoned; their connections close as their frames go
    });
  }

  void reload() {
    systemd::reloading();
    const auto now = std::chrono::system_clock::now();
    try {
      LoadedConfig next = load_everything(path_);
      if (next.config.daemon.listen != config_.daemon.listen) {
        spdlog::warn("daemon.listen changed to {}: restart enumwatch to listen there",
                     next.config.daemon.listen);
      }
      configure_logging(next.config.daemon.log_level, next.config.daemon.log_format);
      registry_.replace(SnapshotStore(next.config.daemon.state_dir), std::move(next.snapshots));
      metrics_.set_per_enum_metrics(next.config.daemon.per_enum_metrics);
      for (const auto& t : next.targets) metrics_.add_target(t.config.name);
      auto changes = scheduler_.apply(next.targets, next.config.daemon.max_concurrent_polls);
      // Snapshots may have changed for kept targets too: poll them with the new ones now.
      for (const auto& t : next.targets) scheduler_.request_poll(t.config.name);
      api_.set_token(std::move(next.token));
      alerts_.set_settings(alert_settings(next.config.alerting));
      const auto& before = config_.alerting;
      const auto& after = next.config.alerting;
      if (before.alertmanager_urls != after.alertmanager_urls ||
          before.webhook_urls != after.webhook_urls || before.external_url != after.external_url) {
        build_receivers(after);
      }
      metrics_.set_snapshots(registry_.all());
      metrics_.record_reload(true, now);
      config_ = std::move(next.config);
      spdlog::info("config reloaded: {} targets ({} added, {} changed, {} removed, {} unchanged)",
                   config_.targets.size(), changes.added, changes.changed, changes.removed,
                   changes.kept);
    } catch (const std::exception& e) {
      metrics_.record_reload(false, now);
      spdlog::error("config reload rejected, keeping the running config: {}", e.what());
    }
    systemd::ready(status_line());
  }

  std::string status_line() const {
    int up = 0, drifting = 0;
    auto reports = scheduler_.reports();
    for (const auto& r : reports) {
      up += r.up ? 1 : 0;
      drifting += r.drift.empty() ? 0 : 1;
    }
    return std::to_string(reports.size()) + " targets, " + std::to_string(up) + " up, " +
           std::to_string(drifting) + " with drift";
  }

  static AlertSettings alert_settings(const AlertingSettings& a) {
    return AlertSettings{a.resend_interval, a.runbook_url};
  }

  void build_receivers(const AlertingSettings& a) {
    receivers_.clear();
    for (const auto& url : a.alertmanager_urls) {
      receivers_.push_back(std::make_unique<AlertReceiver>(
          io_.get_executor(), AlertReceiver::Kind::alertmanager, url, a.external_url, metrics_));
    }
    for (const auto& url : a.webhook_urls) {
      receivers_.push_back(std::make_unique<AlertReceiver>(
          io_.get_executor(), AlertReceiver::Kind::webhook, url, a.external_url, metrics_));
    }
  }

  // Every receiver gets every alert (HA Alertmanagers deduplicate among themselves).
  void send_due_alerts() {
    auto due = alerts_.due(std::chrono::system_clock::now());
    if (due.empty()) return;
    for (auto& receiver : receivers_) receiver->enqueue(due);
  }

  // drift_for and resend_interval elapse between polls too.
  asio::awaitable<void> alert_clock() {
    asio::steady_timer timer(io_);
    for (;;) {
      timer.expires_after(std::chrono::seconds(1));
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      send_due_alerts();
    }
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
    }
  }

  std::string path_;
  asio::io_context io_;  // first: destroyed last, after everything that uses it
  asio::signal_set signals_;
  SnapshotRegistry registry_;
  Metrics metrics_;
  Scheduler scheduler_;
  HttpApi api_;
  HttpServer server_;
  Config config_;
  AlertTracker alerts_;
  std::vector<std::unique_ptr<AlertReceiver>> receivers_;  // hold metrics_: destroyed before it
};

}  // namespace

int run_daemon(const std::string& config_path) {
  configure_logging("info", "text");
  LoadedConfig initial;
  try {
    initial = load_everything(config_path);
  } catch (const Error& e) {
    print_error(e.what());
    return kExitError;
  }
  configure_logging(initial.config.daemon.log_level, initial.config.daemon.log_format);
  Daemon daemon(config_path, std::move(initial));
  return daemon.run();
}

}  // namespace enumwatch
