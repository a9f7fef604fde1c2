#include <doctest/doctest.h>

#include <algorithm>
#include <boost/json.hpp>

#include "enumwatch/alerting/alerts.hpp"
#include "enumwatch/core/error.hpp"

using namespace enumwatch;
using namespace std::chrono_literals;

namespace {

DriftItem item(std::string schema, std::string enum_name, DriftKind kind,
               std::string message = "m") {
  DriftItem i;
  i.target = "orders";
  i.snapshot = "app";
  i.schema = std::move(schema);
  i.enum_name = std::move(enum_name);
  i.kind = kind;
  i.message = std::move(message);
  if (kind == DriftKind::missing_value)
    i.remediation_sql = "ALTER TYPE \"public\".\"s\" ADD VALUE IF NOT EXISTS 'x';";
  return i;
}

const TimePoint t0 = TimePoint(std::chrono::seconds(1'800'000'000));
const std::map<std::string, std::string> kLabels{{"team", "payments"}};

}  // namespace

TEST_CASE("drift fires only after drift_for, with one alert per enum carrying the worst severity") {
  AlertTracker tracker({1min, "https://runbooks/enum"});
  std::vector<DriftItem> drift{item("public", "s", DriftKind::naming_violation),
                               item("public", "s", DriftKind::missing_value),
                               item("app", "t", DriftKind::order_mismatch)};
  tracker.observe("orders", kLabels, 30s, drift, t0);
  CHECK(tracker.due(t0).empty());        // pending
  CHECK(tracker.due(t0 + 29s).empty());  // still pending
  auto fired = tracker.due(t0 + 30s);
  REQUIRE(fired.size() == 2);
  const Alert& s = fired[1].key.schema == "public" ? fired[1] : fired[0];
  CHECK(s.labels.at("alertname") == "EnumDrift");
  CHECK(s.labels.at("severity") == "critical");
  CHECK(s.labels.at("team") == "payments");
  CHECK(s.labels.at("enum") == "s");
  CHECK(s.annotations.at("description") == "naming_violation: m\nmissing_value: m");
  CHECK(s.annotations.at("remediation").find("ADD VALUE IF NOT EXISTS 'x'") != std::string::npos);
  CHECK(s.annotations.at("runbook_url") == "https://runbooks/enum");
  CHECK(s.starts_at == t0 + 30s);
  CHECK(s.ends_at == t0 + 30s + 4min);  // 4 x resend_interval, as Prometheus does
  CHECK(tracker.firing_count() == 2);
}

TEST_CASE("firing alerts are re-sent every resend_interval, not on every check") {
  AlertTracker tracker({1min, ""});
  std::vector<DriftItem> drift{item("public", "s", DriftKind::missing_value)};
  tracker.observe("orders", {}, 0s, drift, t0);
  CHECK(tracker.due(t0).size() == 1);
  CHECK(tracker.due(t0 + 30s).empty());
  tracker.observe("orders", {}, 0s, drift, t0 + 40s);  // same drift: no change
  CHECK(tracker.due(t0 + 40s).empty());
  auto again = tracker.due(t0 + 60s);
  REQUIRE(again.size() == 1);
  CHECK(again[0].starts_at == t0);
  CHECK(again[0].ends_at == t0 + 60s + 4min);
}

TEST_CASE("a change in an alert's content is sent at once") {
  AlertTracker tracker({1min, ""});
  tracker.observe("orders", {}, 0s, std::vector{item("public", "s", DriftKind::missing_value)}, t0);
  (void)tracker.due(t0);
  tracker.observe("orders", {}, 0s,
                  std::vector{item("public", "s", DriftKind::missing_value),
                              item("public", "s", DriftKind::unexpected_value)},
                  t0 + 5s);
  auto changed = tracker.due(t0 + 5s);
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].annotations.at("description").find("unexpected_value") != std::string::npos);
}

TEST_CASE("flapping drift shorter than drift_for never fires") {
  AlertTracker tracker({1min, ""});
  tracker.observe("orders", {}, 1min, std::vector{item("public", "s", DriftKind::missing_value)},
                  t0);
  CHECK(tracker.due(t0 + 20s).empty());
  tracker.observe("orders", {}, 1min, {}, t0 + 30s);  // fixed before it fired
  CHECK(tracker.due(t0 + 2min).empty());
  tracker.observe("orders", {}, 1min, std::vector{item("public", "s", DriftKind::missing_value)},
                  t0 + 3min);
  CHECK(tracker.due(t0 + 3min + 59s).empty());  // the clock starts again
  CHECK(tracker.due(t0 + 4min).size() == 1);
}

