#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "enumwatch/report/report.hpp"

using namespace enumwatch;

namespace {
DriftItem case_item() {
  DriftItem i;
  i.target = "orders-prod";
  i.snapshot = "orders-app";
  i.schema = "public";
  i.enum_name = "order_status";
  i.kind = DriftKind::case_mismatch;
  i.expected = std::string("PendingPayment");
  i.actual = std::string("pending_payment");
  i.message = "m";
  i.remediation_sql = "ALTER ...";
  i.used_by = {"public.orders.status"};
  return i;
}
}  // namespace

TEST_CASE(
    "a drift item's JSON has exactly the documented fields with nulls where a side is empty") {
  auto v = to_json(case_item()).as_object();
  for (const char* key : {"target", "snapshot", "schema", "enum", "kind", "severity", "expected",
                          "actual", "message", "remediation_sql", "code_fix", "used_by", "table",
                          "column", "impact", "changed_by", "migrating"}) {
    CAPTURE(key);
    CHECK(v.contains(key));
  }
  CHECK(v.size() == 17);
  CHECK(v["migrating"] == false);    // nothing held: no migration in flight
  CHECK(v["changed_by"].is_null());  // nothing in the trigger's log explains it
  CHECK(v["table"].is_null());       // an enum type's item: no table, no column
  CHECK(v["impact"].is_null());
  CHECK(v["kind"] == "case_mismatch");
  CHECK(v["code_fix"].is_null());
  CHECK(v["used_by"].as_array().size() == 1);
  DriftItem missing = case_item();
  missing.kind = DriftKind::missing_type;
  missing.expected = std::vector<std::string>{"a", "b"};
  missing.actual = std::monostate{};
  auto m = to_json(missing).as_object();
  CHECK(m["expected"].as_array().size() == 2);
  CHECK(m["actual"].is_null());
}

TEST_CASE("status JSON lists targets with up, error, polled_at, migration_revision and drift") {
  TargetReport up{"a",
                  true,
                  std::nullopt,
                  std::chrono::system_clock::time_point(std::chrono::seconds(0)),
                  "rev1",
                  {case_item()},
                  {}};
  TargetReport down{"b", false, "connection refused", std::nullopt, std::nullopt, {}, {}};
  std::vector<TargetReport> reports{up, down};
  auto v = status_json(reports).as_object();
  auto targets = v["targets"].as_array();
  REQUIRE(targets.size() == 2);
  CHECK(targets[0].as_object()["polled_at"] == "1970-01-01T00:00:00.000Z");
  CHECK(targets[0].as_object()["migration_revision"] == "rev1");
  CHECK(targets[1].as_object()["up"] == false);
  CHECK(targets[1].as_object()["error"] == "connection refused");
  CHECK(targets[0].as_object()["migration_in_progress"].is_null());
}

TEST_CASE("a migration in flight: the target's JSON and text say which tool, since when, stuck") {
  TargetReport t{"orders", true, {}, {}, {}, {case_item()}, {}};
  t.drift[0].migrating = true;
  const auto since = std::chrono::system_clock::time_point(std::chrono::seconds(1'796'479'331));
  t.migration = MigrationInProgress{{"sqitch"}, since, false};
  auto v = to_json(t).as_object();
  const auto& m = v["migration_in_progress"].as_object();
  CHECK(m.at("tools").as_array() == boost::json::array{"sqitch"});
  CHECK(m.at("since") == "2026-12-05T14:02:11.000Z");
  CHECK(m.at("stuck") == false);
  CHECK(v["drift"].as_array()[0].as_object()["migrating"] == true);
  const std::string text = render_status_text(std::span(&t, 1), false);
  CHECK(text.find("migration in progress: sqitch holds its lock since 2026-12-05 14:02:11 UTC") !=
        std::string::npos);
  CHECK(text.find("held: a migration is in flight; no alert until it ends") != std::string::npos);
  t.migration->stuck = true;
  CHECK(migration_text(*t.migration) ==
        "the migration seems stuck: sqitch's lock has been held since 2026-12-05 14:02:11 UTC, "
        "longer than migration_grace; its drift alerts");
  t.migration->tools.clear();
  t.migration->stuck = false;
  CHECK(migration_text(*t.migration).find("just released its lock") != std::string::npos);
}

TEST_CASE("text output aligns items and colours only when asked") {
  std::vector<DriftItem> items{case_item()};
  std::string plain = render_items_text(items, false);
  CHECK(plain.find("critical") != std::string::npos);
  CHECK(plain.find("\033[") == std::string::npos);
  CHECK(render_items_text(items, true).find("\033[") != std::string::npos);
  std::vector<TargetReport> reports{{"orders-prod", false, "connection refused", {}, {}, {}, {}}};
  CHECK(render_status_text(reports, false) == "orders-prod  DOWN  connection refused\n");
}

TEST_CASE("names that are not UTF-8 (a SQL_ASCII database) still give valid JSON") {
  DriftItem item = case_item();
  item.enum_name = "st\xe5tus";  // Latin-1 bytes
  item.used_by = {"public.t.\xff"};
  const std::string json = boost::json::serialize(drift_json(std::span(&item, 1)));
  boost::system::error_code ec;
  auto parsed = boost::json::parse(json, ec);
  REQUIRE_FALSE(ec);
  CHECK(parsed.at("drift").at(0).at("enum") == "st\uFFFDtus");
  CHECK(parsed.at("drift").at(0).at("used_by").at(0) == "public.t.\uFFFD");
}

TEST_CASE("impact shows in JSON per value and in text as people read row counts") {
  DriftItem item = case_item();
  item.table = "orders";
  item.column = "channel";
  item.impact = {{"Cancelled", 1234567.0, true, "pg_stats most_common_freqs × reltuples"},
                 {"x\ny", std::nullopt, true, "never analysed"}};
  auto v = to_json(item).as_object();
  CHECK(v["table"] == "orders");
  const auto& impact = v["impact"].as_array();
  REQUIRE(impact.size() == 2);
  CHECK(impact[0].as_object().at("rows") == 1234567);
  CHECK(impact[0].as_object().at("estimated") == true);
  CHECK(impact[1].as_object().at("rows").is_null());
  CHECK(impact_text(item) ==
        "~1.2 M rows hold \"Cancelled\" (pg_stats most_common_freqs × reltuples); rows holding "
        "\"x\ny\": unknown (never analysed)");
  // One line in the terminal, whatever the value holds.
  const std::vector<DriftItem> items{item};
  const std::string text = render_items_text(items, false);
  CHECK(text.find("rows: ~1.2 M rows hold") != std::string::npos);
  CHECK(text.find("x\ny") == std::string::npos);
  CHECK(row_count_text(12) == "12");
  CHECK(row_count_text(45300) == "45.3 k");
  CHECK(row_count_text(3e9) == "3.0 G");
}
