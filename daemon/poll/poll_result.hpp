// What one poll of one target returns to the scheduler, and through it to metrics, alerts and the
// status page. Plain data: neither metrics nor alerting pull libpq in through it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/core/model.hpp"
#include "enumwatch/report/report.hpp"
#include "pg/secondary_read_failure.hpp"

namespace enumwatch {

enum class PollOutcome { ok, error, timeout };
[[nodiscard]] std::string_view to_string(PollOutcome outcome);

struct PollResult {
  PollOutcome outcome = PollOutcome::error;
  TargetReport report;
  std::optional<DatabaseState> database;  // what was read, when the poll succeeded and changed
  // The fingerprint and the snapshot versions are those of the last successful poll's diff: its
  // drift stands, and report.drift and database are left empty (the scheduler keeps the last).
  bool unchanged = false;
  bool ddl_trigger_installed = false;  // the event trigger (docs/instant-detection.md), as seen
  // The migration tools holding their lock now (docs/migration-locks.md): nothing with
  // migration_lock = "off", or when they could not be read (a secondary failure).
  std::optional<std::vector<std::string>> migration_locks_held;
  // Reads after the catalog's that failed (the poll still counts): logged and counted by read.
  std::vector<SecondaryReadFailure> secondary_failures;
  std::chrono::duration<double> took{};
};

}  // namespace enumwatch
