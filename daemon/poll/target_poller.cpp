#include "poll/target_poller.hpp"

#include <spdlog/spdlog.h>

#include "enumwatch/error.hpp"
#include "enumwatch/text.hpp"
#include "pg/catalog_reader.hpp"

namespace enumwatch {

std::string_view to_string(PollOutcome outcome) {
  switch (outcome) {
    case PollOutcome::ok:
      return "ok";
    case PollOutcome::error:
      return "error";
    case PollOutcome::timeout:
      return "timeout";
  }
  return "error";
}

DiffOptions diff_options_for(const TargetOptions& options) {
  return DiffOptions{options.check_order, options.report_unexpected, options.naming, options.scope};
}

boost::asio::awaitable<PollResult> TargetPoller::poll(const TargetConfig& target,
                                                      std::span<const NamedSnapshot> snapshots,
                                                      const std::optional<std::string>& password) {
  const auto started = std::chrono::steady_clock::now();
  const Deadline deadline = started + target.options.timeout;
  PollResult result;
  result.report.name = target.name;
  for (const auto& s : snapshots) {
    if (!s.snapshot) result.report.unregistered_snapshots.push_back(s.name);
  }
  try {
    if (!connection_ || !connection_->usable()) {
      connection_.reset();
      ConnParams params = parse_dsn(target.dsn);
      if (password && !params.find("password")) params.set("password", *password);
      connection_ = co_await PgConnection::connect(std::move(params), deadline);
    }
    DatabaseState state = co_await read_database(*connection_, target.options, deadline);
    const DiffOptions options = diff_options_for(target.options);
    result.report.drift = diff(target.name, snapshots, state, options);
    if (auto types = types_to_recreate(result.report.drift); !types.empty()) {
      // The recipe for these keeps every dependent: one more round trip, only while drifting.
      // The drift itself is already known: if this read fails, the poll still counts, and the
      // recipe says that the dependents were not read.
      try {
        co_await read_dependents(*connection_, types, state, deadline);
        result.report.drift = diff(target.name, snapshots, state, options);
      } catch (const Error& e) {
        spdlog::warn("target {}: reading the dependents of a drifting type failed: {}", target.name,
                     escape_control(e.what()));
        if (!connection_->usable()) connection_.reset();
      }
    }
    result.report.migration_revision = state.migration_revision;
    result.report.up = true;
    result.outcome = PollOutcome::ok;
    result.database = std::move(state);
  } catch (const PgError& e) {
    result.outcome = e.kind() == PgError::Kind::timeout ? PollOutcome::timeout : PollOutcome::error;
    result.report.error = e.what();
    if (!connection_ || !connection_->usable()) connection_.reset();
  } catch (const Error& e) {
    result.outcome = PollOutcome::error;
    result.report.error = e.what();
  }
  result.report.polled_at = std::chrono::system_clock::now();
  result.took = std::chrono::steady_clock::now() - started;
  co_return result;
}

boost::asio::awaitable<std::optional<std::optional<std::string>>> TargetPoller::check_revision(
    const TargetConfig& target) {
  if (!connection_ || !connection_->usable()) co_return std::nullopt;
  try {
    const Deadline deadline = std::chrono::steady_clock::now() + target.options.timeout;
    co_return co_await read_migration_revision(*connection_, target.options, deadline);
  } catch (const Error&) {
    if (!connection_->usable()) connection_.reset();
    co_return std::nullopt;
  }
}

}  // namespace enumwatch
