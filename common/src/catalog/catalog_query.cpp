#include "enumwatch/catalog/catalog_query.hpp"

#include <algorithm>
#include <iterator>
#include <map>

#include "enumwatch/catalog/check_constraint.hpp"
#include "enumwatch/core/error.hpp"
#include "enumwatch/sql/sql_quote.hpp"

namespace enumwatch {
namespace {

// Shared by both queries: the enum types in scope, without extension-owned ones.
#define ENUMWATCH_ENUM_FILTER                                                        \
  "t.typtype = 'e'\n"                                                                \
  "  AND n.nspname NOT IN ('pg_catalog', 'information_schema')\n"                    \
  "  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'\n"  \
  "  AND (pg_catalog.cardinality($1::text[]) = 0 OR n.nspname = ANY ($1::text[]))\n" \
  "  AND NOT (n.nspname = ANY ($2::text[]))\n"                                       \
  "  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d\n"                         \
  "                  WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass\n"  \
  "                    AND d.objid = t.oid AND d.deptype = 'e')\n"

constexpr std::string_view kEnumTypes =
    "SELECT n.nspname, t.typname, e.enumlabel\n"
    "FROM pg_catalog.pg_type t\n"
    "JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace\n"
    "JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid\n"
    "WHERE " ENUMWATCH_ENUM_FILTER "ORDER BY t.oid, e.enumsortorder";

// Follows arrays of the type and domains over it (and arrays of those domains, domains over
// domains) down to the table columns; inherited columns and partitions are left to their parent.
constexpr std::string_view kColumnUsage =
    "WITH RECURSIVE enums AS (\n"
    "  SELECT t.oid, n.nspname, t.typname\n"
    "  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace\n"
    "  WHERE " ENUMWATCH_ENUM_FILTER
    "), derived(parent, child, is_array, has_default) AS (\n"
    // Every type's array type and every domain's base, listed once: the recursive step then joins
    // on equality (a hash join), where an OR in its join condition made it quadratic in the
    // number of types (a poll of 1 000 enum types took 0.4 s).
    "  SELECT oid, typarray, true, false FROM pg_catalog.pg_type WHERE typarray <> 0\n"
    "  UNION ALL\n"
    "  SELECT typbasetype, oid, false, typdefaultbin IS NOT NULL FROM pg_catalog.pg_type\n"
    "  WHERE typtype = 'd'\n"
    // default_domain: the outermost domain with a DEFAULT, which a column without its own default
    // takes; an array of a domain takes none of it.
    "), uses(enum_oid, type_oid, via, default_domain) AS (\n"
    "  SELECT oid, oid, 'direct'::text, 0::pg_catalog.oid FROM enums\n"
    "  UNION ALL\n"
    "  SELECT u.enum_oid, d.child,\n"
    "         CASE WHEN u.via = 'direct' AND d.is_array THEN 'array' ELSE 'domain' END,\n"
    "         CASE WHEN d.is_array THEN 0::pg_catalog.oid\n"
    "              WHEN d.has_default THEN d.child ELSE u.default_domain END\n"
    "  FROM uses u\n"
    "  JOIN derived d ON d.parent = u.type_oid\n"
    ")\n"
    "SELECT e.nspname, e.typname, cn.nspname, c.relname, a.attname, u.via,\n"
    "       pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), dn.nspname, dt.typname,\n"
    "       pg_catalog.pg_get_expr(dt.typdefaultbin, 0)\n"
    "FROM uses u\n"
    "JOIN enums e ON e.oid = u.enum_oid\n"
    "JOIN pg_catalog.pg_attribute a ON a.atttypid = u.type_oid AND a.attnum > 0\n"
    "     AND NOT a.attisdropped AND a.attinhcount = 0\n"
    "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p', 'f')\n"
    "     AND NOT c.relispartition\n"
    "JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace\n"
    "LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum\n"
    "LEFT JOIN pg_catalog.pg_type dt ON dt.oid = u.default_domain\n"
    "LEFT JOIN pg_catalog.pg_namespace dn ON dn.oid = dt.typnamespace\n"
    "ORDER BY 1, 2, 3, 4, 5";

// Shared by both halves of the CHECK query: the table `c` in scope, without extension-owned ones.
#define ENUMWATCH_TABLE_FILTER                                                       \
  "  AND n.nspname NOT IN ('pg_catalog', 'information_schema')\n"                    \
  "  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'\n"  \
  "  AND (pg_catalog.cardinality($1::text[]) = 0 OR n.nspname = ANY ($1::text[]))\n" \
  "  AND NOT (n.nspname = ANY ($2::text[]))\n"                                       \
  "  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d\n"                         \
  "                  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass\n" \
  "                    AND d.objid = c.oid AND d.deptype = 'e')\n"

// CHECK constraints on one column of a text-like type (text 25, varchar 1043, bpchar 1042: the
// built-in types' OIDs are fixed) of tables the monitoring role may see, with their text as
// PostgreSQL prints it; check_constraint.hpp decides which are membership tests. Inherited ones
// (partitions, children) are left to their parent, as for columns. Then the CHECKs of a domain
// over a text-like type, once per table column of that domain, with the domain's name; the
// column's default, else the domain's (docs/check-enums.md, "Domains").
constexpr std::string_view kCheckConstraints =
    "SELECT n.nspname, c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),\n"
    "       con.conname, pg_catalog.pg_get_constraintdef(con.oid),\n"
    "       pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),\n"
    "       NULL::pg_catalog.name, NULL::pg_catalog.name\n"
    "FROM pg_catalog.pg_constraint con\n"
    "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid AND c.relkind IN ('r', 'p', 'f')\n"
    "     AND NOT c.relispartition\n"
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n"
    "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = con.conkey[1]\n"
    "     AND NOT a.attisdropped\n"
    "LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum\n"
    "WHERE con.contype = 'c' AND pg_catalog.cardinality(con.conkey) = 1 AND con.coninhcount = 0\n"
    "  AND a.atttypid IN (25, 1043, 1042)\n" ENUMWATCH_TABLE_FILTER
    "UNION ALL\n"
    "SELECT n.nspname, c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),\n"
    "       con.conname, pg_catalog.pg_get_constraintdef(con.oid),\n"
    "       COALESCE(pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),\n"
    "                pg_catalog.pg_get_expr(dt.typdefaultbin, 0)),\n"
    "       dn.nspname, dt.typname\n"
    "FROM pg_catalog.pg_type dt\n"
    "JOIN pg_catalog.pg_namespace dn ON dn.oid = dt.typnamespace\n"
    "JOIN pg_catalog.pg_constraint con ON con.contypid = dt.oid AND con.contype = 'c'\n"
    "JOIN pg_catalog.pg_attribute a ON a.atttypid = dt.oid AND a.attnum > 0\n"
    "     AND NOT a.attisdropped AND a.attinhcount = 0\n"
    "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p', 'f')\n"
    "     AND NOT c.relispartition\n"
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n"
    "LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum\n"
    "WHERE dt.typtype = 'd' AND dt.typbasetype IN (25, 1043, 1042)\n" ENUMWATCH_TABLE_FILTER
    "ORDER BY 1, 2, 3, 5";

#undef ENUMWATCH_ENUM_FILTER
#undef ENUMWATCH_TABLE_FILTER

const std::string& field(const Row& row, std::size_t i, std::string_view query) {
  if (i >= row.size() || !row[i]) {
    throw Error("unexpected row shape from the " + std::string(query) + " query (column " +
                std::to_string(i + 1) + " missing or NULL)");
  }
  return *row[i];
}

ColumnUse::Via parse_via(const std::string& via) {
  if (via == "array") return ColumnUse::Via::array;
  if (via == "domain") return ColumnUse::Via::domain;
  return ColumnUse::Via::direct;
}

}  // namespace

std::string_view enum_types_sql() {
  return kEnumTypes;
}
std::string_view column_usage_sql() {
  return kColumnUsage;
}

std::string_view check_constraints_sql() {
  return kCheckConstraints;
}

std::string quote_migration_table(std::string_view configured) {
  const auto dot = configured.find('.');
  if (dot == std::string_view::npos) return quote_ident(configured);
  return quote_ident(configured.substr(0, dot)) + '.' + quote_ident(configured.substr(dot + 1));
}

bool migration_table_qualified(std::string_view configured) {
  return configured.find('.') != std::string_view::npos;
}

std::string_view resolve_relation_sql() {
  // Runs under the monitoring role's own search_path (that is its point), so every function,
  // operator and type in it is named with its schema: nothing on that path can stand in.
  return "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c\n"
         "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace\n"
         "WHERE c.oid OPERATOR(pg_catalog.=) "
         "pg_catalog.to_regclass($1::pg_catalog.text)::pg_catalog.oid";
}

std::optional<std::string> decode_resolved_relation(const Rows& rows) {
  if (rows.empty()) return std::nullopt;
  return quote_ident(field(rows[0], 0, "relation")) + '.' +
         quote_ident(field(rows[0], 1, "relation"));
}

std::string migration_revision_sql(std::string_view relation, MigrationTool tool) {
  // The table belongs to the application: its columns are read through their types' output
  // functions (format's %s), never a cast, which the owner of a column's type could define.
  const std::string from = std::string(" FROM ") + std::string(relation);
  switch (tool) {
    case MigrationTool::flyway:
      // Repeatable migrations have no version; failed ones did not change the schema.
      return "SELECT pg_catalog.format('%s', version)" + from +
             " WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1";
    case MigrationTool::schema_migrations:
      // Rails keeps one row per applied migration, golang-migrate and dbmate one or more: the
      // greatest version is the schema's (bigint compares as numbers, Rails' timestamps as text).
      return "SELECT pg_catalog.format('%s', version)" + from + " ORDER BY version DESC LIMIT 1";
    case MigrationTool::alembic:
      break;
  }
  return "SELECT pg_catalog.string_agg(v, ',' ORDER BY v) FROM (SELECT pg_catalog.format('%s', "
         "version_num) AS v" +
         from + ") heads";
}

std::string pg_text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::vector<CheckColumn> decode_checks(const Rows& rows, const Scope& scope) {
  std::map<TypeName, CheckColumn> found;
  std::map<TypeName, std::vector<std::string>> allowed;  // intersection of all its checks
  for (const auto& row : rows) {
    CheckColumn check;
    check.schema = field(row, 0, "check constraints");
    check.table = field(row, 1, "check constraints");
    check.column = field(row, 2, "check constraints");
    if (!scope.includes(check.key())) continue;
    // A domain's CHECK names the value VALUE, which the parser reads as a column (folded).
    std::optional<TypeName> domain;
    if (row.size() > 8 && row[7] && row[8]) domain = TypeName{*row[7], *row[8]};
    const auto membership = parse_membership_check(field(row, 5, "check constraints"));
    if (!membership || membership->column != (domain ? "value" : check.column)) continue;
    auto [it, first] = found.try_emplace(check.key(), std::move(check));
    CheckColumn& column = it->second;
    if (first) {
      column.domain = domain;
    } else if (column.domain != domain && !column.unrewritable) {
      column.unrewritable =
          "its values are listed both by a CHECK on the column and by one on "
          "its domain";
    }
    if (first) {
      column.column_type = field(row, 3, "check constraints");
      column.default_expr = row.size() > 6 ? row[6] : std::nullopt;
      column.values = membership->values;
    } else {
      // Two membership CHECKs on one column: a value must pass both.
      std::vector<std::string> both;
      std::set_intersection(column.values.begin(), column.values.end(), membership->values.begin(),
                            membership->values.end(), std::back_inserter(both));
      column.values = std::move(both);
    }
    const std::string& name = field(row, 4, "check constraints");
    for (const auto& kept : membership->kept) {
      if (std::find(column.kept_conjuncts.begin(), column.kept_conjuncts.end(), kept) ==
          column.kept_conjuncts.end())
        column.kept_conjuncts.push_back(kept);
    }
    if (membership->unrewritable && !column.unrewritable) {
      column.unrewritable = "constraint " + quote_ident(name) + " allows its values OR " +
                            "something else: " + *membership->unrewritable;
    }
    column.constraints.push_back(name);
  }
  std::vector<CheckColumn> out;
  for (auto& [key, check] : found) out.push_back(std::move(check));
  sort_checks(out);
  return out;
}

Catalog decode_catalog(const Rows& enum_rows, const Rows& usage_rows, const Scope& scope) {
  Catalog catalog;
  // Values come in enumsortorder. Rows of one type are adjacent (ordered by type oid), but the
  // decoder does not rely on it: a type seen again continues its list, never appears twice.
  std::map<TypeName, std::vector<std::string>> values;
  for (const auto& row : enum_rows) {
    TypeName type{field(row, 0, "enum types"), field(row, 1, "enum types")};
    const std::string& label = field(row, 2, "enum types");
    if (scope.includes(type)) values[std::move(type)].push_back(label);
  }
  // A target keeps its last catalog until the next full read (a quiet poll reads only a
  // fingerprint): each vector holds what it has and no growth slack.
  catalog.enums.reserve(values.size());
  for (auto& [type, labels] : values) {
    labels.shrink_to_fit();
    catalog.enums.push_back({type, std::move(labels)});
  }
  for (const auto& row : usage_rows) {
    TypeName type{field(row, 0, "column usage"), field(row, 1, "column usage")};
    if (!scope.includes(type)) continue;
    ColumnUse use{field(row, 2, "column usage"), field(row, 3, "column usage"),
                  field(row, 4, "column usage"), parse_via(field(row, 5, "column usage")),
                  row.size() > 6 ? row[6] : std::nullopt};
    if (row.size() > 9 && row[7] && row[8] && row[9]) {
      use.domain_default = std::make_shared<const ColumnUse::DomainDefault>(
          ColumnUse::DomainDefault{{*row[7], *row[8]}, *row[9]});
    }
    catalog.used_by[type].push_back(std::move(use));
  }
  for (auto& [type, uses] : catalog.used_by) uses.shrink_to_fit();
  return catalog;
}

std::optional<std::string> decode_migration_revision(const Rows& rows) {
  if (rows.empty() || rows.front().empty()) return std::nullopt;
  return rows.front().front();
}

namespace {

std::vector<std::string> scope_params(const Scope& scope) {
  return {pg_text_array(scope.schemas), pg_text_array(scope.exclude_schemas)};
}

Rows as_rows(const Rows& rows) {
  return rows;
}

}  // namespace

CatalogRead<Rows> enum_types_read(const Scope& scope) {
  return {std::string(enum_types_sql()), scope_params(scope), as_rows};
}

CatalogRead<Rows> column_usage_read(const Scope& scope) {
  return {std::string(column_usage_sql()), scope_params(scope), as_rows};
}

CatalogRead<Rows> check_constraints_read(const Scope& scope) {
  return {std::string(check_constraints_sql()), scope_params(scope), as_rows};
}

CatalogRead<std::optional<std::string>> migration_revision_read(std::string_view relation,
                                                                MigrationTool tool) {
  return {migration_revision_sql(relation, tool), {}, decode_migration_revision};
}

CatalogRead<std::optional<std::string>> resolve_relation_read(std::string_view configured) {
  return {std::string(resolve_relation_sql()),
          {quote_migration_table(configured)},
          decode_resolved_relation};
}

}  // namespace enumwatch