TEST_CASE("fixed drift resolves with endsAt = now and is re-sent for 15 minutes, then dropped") {
  AlertTracker tracker({1min, ""});
  tracker.observe("orders", {}, 0s, std::vector{item("public", "s", DriftKind::missing_value)}, t0);
  (void)tracker.due(t0);
  tracker.observe("orders", {}, 0s, {}, t0 + 2min);
  auto resolved = tracker.due(t0 + 2min);
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].resolved);
  CHECK(resolved[0].ends_at == t0 + 2min);
  CHECK(tracker.firing_count() == 0);
  CHECK(tracker.due(t0 + 2min + 30s).empty());
  CHECK(tracker.due(t0 + 3min).size() == 1);           // re-sent
  CHECK(tracker.due(t0 + 17min).size() == 1);          // still within 15 minutes of resolution
  CHECK(tracker.due(t0 + 17min + 1s + 1min).empty());  // past the window: gone
}

TEST_CASE("a failed poll is not a resolution: without observe() the alert keeps firing") {
  AlertTracker tracker({1min, ""});
  tracker.observe("orders", {}, 0s, std::vector{item("public", "s", DriftKind::missing_value)}, t0);
  (void)tracker.due(t0);
  // The target is down for ten minutes: no observe() calls, the alert is re-sent as firing.
  for (int m = 1; m <= 10; ++m) {
    auto sent = tracker.due(t0 + std::chrono::minutes(m));
    REQUIRE(sent.size() == 1);
    CHECK_FALSE(sent[0].resolved);
  }
}

TEST_CASE("a target removed by a reload resolves its alerts; other targets keep theirs") {
  AlertTracker tracker({1min, ""});
  tracker.observe("orders", {}, 0s, std::vector{item("public", "s", DriftKind::missing_value)}, t0);
  tracker.observe("billing", {}, 0s, std::vector{item("public", "c", DriftKind::missing_value)},
                  t0);
  (void)tracker.due(t0);
  tracker.forget_target("orders", t0 + 10s);
  auto sent = tracker.due(t0 + 10s);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].key.target == "orders");
  CHECK(sent[0].resolved);
  CHECK(tracker.firing_count() == 1);
}

TEST_CASE("revision_mismatch items raise no per-enum alert") {
  AlertTracker tracker({1min, ""});
  DriftItem revision = item("", "", DriftKind::revision_mismatch);
  tracker.observe("orders", {}, 0s, std::vector{revision}, t0);
  CHECK(tracker.due(t0).empty());
}

TEST_CASE("payloads have the Alertmanager v2 and webhook shapes, escaping odd names") {
  AlertTracker tracker({1min, ""});
  tracker.observe("orders", {}, 0s,
                  std::vector{item("Odd \"Schema\"", "it's\nodd", DriftKind::missing_value)}, t0);
  auto alerts = tracker.due(t0);
  auto am = alertmanager_body(alerts, "http://ops:9747").as_array();
  REQUIRE(am.size() == 1);
  auto a = am[0].as_object();
  CHECK(a["labels"].as_object()["schema"] == "Odd \"Schema\"");
  CHECK(a["labels"].as_object()["enum"] == "it's\nodd");
  CHECK(a["startsAt"] == "2027-01-15T08:00:00.000Z");
  CHECK(a["generatorURL"] == "http://ops:9747/targets/orders");  // the target's status page
  // Round trip through text: the JSON is valid whatever the names hold.
  auto reparsed = boost::json::parse(boost::json::serialize(am));
  CHECK(reparsed.as_array()[0].as_object()["labels"].as_object()["enum"] == "it's\nodd");

  auto hook = webhook_body(alerts, "http://ops:9747").as_object();
  CHECK(hook["version"] == "4");
  CHECK(hook["status"] == "firing");
  auto entry = hook["alerts"].as_array()[0].as_object();
  CHECK(entry["status"] == "firing");
  CHECK(entry["fingerprint"].as_string().size() == 16);
}

