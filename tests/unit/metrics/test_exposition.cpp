#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <sstream>
#include <vector>

#include "gunzip.hpp"
#include "metrics/metrics.hpp"

using namespace enumwatch;
using namespace std::chrono_literals;

namespace {

// family name -> (HELP and TYPE lines, sorted samples). Prometheus reads samples of a family in
// any order, and prometheus-cpp keeps them in a hash map, so order within a family is not part
// of what must be equal; every line, byte for byte, is.
struct Family {
  std::string header;   // HELP and TYPE
  std::string samples;  // sorted, one per line
};

std::map<std::string, Family> families_of(const std::string& text) {
  std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> lines;
  std::istringstream in(text);
  std::string line, current;
  while (std::getline(in, line)) {
    if (line.starts_with("# HELP ")) {
      current = line.substr(7, line.find(' ', 7) - 7);
      lines[current].first.push_back(line);
    } else if (line.starts_with("# TYPE ")) {
      lines[current].first.push_back(line);
    } else if (!line.empty()) {
      lines[current].second.push_back(line);
    }
  }
  std::map<std::string, Family> out;
  for (auto& [name, family] : lines) {
    std::sort(family.second.begin(), family.second.end());
    for (const auto& l : family.first) out[name].header += l + "\n";
    for (const auto& l : family.second) out[name].samples += l + "\n";
  }
  return out;
}

TargetConfig target_named(std::string name) {
  TargetConfig target;
  target.name = std::move(name);
  target.options.interval = 1500ms;
  return target;
}

PollResult poll_with(PollOutcome outcome, std::vector<DriftItem> drift, double seconds) {
  PollResult result;
  result.outcome = outcome;
  result.took = std::chrono::duration<double>(seconds);
  result.report.polled_at = std::chrono::system_clock::time_point(1'700'000'000'123ms);
  if (outcome == PollOutcome::ok) {
    result.report.up = true;
    result.report.drift = std::move(drift);
    result.database = DatabaseState{};
    result.database->catalog.enums.push_back({{"public", "e"}, {"a"}});
  } else {
    result.report.error = "refused";
  }
  return result;
}

}  // namespace

