// Impact (docs/drift-kinds.md): how many rows hold each value a drift item names. Estimated from
// pg_stats in the poll (no table is scanned), or counted exactly by `diff --impact exact`.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/catalog/catalog_query.hpp"
#include "enumwatch/core/drift.hpp"
#include "enumwatch/core/model.hpp"

namespace enumwatch {

struct ColumnRef {
  std::string schema, table, column;
  bool array = false;  // an array of the type: a row holds a value when an element is it
  [[nodiscard]] std::string display() const { return schema + '.' + table + '.' + column; }
  auto operator<=>(const ColumnRef&) const = default;
};

// The columns whose rows hold the values of the items that carry impact (value-level kinds).
[[nodiscard]] std::vector<ColumnRef> impact_columns(const std::vector<DriftItem>& items,
                                                    const Catalog& catalog);

// $1, $2, $3: schemas, tables, columns (text[], parallel). Rows: schema, table, column,
// reltuples, null_frac, n_distinct, one most common value, its frequency (NULL, NULL when the
// column has none); null_frac NULL for a column without statistics the role may read.
[[nodiscard]] std::string_view column_stats_sql();
[[nodiscard]] std::vector<std::string> column_stats_params(const std::vector<ColumnRef>& columns);

struct ColumnStats {
  double reltuples = -1;        // the planner's row count; -1: never analysed
  bool has_statistics = false;  // pg_stats has the column (and the role may read it)
  double null_frac = 0;
  double n_distinct = 0;  // > 0: distinct values; < 0: minus the fraction of rows
  std::map<std::string, double> most_common;  // value -> frequency
};
using StatsByColumn = std::map<ColumnRef, ColumnStats>;  // keyed without `array`
// Throws Error if the rows do not have the expected shape.
[[nodiscard]] StatsByColumn decode_column_stats(const Rows& rows);

// Fills each value-level item's impact from the statistics: a most common value's frequency ×
// reltuples; otherwise the planner's own estimate for a value outside that list, (1 − Σ
// frequencies − null_frac) / (distinct values − listed ones) × reltuples; unknown (rows = null)
// when a column has no statistics or is an array (pg_stats keeps elements apart).
void attach_estimates(std::vector<DriftItem>& items, const Catalog& catalog,
                      const StatsByColumn& stats);

// diff --impact exact: one statement per column, $1 = the values (text[]). Rows: value, rows.
[[nodiscard]] std::string exact_count_sql(const ColumnRef& column);
[[nodiscard]] std::vector<std::string> impact_values(const std::vector<DriftItem>& items);
using CountsByColumn = std::map<ColumnRef, std::map<std::string, long long>>;

// column_stats_sql() for the columns, with its decoder.
[[nodiscard]] CatalogRead<StatsByColumn> column_stats_read(const std::vector<ColumnRef>& columns);
// exact_count_sql() of one column for the values: rows per value. Throws Error when a count is
// not a number.
[[nodiscard]] CatalogRead<std::map<std::string, long long>> exact_count_read(
    const ColumnRef& column, const std::vector<std::string>& values);
void attach_counts(std::vector<DriftItem>& items, const Catalog& catalog,
                   const CountsByColumn& counts);

}  // namespace enumwatch