TEST_CASE("the delivery queue keeps only the latest state of each alert and never drops one") {
  auto alert = [](std::string name, bool resolved) {
    Alert a;
    a.key = {"orders", "public", std::move(name)};
    a.resolved = resolved;
    return a;
  };
  AlertQueue queue;
  for (int round = 0; round < 1000; ++round) {  // a receiver down for a long time
    std::vector<Alert> due{alert("a", false), alert("b", round % 2 == 0)};
    queue.push(due);
  }
  CHECK(queue.size() == 2);  // bounded by the number of alerts, not by the number of sends
  auto batch = queue.take(1);
  REQUIRE(batch.size() == 1);
  CHECK(batch[0].key.enum_name == "a");
  // While "a" was in flight a newer state arrived; the failed batch must not overwrite it.
  std::vector<Alert> newer{alert("a", true)};
  queue.push(newer);
  queue.give_back(std::move(batch));
  auto rest = queue.take(10);
  REQUIRE(rest.size() == 2);
  CHECK(rest[0].key.enum_name == "a");
  CHECK(rest[0].resolved);        // the newer state
  CHECK_FALSE(rest[1].resolved);  // "b": its latest state (round 999 is odd: firing)
  CHECK(queue.empty());
}

TEST_CASE("a restart keeps pending alerts' first sighting: drift_for does not start over") {
  AlertTracker before({1min, ""});
  std::vector<DriftItem> drift{item("public", "s", DriftKind::missing_value)};
  before.observe("orders", kLabels, 10min, drift, t0);
  CHECK(before.due(t0 + 5min).empty());
  const auto saved = boost::json::parse(boost::json::serialize(before.persisted()));

  AlertTracker after({1min, ""});
  after.restore(saved, {"orders"}, t0 + 6min);
  after.observe("orders", kLabels, 10min, drift, t0 + 6min);
  CHECK(after.due(t0 + 9min).empty());
  auto fired = after.due(t0 + 10min);  // ten minutes after it was first seen, not after restart
  REQUIRE(fired.size() == 1);
  CHECK(fired[0].starts_at == t0 + 10min);
}

TEST_CASE("after a restart, firing and resolved alerts are due at once with their first times") {
  AlertTracker before({1min, ""});
  std::vector<DriftItem> drift{item("public", "s", DriftKind::missing_value),
                               item("public", "t", DriftKind::missing_value)};
  before.observe("orders", {}, 0s, drift, t0);
  CHECK(before.due(t0).size() == 2);
  before.observe("orders", {}, 0s, std::span(drift).first(1), t0 + 30s);  // t fixed: resolved
  CHECK(before.due(t0 + 30s).size() == 1);
  const auto saved = before.persisted();

  AlertTracker after({1min, ""});
  after.restore(saved, {"orders"}, t0 + 2min);
  auto due = after.due(t0 + 2min);
  REQUIRE(due.size() == 2);
  const Alert& s = due[0].key.enum_name == "s" ? due[0] : due[1];
  const Alert& t = due[0].key.enum_name == "t" ? due[0] : due[1];
  CHECK_FALSE(s.resolved);
  CHECK(s.starts_at == t0);
  CHECK(t.resolved);
  CHECK(t.ends_at == t0 + 30s);  // still the time it was resolved
  CHECK(after.firing_count() == 1);
}

TEST_CASE("a restored alert of a target no longer configured resolves") {
  AlertTracker before({1min, ""});
  before.observe("gone", {}, 0s,
                 std::vector<DriftItem>{item("public", "s", DriftKind::missing_value)}, t0);
  CHECK(before.due(t0).size() == 1);
  AlertTracker after({1min, ""});
  after.restore(before.persisted(), {"orders"}, t0 + 1min);
  auto due = after.due(t0 + 1min);
  REQUIRE(due.size() == 1);
  CHECK(due[0].resolved);
  CHECK(after.firing_count() == 0);
}