TEST_CASE("the hand-written per-target exposition equals prometheus-cpp's TextSerializer") {
  Metrics metrics{false};
  // Target names are [A-Za-z0-9_.-], but the writer must not rely on it: escaping is tested too.
  const std::vector<std::string> names{"orders-prod", "a.b_c", "quote\"back\\slash\nnewline"};
  DriftItem item;
  item.schema = "public";
  item.enum_name = "e";
  item.kind = DriftKind::missing_value;
  for (const auto& name : names) metrics.add_target(target_named(name));
  PollResult migrating = poll_with(PollOutcome::ok, {item, item}, 0.012);
  migrating.report.migration =
      MigrationInProgress{{"sqitch"}, std::chrono::system_clock::now(), false};
  metrics.record_poll(target_named(names[0]), {}, migrating);
  metrics.record_poll(target_named(names[0]), {}, poll_with(PollOutcome::timeout, {}, 10.0));
  metrics.record_poll(target_named(names[1]), {}, poll_with(PollOutcome::error, {}, 0.3));
  metrics.record_poll(target_named(names[2]), {}, poll_with(PollOutcome::ok, {}, 2.75e-4));

  const auto ours = families_of(metrics.target_families_text());
  const auto reference = families_of(metrics.target_families_text_by_prometheus_cpp());
  REQUIRE(ours.size() == reference.size());
  for (const auto& entry : reference) {
    // Not a structured binding: CAPTURE's lambda cannot capture one under clang 15.
    const auto& [name, family] = entry;
    const std::string& family_name = entry.first;
    CAPTURE(family_name);
    REQUIRE(ours.contains(name));
    CHECK(ours.at(name).header == family.header);
    CHECK(ours.at(name).samples == family.samples);
  }
  // And it says what an operator reads off it.
  const std::string text = metrics.serialize();
  CHECK(text.find("enumwatch_up{target=\"orders-prod\"} 0\n") != std::string::npos);
  // A failed poll keeps the last known state: sqitch still migrating, the other tools at 0.
  CHECK(text.find("enumwatch_migration_in_progress{target=\"orders-prod\",tool=\"sqitch\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("enumwatch_migration_in_progress{target=\"orders-prod\",tool=\"flyway\"} 0\n") !=
        std::string::npos);
  CHECK(text.find("enumwatch_poll_interval_seconds{target=\"a.b_c\"} 1.5\n") != std::string::npos);
  CHECK(text.find("enumwatch_drift_items{kind=\"missing_value\",target=\"orders-prod\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("enumwatch_last_poll_timestamp_seconds{target=\"a.b_c\"} 1700000000.123\n") !=
        std::string::npos);
}

TEST_CASE("every internal-error component is exported at 0 before anything goes wrong") {
  Metrics metrics{false};
  const std::string text = metrics.serialize();
  for (const char* component : {"scheduler", "revision_watch", "alerting", "http", "reload"}) {
    CAPTURE(component);
    CHECK(text.find("enumwatch_internal_errors_total{component=\"" + std::string(component) +
                    "\"} 0\n") != std::string::npos);
  }
  metrics.count_internal_error("http");
  metrics.count_internal_error("http");
  CHECK(metrics.serialize().find("enumwatch_internal_errors_total{component=\"http\"} 2\n") !=
        std::string::npos);
}

TEST_CASE("poll durations: a histogram per target below 1 000 targets, one for the fleet always") {
  Metrics metrics{false};
  for (const char* name : {"orders", "billing"}) {
    metrics.record_poll(target_named(name), {}, poll_with(PollOutcome::ok, {}, 0.012));
  }
  metrics.set_duration_histograms(DurationHistogram::automatic, kPerTargetHistogramLimit - 1);
  std::string text = metrics.serialize();
  CHECK(text.find("enumwatch_poll_duration_seconds_count{target=\"orders\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("enumwatch_fleet_poll_duration_seconds_count 2\n") != std::string::npos);

  // At fleet size the 15 series per target go; the fleet's histogram and every other per-target
  // series stay.
  metrics.set_duration_histograms(DurationHistogram::automatic, kPerTargetHistogramLimit);
  text = metrics.serialize();
  CHECK(text.find("enumwatch_poll_duration_seconds") == std::string::npos);
  CHECK(text.find("enumwatch_fleet_poll_duration_seconds_bucket{le=\"0.025\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("enumwatch_up{target=\"orders\"} 1\n") != std::string::npos);

  metrics.set_duration_histograms(DurationHistogram::per_target, 10000);
  CHECK(metrics.serialize().find("enumwatch_poll_duration_seconds_sum{target=\"billing\"}") !=
        std::string::npos);
  metrics.set_duration_histograms(DurationHistogram::fleet, 1);
  CHECK(metrics.serialize().find("enumwatch_poll_duration_seconds_sum{") == std::string::npos);
}

TEST_CASE("drift held while a migration is in flight is counted, but no enum is drifting yet") {
  Metrics metrics{false};
  DriftItem item;
  item.schema = "public";
  item.enum_name = "e";
  item.kind = DriftKind::missing_value;
  item.migrating = true;
  metrics.record_poll(target_named("orders"), {}, poll_with(PollOutcome::ok, {item}, 0.01));
  std::string text = metrics.serialize();
  CHECK(text.find("enumwatch_drift_items{kind=\"missing_value\",target=\"orders\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("enumwatch_enum_drifted{") == std::string::npos);
  // The migration ended and the drift stayed: judged without a new catalog, it drifts now.
  item.migrating = false;
  PollResult judged = poll_with(PollOutcome::ok, {item}, 0.01);
  judged.database.reset();
  metrics.record_poll(target_named("orders"), {}, judged);
  text = metrics.serialize();
  CHECK(text.find("enumwatch_enum_drifted{enum=\"e\",schema=\"public\",severity=\"critical\","
                  "target=\"orders\"} 1\n") != std::string::npos);
}

TEST_CASE("a scrape lists every family once, in the order its groups register them") {
  // prometheus-cpp writes a registry's families in the order they were registered
  // (metric_families.hpp): a regrouping that reorders them changes every scrape.
  Metrics metrics{true};
  DriftItem item;
  item.schema = "public";
  item.enum_name = "e";
  item.kind = DriftKind::missing_value;
  PollResult polled = poll_with(PollOutcome::ok, {item}, 0.01);
  polled.database->migration_revision = "42";
  metrics.record_poll(target_named("orders"), {}, polled);
  SnapshotSet snapshots;
  snapshots["app"] =
      LoadedSnapshot{"app", true, StoredSnapshot{std::make_shared<Snapshot>(), "d", {}, {}}};
  metrics.set_snapshots(snapshots);
  metrics.set_shard(Shard{0, 2}, 1, 1);
  metrics.count_alert_notification("pager", true);

  std::vector<std::string> families;
  std::istringstream in(metrics.serialize());
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("# TYPE enumwatch_"))
      families.push_back(line.substr(7, line.find(' ', 7) - 7));
  }
  const std::vector<std::string> expected{
      "enumwatch_up",
      "enumwatch_poll_duration_seconds",
      "enumwatch_polls_total",
      "enumwatch_last_successful_poll_timestamp_seconds",
      "enumwatch_last_poll_timestamp_seconds",
      "enumwatch_poll_interval_seconds",
      "enumwatch_drift_items",
      "enumwatch_enums",
      "enumwatch_notify_listening",
      "enumwatch_notifications_total",
      "enumwatch_notifications_coalesced_total",
      "enumwatch_notify_trigger_installed",
      "enumwatch_migration_in_progress",
      "enumwatch_secondary_read_failures_total",
      "enumwatch_alert_notifications_total",
      "enumwatch_internal_errors_total",
      "enumwatch_enum_drifted",
      "enumwatch_enum_values",
      "enumwatch_snapshot_info",
      "enumwatch_migration_revision_info",
      "enumwatch_config_last_reload_successful",
      "enumwatch_config_last_reload_success_timestamp_seconds",
      "enumwatch_shard_info",
      "enumwatch_targets",
      "enumwatch_build_info",
      "enumwatch_fleet_poll_duration_seconds",
  };
  CHECK(families == expected);
}

namespace {

// The scrape without the process_* families, which move between two scrapes by themselves.
std::string without_process_metrics(const std::string& text) {
  std::string out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find("process_") != std::string::npos) continue;
    out += line + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE(
    "the gzip scrape is the plain scrape, and follows every change, whichever block it is in") {
  // 600 targets: three blocks of lines per family, each kept deflated while its numbers stand.
  Metrics metrics{false};
  std::vector<std::string> names;
  for (int i = 0; i < 600; ++i) {
    names.push_back("tenant-" + std::to_string(1000 + i));
    metrics.record_poll(target_named(names.back()), {}, poll_with(PollOutcome::ok, {}, 0.01));
  }
  const auto same_as_plain = [&] {
    return without_process_metrics(enumwatch::test::gunzip(metrics.serialize_gzip())) ==
           without_process_metrics(metrics.serialize());
  };
  CHECK(same_as_plain());
  const std::string first = metrics.serialize_gzip();
  CHECK(enumwatch::test::gunzip(first).find("enumwatch_up{target=\"tenant-1300\"} 1\n") !=
        std::string::npos);

  // A poll in the middle block moves its numbers: that block is written again.
  metrics.record_poll(target_named("tenant-1300"), {}, poll_with(PollOutcome::error, {}, 0.5));
  std::string text = enumwatch::test::gunzip(metrics.serialize_gzip());
  CHECK(text.find("enumwatch_up{target=\"tenant-1300\"} 0\n") != std::string::npos);
  CHECK(text.find("enumwatch_polls_total{outcome=\"error\",target=\"tenant-1300\"} 1\n") !=
        std::string::npos);
  CHECK(same_as_plain());

  // A listener, a notification count, an interval: numbers outside a poll move blocks too.
  metrics.set_listening("tenant-1599", true);
  metrics.count_change_notifications("tenant-1000", 3);
  metrics.set_poll_interval("tenant-1450", 300'000ms);
  text = enumwatch::test::gunzip(metrics.serialize_gzip());
  CHECK(text.find("enumwatch_notify_listening{target=\"tenant-1599\"} 1\n") != std::string::npos);
  CHECK(text.find("enumwatch_notifications_total{target=\"tenant-1000\"} 3\n") !=
        std::string::npos);
  CHECK(text.find("enumwatch_poll_interval_seconds{target=\"tenant-1450\"} 300\n") !=
        std::string::npos);
  CHECK(same_as_plain());

  // A target added in the middle: the blocks after it shift by one target, while most of their
  // numbers (equal for every target) stand.
  metrics.add_target(target_named("tenant-1300a"));
  text = enumwatch::test::gunzip(metrics.serialize_gzip());
  CHECK(text.find("enumwatch_up{target=\"tenant-1300a\"} 0\n") != std::string::npos);
  CHECK(same_as_plain());

  // A target removed, one added: every block shifts by one target.
  metrics.remove_target("tenant-1000");
  metrics.add_target(target_named("a-first"));
  text = enumwatch::test::gunzip(metrics.serialize_gzip());
  CHECK(text.find("tenant-1000") == std::string::npos);
  CHECK(text.find("enumwatch_up{target=\"a-first\"} 0\n") != std::string::npos);
  CHECK(same_as_plain());

  // The per-target histogram going and coming back.
  metrics.set_duration_histograms(DurationHistogram::fleet, 600);
  CHECK(
      enumwatch::test::gunzip(metrics.serialize_gzip()).find("enumwatch_poll_duration_seconds_") ==
      std::string::npos);
  CHECK(same_as_plain());
  metrics.set_duration_histograms(DurationHistogram::per_target, 600);
  CHECK(same_as_plain());
}

TEST_CASE("a small gzip scrape is one stream: the plain scrape, several times smaller") {
  Metrics metrics{false};
  for (int i = 0; i < 50; ++i) {
    metrics.record_poll(target_named("orders-" + std::to_string(i)), {},
                        poll_with(PollOutcome::ok, {}, 0.01));
  }
  const std::string packed = metrics.serialize_gzip();
  const std::string plain = metrics.serialize();
  CHECK(without_process_metrics(enumwatch::test::gunzip(packed)) == without_process_metrics(plain));
  CHECK(packed.size() * 8 < plain.size());
}
