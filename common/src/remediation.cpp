#include "enumwatch/remediation.hpp"

#include <map>
#include <set>

#include "enumwatch/drift.hpp"
#include "enumwatch/sql_quote.hpp"

namespace enumwatch {
namespace {

constexpr std::string_view kOldSuffix = "_enumwatch_old";

// Cuts to at most max_bytes without splitting a UTF-8 sequence.
std::string utf8_prefix(const std::string& s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut);
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

}  // namespace

std::string create_type_sql(const EnumType& type) {
  std::vector<std::string> labels;
  for (const auto& v : type.values) labels.push_back(quote_literal(v));
  return "CREATE TYPE " + quote_type(type.type) + " AS ENUM (" + join(labels, ", ") + ");";
}

std::string drop_type_sql(const TypeName& type) {
  // No CASCADE: PostgreSQL refuses while any column or object still uses the type.
  return "DROP TYPE " + quote_type(type) + ";";
}

std::string rename_value_sql(const TypeName& type, std::string_view from, std::string_view to) {
  return "ALTER TYPE " + quote_type(type) + " RENAME VALUE " + quote_literal(from) + " TO " +
         quote_literal(to) + ";";
}

std::string add_value_sql(const TypeName& type, std::string_view value,
                          const Placement& placement) {
  std::string sql =
      "ALTER TYPE " + quote_type(type) + " ADD VALUE IF NOT EXISTS " + quote_literal(value);
  if (placement.kind == Placement::Kind::before)
    sql += " BEFORE " + quote_literal(placement.neighbour);
  if (placement.kind == Placement::Kind::after)
    sql += " AFTER " + quote_literal(placement.neighbour);
  return sql + ";";
}

std::string recreate_type_sql(const TypeName& type, const std::vector<std::string>& values,
                              const std::vector<ColumnUse>& columns) {
  const std::string quoted = quote_type(type);
  const std::string old_name =
      utf8_prefix(type.name, 63 - kOldSuffix.size()) + std::string(kOldSuffix);
  const std::string quoted_old = quote_ident(type.schema) + '.' + quote_ident(old_name);

  // One ALTER TABLE per table, so each table is rewritten once.
  std::map<std::pair<std::string, std::string>, std::vector<const ColumnUse*>> by_table;
  std::vector<std::string> blockers;
  for (const auto& c : columns) {
    if (c.via == ColumnUse::Via::domain) {
      blockers.push_back(c.display());
    } else {
      by_table[{c.schema, c.table}].push_back(&c);
    }
  }

  std::string sql;
  sql += "-- Recreate " + sql_comment(quoted) +
         " with the snapshot's values, in the snapshot's order.\n";
  if (by_table.empty()) {
    sql += "-- No table column uses it: no table is rewritten.\n";
  } else {
    std::vector<std::string> names;
    for (const auto& [table, cols] : by_table)
      names.push_back(quote_ident(table.first) + '.' + quote_ident(table.second));
    sql += "-- Rewrites under an ACCESS EXCLUSIVE lock (with their partitions and children): " +
           sql_comment(join(names, ", ")) + ".\n";
  }
  sql += "-- Fails and changes nothing while any row still holds a value that is dropped.\n";
  if (!blockers.empty()) {
    sql +=
        "-- Columns typed by a domain over it (" + sql_comment(join(blockers, ", ")) +
        ") cannot be converted here: recreate those domains by hand; until then DROP TYPE fails.\n";
  }
  sql += "BEGIN;\n";
  sql += "ALTER TYPE " + quoted + " RENAME TO " + quote_ident(old_name) + ";\n";
  sql += create_type_sql(EnumType{type, values}) + "\n";
  for (const auto& [table, cols] : by_table) {
    const std::string quoted_table = quote_ident(table.first) + '.' + quote_ident(table.second);
    std::vector<std::string> drops, converts, defaults;
    for (const auto* c : cols) {
      const std::string col = quote_ident(c->column);
      const bool array = c->via == ColumnUse::Via::array;
      const std::string suffix = array ? "[]" : "";
      if (c->default_expr) {
        drops.push_back("ALTER COLUMN " + col + " DROP DEFAULT");
        // The default was printed against the old type's name, which the new type now holds.
        defaults.push_back("ALTER COLUMN " + col + " SET DEFAULT " + *c->default_expr);
      }
      converts.push_back("ALTER COLUMN " + col + " TYPE " + quoted + suffix + " USING " + col +
                         "::text" + suffix + "::" + quoted + suffix);
    }
    if (!drops.empty()) sql += "ALTER TABLE " + quoted_table + " " + join(drops, ", ") + ";\n";
    sql += "ALTER TABLE " + quoted_table + " " + join(converts, ", ") + ";\n";
    if (!defaults.empty())
      sql += "ALTER TABLE " + quoted_table + " " + join(defaults, ", ") + ";\n";
  }
  sql += "DROP TYPE " + quoted_old + ";\n";
  sql += "COMMIT;";
  return sql;
}

std::string remediation_script(std::span<const DriftItem> items) {
  std::string out;
  std::set<std::string> emitted;
  auto emit = [&](const std::optional<std::string>& sql) {
    if (!sql || !emitted.insert(*sql).second) return;
    out += *sql;
    out += "\n";
  };
  // Group by enum, keeping the diff's deterministic order.
  std::vector<TypeName> order;
  std::map<TypeName, std::vector<const DriftItem*>> by_enum;
  for (const auto& item : items) {
    if (!item.remediation_sql) continue;
    TypeName key{item.schema, item.enum_name};
    if (!by_enum.contains(key)) order.push_back(key);
    by_enum[key].push_back(&item);
  }
  for (const auto& key : order) {
    const auto& list = by_enum[key];
    auto has = [&](DriftKind k) {
      for (const auto* i : list) {
        if (i->kind == k) return true;
      }
      return false;
    };
    const bool recreate = has(DriftKind::unexpected_value) || has(DriftKind::order_mismatch);
    if (!out.empty()) out += "\n";
    out += "-- " + sql_comment(key.display()) + "\n";
    for (DriftKind kind :
         {DriftKind::missing_type, DriftKind::case_mismatch, DriftKind::unexpected_value,
          DriftKind::order_mismatch, DriftKind::missing_value, DriftKind::unexpected_type}) {
      if (recreate && kind == DriftKind::missing_value) continue;  // the recreated type has them
      for (const auto* i : list) {
        if (i->kind == kind) emit(i->remediation_sql);
      }
    }
  }
  return out;
}

}  // namespace enumwatch