TEST_CASE("malformed persisted state is refused and changes nothing") {
  AlertTracker tracker({1min, ""});
  tracker.observe("orders", {}, 0s,
                  std::vector<DriftItem>{item("public", "s", DriftKind::missing_value)}, t0);
  CHECK(tracker.due(t0).size() == 1);
  const auto version = tracker.version();
  CHECK_THROWS_AS(tracker.restore(boost::json::parse(R"({"version":1,"alerts":[{"target":1}]})"),
                                  {"orders"}, t0),
                  Error);
  CHECK_THROWS_AS(tracker.restore(boost::json::parse(R"([])"), {"orders"}, t0), Error);
  CHECK(tracker.firing_count() == 1);
  CHECK(tracker.version() == version);
}

TEST_CASE("the persisted version moves with what must be kept, not with every re-send") {
  AlertTracker tracker({1min, ""});
  std::vector<DriftItem> drift{item("public", "s", DriftKind::missing_value)};
  const auto v0 = tracker.version();
  tracker.observe("orders", {}, 30s, drift, t0);
  const auto pending = tracker.version();
  CHECK(pending > v0);
  (void)tracker.due(t0 + 30s);
  const auto firing = tracker.version();
  CHECK(firing > pending);
  tracker.observe("orders", {}, 30s, drift, t0 + 40s);
  (void)tracker.due(t0 + 2min);  // a re-send
  CHECK(tracker.version() == firing);
}

TEST_CASE("a new receiver is given every firing and recently resolved alert, pending ones not") {
  AlertTracker tracker({1min, ""});
  std::vector<DriftItem> drift{item("public", "s", DriftKind::missing_value),
                               item("public", "t", DriftKind::missing_value)};
  tracker.observe("orders", {}, 0s, drift, t0);
  CHECK(tracker.due(t0).size() == 2);
  tracker.observe("orders", {}, 0s, std::span(drift).first(1), t0 + 10s);  // t resolved
  tracker.observe("billing", {}, 1h, drift, t0 + 10s);                     // pending
  auto active = tracker.active(t0 + 20s);
  REQUIRE(active.size() == 2);
  CHECK(active[0].key.target == "orders");
  CHECK(active[1].key.target == "orders");
  CHECK(active[0].resolved != active[1].resolved);
  CHECK(tracker.due(t0 + 20s).size() == 1);  // active() sent nothing: t's resolution is still due
}

TEST_CASE("an alert's description says how many rows each drifting value touches") {
  AlertTracker tracker({1min, ""});
  DriftItem drift = item("public", "orders.channel", DriftKind::unexpected_value, "allows fax");
  drift.table = "orders";
  drift.column = "channel";
  drift.impact = {{"fax", 1500000.0, true, "pg_stats most_common_freqs × reltuples"}};
  const std::vector<DriftItem> items{drift};
  tracker.observe("orders", kLabels, 0s, items, t0);
  auto fired = tracker.due(t0);
  REQUIRE(fired.size() == 1);
  CHECK(fired[0].labels.at("enum") == "orders.channel");
  CHECK(fired[0].annotations.at("description") ==
        "unexpected_value: allows fax (~1.5 M rows hold \"fax\" (pg_stats most_common_freqs × "
        "reltuples))");
}

TEST_CASE("drift held as migrating never fires; once judged, it fires after drift_for") {
  AlertTracker tracker({1min, ""});
  auto held = item("public", "s", DriftKind::missing_value, "held");
  held.migrating = true;
  const auto before = item("app", "t", DriftKind::order_mismatch, "there before the deploy");
  std::vector<DriftItem> drift{held, before};
  tracker.observe("orders", {}, 0s, drift, t0);
  auto fired = tracker.due(t0);
  REQUIRE(fired.size() == 1);  // only the item that was there before the migration began
  CHECK(fired[0].key.enum_name == "t");
  tracker.observe("orders", {}, 30s, drift, t0 + 10min);
  CHECK(tracker.due(t0 + 20min).size() == 1);  // a re-send of "t"; "s" never started pending
  // The migration ended and "s" still drifts: drift_for counts from now, not from the hold.
  held.migrating = false;
  drift = {held, before};
  tracker.observe("orders", {}, 30s, drift, t0 + 21min);
  CHECK(tracker.firing_count() == 1);
  const auto due = tracker.due(t0 + 21min + 30s);
  CHECK(std::any_of(due.begin(), due.end(), [](const Alert& a) { return a.key.enum_name == "s"; }));
  CHECK(tracker.firing_count() == 2);
}
