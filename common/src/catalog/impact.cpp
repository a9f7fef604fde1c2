#include "enumwatch/catalog/impact.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <set>

#include "enumwatch/core/error.hpp"
#include "enumwatch/sql/sql_quote.hpp"

namespace enumwatch {
namespace {

// For pg_stats, a partitioned table's statistics are those of the whole tree (inherited = true).
constexpr std::string_view kColumnStats =
    "SELECT w.nspname, w.relname, w.attname, c.reltuples, s.null_frac, s.n_distinct, m.value,\n"
    "       m.freq\n"
    "FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[]),\n"
    "                pg_catalog.unnest($3::text[])) AS w(nspname, relname, attname)\n"
    "JOIN pg_catalog.pg_namespace n ON n.nspname = w.nspname\n"
    "JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = w.relname\n"
    "LEFT JOIN pg_catalog.pg_stats s ON s.schemaname = w.nspname AND s.tablename = w.relname\n"
    "     AND s.attname = w.attname AND s.inherited = (c.relkind = 'p')\n"
    "LEFT JOIN LATERAL ROWS FROM (pg_catalog.unnest(s.most_common_vals::text::text[]),\n"
    "                             pg_catalog.unnest(s.most_common_freqs)) AS m(value, freq) ON "
    "true\n"
    "ORDER BY 1, 2, 3";

bool carries_impact(DriftKind kind) {
  switch (kind) {
    case DriftKind::missing_value:
    case DriftKind::case_mismatch:
    case DriftKind::unexpected_value:
    case DriftKind::naming_violation:
    case DriftKind::default_mismatch:
      return true;
    default:
      return false;
  }
}

// The values an item names that rows may hold: the database side; for a missing value the
// snapshot's, which no row can hold.
std::vector<std::string> values_named(const DriftItem& item) {
  if (!carries_impact(item.kind)) return {};
  if (const auto* v = std::get_if<std::string>(&item.actual)) return {*v};
  if (item.kind == DriftKind::missing_value) {
    if (const auto* v = std::get_if<std::string>(&item.expected)) return {*v};
  }
  return {};
}

std::vector<ColumnRef> columns_of(const DriftItem& item, const Catalog& catalog) {
  if (item.table && item.column) return {{item.schema, *item.table, *item.column, false}};
  std::vector<ColumnRef> out;
  for (const auto& use : catalog.uses_of({item.schema, item.enum_name}))
    out.push_back({use.schema, use.table, use.column, use.via == ColumnUse::Via::array});
  return out;
}

double number(const std::optional<std::string>& text, std::string_view what) {
  if (!text) throw Error("unexpected NULL " + std::string(what) + " from the statistics query");
  char* end = nullptr;
  const double value = std::strtod(text->c_str(), &end);
  if (end == text->c_str())
    throw Error("unexpected " + std::string(what) + " from the statistics query");
  return value;
}

// Rows of `value` in one column, and how that figure was found; nothing when unknown.
std::optional<double> estimate(const ColumnStats& s, const std::string& value, std::string& how) {
  if (s.reltuples < 0) {
    how = "never analysed";
    return std::nullopt;
  }
  if (!s.has_statistics) {
    how = "no statistics: pg_stats shows only columns the role may SELECT (docs/check-enums.md)";
    return std::nullopt;
  }
  if (auto it = s.most_common.find(value); it != s.most_common.end()) {
    how = "pg_stats most_common_freqs × reltuples";
    return it->second * s.reltuples;
  }
  double listed = 0;
  for (const auto& [v, f] : s.most_common) listed += f;
  const double distinct = s.n_distinct >= 0 ? s.n_distinct : -s.n_distinct * s.reltuples;
  const double others = distinct - static_cast<double>(s.most_common.size());
  how =
      "pg_stats: not a most common value; (1 - Σ most_common_freqs - null_frac) / (n_distinct - "
      "listed) × reltuples";
  if (others <= 0) return 0.0;
  return std::max(0.0, 1.0 - listed - s.null_frac) / others * s.reltuples;
}

// Fills the impact of every value-level item: for each value it names, the sum over the columns
// using it of `figure` (rows, or nothing with `how` saying why). A missing value is in no row.
template <typename Figure>
void attach(std::vector<DriftItem>& items, const Catalog& catalog, bool estimated,
            const Figure& figure) {
  for (auto& item : items) {
    const auto values = values_named(item);
    if (values.empty()) continue;
    const auto columns = columns_of(item, catalog);
    item.impact.clear();
    for (const auto& value : values) {
      ValueImpact impact;
      impact.value = value;
      impact.estimated = estimated;
      if (item.kind == DriftKind::missing_value) {
        impact.rows = 0;
        impact.estimated = false;
        impact.how = "the database does not allow it";
        item.impact.push_back(std::move(impact));
        continue;
      }
      double total = 0;
      std::string how = columns.empty() ? "no column uses it" : "";
      bool known = true;
      for (const auto& column : columns) {
        std::string why;
        const std::optional<double> rows = figure(column, value, why);
        if (!rows) {
          known = false;
          how = "unknown for " + column.display() + ": " + why;
          break;
        }
        total += *rows;
        if (how.empty()) how = why;
      }
      if (known) impact.rows = total;
      impact.how = how;
      item.impact.push_back(std::move(impact));
    }
  }
}

}  // namespace

std::vector<ColumnRef> impact_columns(const std::vector<DriftItem>& items, const Catalog& catalog) {
  std::set<ColumnRef> out;
  for (const auto& item : items) {
    if (values_named(item).empty()) continue;
    for (auto& c : columns_of(item, catalog)) out.insert(std::move(c));
  }
  return {out.begin(), out.end()};
}

std::string_view column_stats_sql() {
  return kColumnStats;
}

std::vector<std::string> column_stats_params(const std::vector<ColumnRef>& columns) {
  std::vector<std::string> schemas, tables, names;
  for (const auto& c : columns) {
    schemas.push_back(c.schema);
    tables.push_back(c.table);
    names.push_back(c.column);
  }
  return {pg_text_array(schemas), pg_text_array(tables), pg_text_array(names)};
}

StatsByColumn decode_column_stats(const Rows& rows) {
  StatsByColumn out;
  for (const auto& row : rows) {
    if (row.size() != 8 || !row[0] || !row[1] || !row[2])
      throw Error("unexpected row shape from the statistics query");
    ColumnStats& s = out[{*row[0], *row[1], *row[2], false}];
    s.reltuples = number(row[3], "reltuples");
    if (!row[4]) continue;  // pg_stats has nothing for the column
    s.has_statistics = true;
    s.null_frac = number(row[4], "null_frac");
    s.n_distinct = number(row[5], "n_distinct");
    if (row[6] && row[7]) s.most_common[*row[6]] = number(row[7], "frequency");
  }
  return out;
}

void attach_estimates(std::vector<DriftItem>& items, const Catalog& catalog,
                      const StatsByColumn& stats) {
  attach(items, catalog, true,
         [&](const ColumnRef& column, const std::string& value,
             std::string& why) -> std::optional<double> {
           if (column.array) {
             why = "an array column: pg_stats keeps its elements apart";
             return std::nullopt;
           }
           const auto it = stats.find(column);
           if (it == stats.end()) {
             why = "the table is gone";
             return std::nullopt;
           }
           return estimate(it->second, value, why);
         });
}

std::string exact_count_sql(const ColumnRef& column) {
  const std::string table = quote_ident(column.schema) + '.' + quote_ident(column.table);
  const std::string name = quote_ident(column.column);
  // Values become text through their type's output function (format's %s), never a cast: the
  // owner of an enum type may define a cast from it, and that would run as the monitoring role.
  if (column.array) {
    return "SELECT v, pg_catalog.count(*) FROM " + table +
           " t CROSS JOIN LATERAL (SELECT DISTINCT pg_catalog.format('%s', e) AS v FROM "
           "pg_catalog.unnest(t." +
           name + ") AS e) x WHERE v = ANY ($1::text[]) GROUP BY v";
  }
  return "SELECT v, pg_catalog.count(*) FROM (SELECT pg_catalog.format('%s', " + name +
         ") AS v FROM " + table + ") x WHERE v = ANY ($1::text[]) GROUP BY v";
}

std::vector<std::string> impact_values(const std::vector<DriftItem>& items) {
  std::set<std::string> out;
  for (const auto& item : items) {
    for (auto& v : values_named(item)) out.insert(std::move(v));
  }
  return {out.begin(), out.end()};
}

void attach_counts(std::vector<DriftItem>& items, const Catalog& catalog,
                   const CountsByColumn& counts) {
  attach(items, catalog, false,
         [&](const ColumnRef& column, const std::string& value,
             std::string& why) -> std::optional<double> {
           const auto it = counts.find(column);
           if (it == counts.end()) {
             why = "not counted";
             return std::nullopt;
           }
           why = "counted";
           const auto v = it->second.find(value);
           return v == it->second.end() ? 0.0 : static_cast<double>(v->second);
         });
}

CatalogRead<StatsByColumn> column_stats_read(const std::vector<ColumnRef>& columns) {
  return {std::string(column_stats_sql()), column_stats_params(columns), decode_column_stats};
}

CatalogRead<std::map<std::string, long long>> exact_count_read(
    const ColumnRef& column, const std::vector<std::string>& values) {
  auto decode = [](const Rows& rows) {
    std::map<std::string, long long> per_value;
    for (const auto& row : rows) {
      if (row.size() != 2 || !row[0] || !row[1]) continue;
      // count(*) prints a bigint; anything else is the project's error, not std::stoll's.
      long long count = 0;
      const std::string& text = *row[1];
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
      if (ec != std::errc() || end != text.data() + text.size())
        throw Error("counting rows returned a count that is not a number");
      per_value[*row[0]] = count;
    }
    return per_value;
  };
  return {exact_count_sql(column), {pg_text_array(values)}, decode};
}

}  // namespace enumwatch
