// enumwatch check: poll every (or the named) target once with bounded concurrency, print, exit.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "enumwatch/core/error.hpp"
#include "enumwatch/report/report.hpp"
#include "poll/target_poller.hpp"
#include "snapshots/snapshot_set.hpp"

namespace enumwatch::cli {
namespace asio = boost::asio;
namespace {

struct CheckArgs {
  std::string config;
  std::vector<std::string> targets;
  std::string format = "text";
  bool snapshots_only = false;
};

// check --snapshots-only: no database; each target's snapshots compared with each other (a CI
// step that gathers every service's snapshot). up means "every snapshot loaded".
TargetReport conflicts_of(const TargetConfig& target, const SnapshotSet& snapshots) {
  TargetReport report;
  report.name = target.name;
  report.up = true;
  report.polled_at = std::chrono::system_clock::now();
  const auto named = snapshots_for(target, snapshots);
  for (const auto& n : named) {
    if (!n.snapshot) report.unregistered_snapshots.push_back(n.name);
  }
  report.drift = snapshot_conflicts(target.name, named, diff_options_for(target.options));
  return report;
}

// Polls each target once, at most `concurrency` at a time. One unreachable target must not hide
// the others: each poll reports its own failure.
std::vector<TargetReport> poll_all(const std::vector<const TargetConfig*>& selected,
                                   const SnapshotSet& snapshots, int concurrency) {
  std::vector<TargetReport> reports(selected.size());
  asio::io_context io;
  // As in the daemon, the targets of one database poll over one session, in turns.
  SharedConnections connections(io.get_executor());
  std::size_t next = 0;
  auto worker = [&]() -> asio::awaitable<void> {
    while (next < selected.size()) {
      const std::size_t i = next++;
      const TargetConfig& target = *selected[i];
      try {
        TargetPoller poller(connections);
        auto result =
            co_await poller.poll(target, snapshots_for(target, snapshots), read_password(target));
        reports[i] = std::move(result.report);
      } catch (const std::exception& e) {
        reports[i].name = target.name;
        reports[i].error = e.what();
      }
    }
  };
  const std::size_t workers =
      std::min<std::size_t>(static_cast<std::size_t>(concurrency), selected.size());
  for (std::size_t w = 0; w < workers; ++w) {
    asio::co_spawn(io, worker(), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
  }
  io.run();
  return reports;
}

int check(const CheckArgs& args) {
  const Config config = load_config(args.config);
  const SnapshotSet snapshots = load_snapshots(config, SnapshotStore(config.daemon.state_dir));
  for (const auto& [name, loaded] : snapshots) {
    if (loaded.current && loaded.current->recovered_from_history)
      print_error("warning: snapshot " + name + ": " + *loaded.current->recovered_from_history);
  }
  std::vector<const TargetConfig*> selected;
  for (const auto& name : args.targets) {
    const TargetConfig* target = config.find_target(name);
    if (!target) throw Error(args.config + ": no target named \"" + name + "\"");
    selected.push_back(target);
  }
  if (args.targets.empty()) {
    for (const auto& t : config.targets) selected.push_back(&t);
  }

  std::vector<TargetReport> reports;
  if (args.snapshots_only) {
    for (const auto* target : selected) reports.push_back(conflicts_of(*target, snapshots));
  } else {
    reports = poll_all(selected, snapshots, config.daemon.max_concurrent_polls);
  }

  if (args.format == "json") {
    std::cout << boost::json::serialize(status_json(reports)) << "\n";
  } else {
    std::cout << render_status_text(reports, stdout_wants_colour());
  }
  bool any_error = false, any_drift = false;
  for (const auto& r : reports) {
    any_error = any_error || !r.up;
    any_drift = any_drift || !r.drift.empty();
  }
  return any_error ? kExitError : any_drift ? kExitDrift : kExitOk;
}

}  // namespace

Command add_check(CLI::App& app) {
  auto args = std::make_shared<CheckArgs>();
  auto* command = app.add_subcommand("check", "Poll each target once, diff, print, exit 0/1/2");
  add_config_option(*command, args->config);
  command->add_option("--target", args->targets, "Only this target (repeatable)");
  command->add_option("--format", args->format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  command->add_flag("--snapshots-only", args->snapshots_only,
                    "Connect to no database: only report snapshots of one target that disagree "
                    "(snapshot_conflict)");
  return {command, [args] { return check(*args); }};
}

}  // namespace enumwatch::cli
