#include <doctest/doctest.h>

#include "enumwatch/catalog/impact.hpp"
#include "enumwatch/core/error.hpp"

using namespace enumwatch;

namespace {

DriftItem unexpected(std::string value) {
  DriftItem item;
  item.schema = "public";
  item.enum_name = "status";
  item.kind = DriftKind::unexpected_value;
  item.actual = std::move(value);
  return item;
}

Catalog catalog_with(std::vector<ColumnUse> uses) {
  Catalog catalog;
  catalog.used_by[{"public", "status"}] = std::move(uses);
  return catalog;
}

ColumnUse use(std::string table, ColumnUse::Via via = ColumnUse::Via::direct) {
  return {"public", std::move(table), "s", via, std::nullopt};
}

Rows stats_rows(std::string table, std::string reltuples, std::string n_distinct,
                std::vector<std::pair<std::string, std::string>> mcv) {
  Rows rows;
  for (auto& [value, freq] : mcv)
    rows.push_back({"public", table, "s", reltuples, "0.1", n_distinct, value, freq});
  if (mcv.empty())
    rows.push_back(
        {"public", table, "s", reltuples, "0.1", n_distinct, std::nullopt, std::nullopt});
  return rows;
}

}  // namespace

TEST_CASE(
    "a most common value is estimated as its frequency times the table's rows, summed over "
    "columns") {
  std::vector<DriftItem> items{unexpected("cancelled")};
  const Catalog catalog = catalog_with({use("orders"), use("archive")});
  Rows rows = stats_rows("orders", "100000", "3", {{"paid", "0.6"}, {"cancelled", "0.3"}});
  for (auto& r : stats_rows("archive", "1000", "2", {{"cancelled", "0.5"}})) rows.push_back(r);
  attach_estimates(items, catalog, decode_column_stats(rows));
  REQUIRE(items[0].impact.size() == 1);
  CHECK(items[0].impact[0].rows == doctest::Approx(30500));
  CHECK(items[0].impact[0].estimated);
  CHECK(items[0].impact[0].how.find("most_common_freqs") != std::string::npos);
}

TEST_CASE(
    "a value outside the most common ones gets the planner's estimate, or zero when none remain") {
  std::vector<DriftItem> items{unexpected("rare"), unexpected("gone")};
  // 4 distinct values, 2 listed with 0.8 together, 10 % NULL: each other value (1-0.8-0.1)/2.
  attach_estimates(
      items, catalog_with({use("orders")}),
      decode_column_stats(stats_rows("orders", "1000", "4", {{"a", "0.5"}, {"b", "0.3"}})));
  CHECK(items[0].impact[0].rows == doctest::Approx(50));
  std::vector<DriftItem> all_listed{unexpected("gone")};
  attach_estimates(
      all_listed, catalog_with({use("orders")}),
      decode_column_stats(stats_rows("orders", "1000", "2", {{"a", "0.5"}, {"b", "0.4"}})));
  CHECK(all_listed[0].impact[0].rows == doctest::Approx(0));
}

TEST_CASE("impact is unknown, and says why, without statistics, before ANALYZE or for an array") {
  std::vector<DriftItem> items{unexpected("x")};
  attach_estimates(items, catalog_with({use("orders")}), {});
  CHECK_FALSE(items[0].impact[0].rows);
  CHECK(items[0].impact[0].how.find("gone") != std::string::npos);
  attach_estimates(items, catalog_with({use("orders")}),
                   decode_column_stats({{"public", "orders", "s", "1000", std::nullopt,
                                         std::nullopt, std::nullopt, std::nullopt}}));
  CHECK(items[0].impact[0].how.find("may SELECT") != std::string::npos);

  attach_estimates(items, catalog_with({use("orders")}),
                   decode_column_stats(stats_rows("orders", "-1", "0", {})));
  CHECK(items[0].impact[0].how.find("never analysed") != std::string::npos);

  attach_estimates(items, catalog_with({use("tags", ColumnUse::Via::array)}),
                   decode_column_stats(stats_rows("tags", "10", "1", {{"x", "1"}})));
  CHECK_FALSE(items[0].impact[0].rows);
  CHECK(items[0].impact[0].how.find("array") != std::string::npos);
}

TEST_CASE("only value-level items carry impact; a missing value is held by no row") {
  DriftItem missing = unexpected("x");
  missing.kind = DriftKind::missing_value;
  missing.expected = "new";
  missing.actual = std::monostate{};
  DriftItem order = unexpected("x");
  order.kind = DriftKind::order_mismatch;
  std::vector<DriftItem> items{missing, order};
  const Catalog catalog = catalog_with({use("orders")});
  CHECK(impact_columns(items, catalog).size() == 1);
  attach_estimates(items, catalog, {});
  REQUIRE(items[0].impact.size() == 1);
  CHECK(items[0].impact[0].rows == 0.0);
  CHECK_FALSE(items[0].impact[0].estimated);
  CHECK(items[1].impact.empty());
}

TEST_CASE("exact counts quote every name and add up per value across columns") {
  ColumnRef odd{"Sch\"ema", "ta'ble", "co\nl", false};
  CHECK(exact_count_sql(odd).find("\"Sch\"\"ema\".\"ta'ble\"") != std::string::npos);
  CHECK(exact_count_sql({"public", "t", "tags", true}).find("unnest") != std::string::npos);
  std::vector<DriftItem> items{unexpected("x")};
  const Catalog catalog = catalog_with({use("orders"), use("archive")});
  CountsByColumn counts;
  counts[{"public", "orders", "s", false}]["x"] = 7;
  counts[{"public", "archive", "s", false}]["y"] = 3;
  attach_counts(items, catalog, counts);
  CHECK(items[0].impact[0].rows == 7.0);
  CHECK_FALSE(items[0].impact[0].estimated);
}

TEST_CASE("an exact count read decodes rows per value, and a count that is no number is an error") {
  const ColumnRef column{"public", "orders", "status"};
  const auto read = exact_count_read(column, {"paid", "it's"});
  CHECK(read.sql == exact_count_sql(column));
  CHECK(read.params == std::vector<std::string>{"{\"paid\",\"it's\"}"});
  const auto counts =
      read.decode({{std::string("paid"), std::string("42")}, {std::nullopt, std::string("1")}});
  CHECK(counts == std::map<std::string, long long>{{"paid", 42}});
  CHECK_THROWS_AS((void)read.decode({{std::string("paid"), std::string("4x")}}), Error);
  CHECK(column_stats_read({column}).sql == column_stats_sql());
}
