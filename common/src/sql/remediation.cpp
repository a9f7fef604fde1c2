#include "enumwatch/sql/remediation.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <map>
#include <set>

#include "enumwatch/catalog/dependents.hpp"
#include "enumwatch/core/drift.hpp"
#include "enumwatch/core/error.hpp"
#include "enumwatch/core/utf8.hpp"
#include "enumwatch/sql/sql_lexer.hpp"
#include "enumwatch/sql/sql_quote.hpp"

namespace enumwatch {
namespace {

constexpr std::string_view kOldSuffix = "_enumwatch_old";

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

namespace {

using Kind = Dependent::Kind;

std::string qualified(const std::string& schema, const std::string& name) {
  return quote_ident(schema) + '.' + quote_ident(name);
}

// Definitions come from PostgreSQL's deparser, which writes a newline or an ESC inside a literal
// or a quoted name raw: requoted, so that the script is as safe to show as enumwatch's own SQL.
std::string deparsed(std::string_view definition) {
  std::string_view d = definition;
  while (!d.empty() && (d.back() == ';' || d.back() == '\n' || d.back() == ' ')) d.remove_suffix(1);
  while (!d.empty() && (d.front() == ' ' || d.front() == '\n')) d.remove_prefix(1);
  return requote_controls(d);
}

// A literal cast to some type ('Paid'::public.e) whose value was renamed gets the new spelling.
std::string relabeled(const std::string& definition,
                      const std::vector<std::pair<std::string, std::string>>& renamed) {
  if (renamed.empty()) return definition;
  const auto tokens = lex_sql(definition);
  std::string out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const auto& token = tokens[i];
    const bool cast = i + 1 < tokens.size() && tokens[i + 1].kind == SqlToken::Kind::bare &&
                      tokens[i + 1].text.starts_with("::");
    if (token.kind == SqlToken::Kind::literal && cast) {
      const std::string value = token_value(token);
      const auto to = std::find_if(renamed.begin(), renamed.end(),
                                   [&](const auto& r) { return r.first == value; });
      if (to != renamed.end()) {
        out += quote_literal(to->second);
        continue;
      }
    }
    out += token.text;
  }
  return out;
}

// A policy's definition is JSON holding its expressions: relabel those, not the JSON text.
std::string relabeled_policy(const std::string& definition,
                             const std::vector<std::pair<std::string, std::string>>& renamed) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(definition, ec);
  if (ec || !parsed.is_object() || renamed.empty()) return definition;
  for (const char* key : {"using", "check"}) {
    auto* expr = parsed.as_object().if_contains(key);
    if (expr && expr->is_string()) *expr = relabeled(std::string(expr->as_string()), renamed);
  }
  return boost::json::serialize(parsed);
}

// A domain's definition is JSON holding its default and its constraints' definitions.
std::string relabeled_domain(const std::string& definition,
                             const std::vector<std::pair<std::string, std::string>>& renamed) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(definition, ec);
  if (ec || !parsed.is_object() || renamed.empty()) return definition;
  auto& domain = parsed.as_object();
  if (auto* expr = domain.if_contains("default"); expr && expr->is_string())
    *expr = relabeled(std::string(expr->as_string()), renamed);
  if (auto* list = domain.if_contains("constraints"); list && list->is_array()) {
    for (auto& c : list->as_array()) {
      auto* expr = c.is_object() ? c.as_object().if_contains("definition") : nullptr;
      if (expr && expr->is_string()) *expr = relabeled(std::string(expr->as_string()), renamed);
    }
  }
  return boost::json::serialize(parsed);
}

// pg_get_indexdef writes a partitioned table's index "ON ONLY": re-created that way the
// partitions would lose theirs. The keyword is found in bare SQL, never inside a quoted name.
std::string without_only(const std::string& definition) {
  std::string out;
  bool done = false;
  for (const auto& token : lex_sql(definition)) {
    std::string text(token.text);
    if (!done && token.kind == SqlToken::Kind::bare) {
      if (const auto at = text.find(" ON ONLY "); at != std::string::npos) {
        text.replace(at, 9, " ON ");
        done = true;
      }
    }
    out += text;
  }
  return out;
}

// How DROP, COMMENT, GRANT and ALTER ... OWNER name the object.
struct ObjectRef {
  std::string keyword;  // VIEW, INDEX, FUNCTION, ...
  std::string name;     // qualified, with " ON table" or "(arguments)" where needed
};

ObjectRef ref_of(const Dependent& d) {
  const std::string on_table = " ON " + qualified(d.table_schema, d.table);
  switch (d.kind) {
    case Kind::view:
      return {"VIEW", qualified(d.schema, d.name)};
    case Kind::materialized_view:
      return {"MATERIALIZED VIEW", qualified(d.schema, d.name)};
    case Kind::index:
      return {"INDEX", qualified(d.schema, d.name)};
    case Kind::constraint:
      return {"CONSTRAINT", quote_ident(d.name) + on_table};
    case Kind::policy:
      return {"POLICY", quote_ident(d.name) + on_table};
    case Kind::trigger:
      return {"TRIGGER", quote_ident(d.name) + on_table};
    case Kind::rule:
      return {"RULE", quote_ident(d.name) + on_table};
    case Kind::function:
    case Kind::procedure:
      return {d.kind == Kind::function ? "FUNCTION" : "PROCEDURE",
              qualified(d.schema, d.name) + "(" + requote_controls(d.identity) + ")"};
    case Kind::statistics:
      return {"STATISTICS", qualified(d.schema, d.name)};
    case Kind::domain:
      return {"DOMAIN", qualified(d.schema, d.name)};
    case Kind::composite:
      return {"TYPE", qualified(d.schema, d.name)};
    case Kind::column:
    case Kind::inherited:
    case Kind::default_value:
    case Kind::unsupported:
      break;
  }
  return {};
}

std::string describe(const Dependent& d) {
  if (d.kind == Kind::default_value)
    return "default of " + qualified(d.table_schema, d.table) + "." + quote_ident(d.column);
  std::string kind(d.kind == Kind::composite ? "composite type" : to_string(d.kind));
  std::replace(kind.begin(), kind.end(), '_', ' ');
  return kind + " " + ref_of(d).name;
}

std::string drop_sql(const Dependent& d) {
  switch (d.kind) {
    case Kind::constraint:
      return "ALTER TABLE " + qualified(d.table_schema, d.table) + " DROP CONSTRAINT " +
             quote_ident(d.name) + ";\n";
    case Kind::default_value:
      return "ALTER TABLE " + qualified(d.table_schema, d.table) + " ALTER COLUMN " +
             quote_ident(d.column) + " DROP DEFAULT;\n";
    case Kind::column:
    case Kind::inherited:
    case Kind::unsupported:
    case Kind::domain:
    case Kind::composite:
      return "";
    default: {
      const ObjectRef ref = ref_of(d);
      return "DROP " + ref.keyword + " " + ref.name + ";\n";
    }
  }
}

std::string grants_sql(const Dependent& d, const std::string& on) {
  if (!d.grants) return "";
  std::string sql = "REVOKE ALL ON " + on + " FROM PUBLIC";
  if (d.owner) sql += ", " + quote_ident(*d.owner);
  sql += ";\n";
  boost::system::error_code ec;
  const auto list = boost::json::parse(*d.grants, ec);
  if (ec || !list.is_array()) return sql;
  for (const auto& g : list.as_array()) {
    const auto* grant = g.if_object();
    const auto* privilege = grant ? grant->if_contains("privilege") : nullptr;
    const auto* grantee = grant ? grant->if_contains("grantee") : nullptr;
    if (!privilege || !privilege->is_string() || !grantee || !grantee->is_string()) continue;
    sql += "GRANT " + std::string(privilege->as_string()) + " ON " + on + " TO " +
           requote_controls(std::string(grantee->as_string()));
    if (grant->contains("grantable") && grant->at("grantable").is_bool() &&
        grant->at("grantable").as_bool())
      sql += " WITH GRANT OPTION";
    sql += ";\n";
  }
  return sql;
}

std::string policy_sql(const Dependent& d) {
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(d.definition, ec);
  if (ec || !parsed.is_object()) return "";
  const auto& p = parsed.as_object();
  auto text = [&](std::string_view key) -> std::optional<std::string> {
    const auto* v = p.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->as_string());
  };
  static const std::map<std::string, std::string> kCommands{
      {"*", "ALL"}, {"r", "SELECT"}, {"a", "INSERT"}, {"w", "UPDATE"}, {"d", "DELETE"}};
  const auto command = kCommands.find(text("command").value_or("*"));
  std::string roles;
  if (const auto* list = p.if_contains("roles"); list && list->is_array()) {
    for (const auto& r : list->as_array()) {
      if (!r.is_string()) continue;
      roles += (roles.empty() ? "" : ", ") + requote_controls(std::string(r.as_string()));
    }
  }
  const auto* permissive = p.if_contains("permissive");
  std::string sql = "CREATE POLICY " + ref_of(d).name + " AS " +
                    (permissive && permissive->is_bool() && !permissive->as_bool() ? "RESTRICTIVE"
                                                                                   : "PERMISSIVE") +
                    " FOR " + (command == kCommands.end() ? "ALL" : command->second) + " TO " +
                    (roles.empty() ? "PUBLIC" : roles);
  if (auto using_expr = text("using")) sql += " USING (" + deparsed(*using_expr) + ")";
  if (auto check = text("check")) sql += " WITH CHECK (" + deparsed(*check) + ")";
  return sql + ";\n";
}

// A domain's or composite's definition, read as JSON (dependents.cpp): anything else is a
// definition enumwatch cannot follow, and the recipe says so instead of guessing.
const boost::json::object& definition_json(const Dependent& d, boost::json::value& holder) {
  boost::system::error_code ec;
  holder = boost::json::parse(d.definition, ec);
  if (ec || !holder.is_object()) throw Error("the definition of " + describe(d) + " is not JSON");
  return holder.as_object();
}

std::optional<std::string> json_string(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

// CREATE DOMAIN with its default, NOT NULL and constraints (under their names, NOT VALID where
// they were), or CREATE TYPE ... AS (...) with every attribute: the type names in it were printed
// before the swap and now name the new types.
std::string derived_type_sql(const Dependent& d) {
  const std::string name = ref_of(d).name;
  boost::json::value holder;
  const auto& o = definition_json(d, holder);
  if (d.kind == Kind::domain) {
    const auto base = json_string(o, "base");
    if (!base) throw Error("the definition of " + describe(d) + " has no base type");
    std::string sql = "CREATE DOMAIN " + name + " AS " + deparsed(*base);
    if (auto dflt = json_string(o, "default")) sql += " DEFAULT " + deparsed(*dflt);
    if (const auto* nn = o.if_contains("not_null"); nn && nn->is_bool() && nn->as_bool())
      sql += " NOT NULL";
    sql += ";\n";
    if (const auto* list = o.if_contains("constraints"); list && list->is_array()) {
      for (const auto& c : list->as_array()) {
        if (!c.is_object()) continue;
        const auto con_name = json_string(c.as_object(), "name");
        const auto con_def = json_string(c.as_object(), "definition");
        if (!con_name || !con_def) continue;
        sql += "ALTER DOMAIN " + name + " ADD CONSTRAINT " + quote_ident(*con_name) + " " +
               deparsed(*con_def) + ";\n";
        if (auto comment = json_string(c.as_object(), "comment"))
          sql += "COMMENT ON CONSTRAINT " + quote_ident(*con_name) + " ON DOMAIN " + name + " IS " +
                 quote_literal(*comment) + ";\n";
      }
    }
    return sql;
  }
  std::vector<std::string> attributes;
  if (const auto* list = o.if_contains("attributes"); list && list->is_array()) {
    for (const auto& a : list->as_array()) {
      const auto attribute = a.is_object() ? json_string(a.as_object(), "name") : std::nullopt;
      const auto type = a.is_object() ? json_string(a.as_object(), "type") : std::nullopt;
      if (!attribute || !type)
        throw Error("the definition of " + describe(d) + " has an attribute without a type");
      attributes.push_back(quote_ident(*attribute) + " " + deparsed(*type));
    }
  }
  return "CREATE TYPE " + name + " AS (" + join(attributes, ", ") + ");\n";
}

std::string create_sql(const Dependent& d) {
  const ObjectRef ref = ref_of(d);
  std::string sql;
  const std::string with = d.options.empty() ? "" : " WITH (" + requote_controls(d.options) + ")";
  switch (d.kind) {
    case Kind::view:
      sql = "CREATE VIEW " + ref.name + with + " AS\n" + deparsed(d.definition) + ";\n";
      break;
    case Kind::materialized_view:
      // Filled by REFRESH once every object it reads is back.
      sql = "CREATE MATERIALIZED VIEW " + ref.name + with + " AS\n" + deparsed(d.definition) +
            "\nWITH NO DATA;\n";
      break;
    case Kind::constraint:
      sql = "ALTER TABLE " + qualified(d.table_schema, d.table) + " ADD CONSTRAINT " +
            quote_ident(d.name) + " " + deparsed(d.definition) + ";\n";
      break;
    case Kind::policy:
      sql = policy_sql(d);
      break;
    case Kind::default_value:
      sql = "ALTER TABLE " + qualified(d.table_schema, d.table) + " ALTER COLUMN " +
            quote_ident(d.column) + " SET DEFAULT " + deparsed(d.definition) + ";\n";
      break;
    case Kind::index:
      sql = without_only(deparsed(d.definition)) + ";\n";
      break;
    case Kind::trigger:
    case Kind::rule:
    case Kind::function:
    case Kind::procedure:
    case Kind::statistics:
      sql = deparsed(d.definition) + ";\n";
      break;
    case Kind::domain:
    case Kind::composite:
      sql = derived_type_sql(d);
      break;
    case Kind::column:
    case Kind::inherited:
    case Kind::unsupported:
      return "";
  }
  if (d.kind == Kind::trigger && !d.options.empty() && d.options != "O") {
    const std::string state = d.options == "D"   ? "DISABLE"
                              : d.options == "R" ? "ENABLE REPLICA"
                                                 : "ENABLE ALWAYS";
    sql += "ALTER TABLE " + qualified(d.table_schema, d.table) + " " + state + " TRIGGER " +
           quote_ident(d.name) + ";\n";
  }
  if (d.owner &&
      (d.kind == Kind::view || d.kind == Kind::materialized_view || d.kind == Kind::function ||
       d.kind == Kind::procedure || d.kind == Kind::statistics || d.kind == Kind::domain ||
       d.kind == Kind::composite)) {
    sql += "ALTER " + ref.keyword + " " + ref.name + " OWNER TO " + quote_ident(*d.owner) + ";\n";
  }
  if (d.kind == Kind::view || d.kind == Kind::materialized_view) {
    sql += grants_sql(d, "TABLE " + ref.name);
  } else if (d.kind == Kind::function || d.kind == Kind::procedure || d.kind == Kind::domain ||
             d.kind == Kind::composite) {
    sql += grants_sql(d, ref.keyword + " " + ref.name);
  }
  if (d.comment && !ref.keyword.empty()) {
    sql +=
        "COMMENT ON " + ref.keyword + " " + ref.name + " IS " + quote_literal(*d.comment) + ";\n";
  }
  if (d.column_comments) {
    boost::system::error_code ec;
    const auto comments = boost::json::parse(*d.column_comments, ec);
    if (!ec && comments.is_object()) {
      for (const auto& [column, text] : comments.as_object()) {
        if (!text.is_string()) continue;
        sql += "COMMENT ON COLUMN " + ref.name + "." + quote_ident(column) + " IS " +
               quote_literal(text.as_string()) + ";\n";
      }
    }
  }
  return sql;
}

std::string human_size(long long bytes) {
  static constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char out[32];
  std::snprintf(out, sizeof out, unit == 0 ? "%.0f %s" : "%.1f %s", value, kUnits[unit]);
  return out;
}

// A tag no definition contains, so that a dollar-quoted body cannot be closed early.
std::string dollar_tag(std::string_view base, std::string_view body) {
  std::string tag = "$" + std::string(base) + "$";
  for (int n = 1; body.find(tag) != std::string_view::npos; ++n)
    tag = "$" + std::string(base) + std::to_string(n) + "$";
  return tag;
}

// The recipe's record of the dependents, before the swap and after: the same query the reader
// uses, as a temporary function, reduced to what must be equal (kind, names, definition digest).
std::string dependents_function_sql() {
  const std::string body =
      "SELECT kind::text, schema::text, name::text, rel_schema::text, "
      "rel_name::text, col::text, pg_catalog.md5(COALESCE(definition, '') || "
      "'|' || COALESCE(owner, '') || '|' || COALESCE(comment, '') || '|' || "
      "COALESCE(options, ''))\nFROM (\n" +
      std::string(dependents_sql()) + "\n) q WHERE kind <> 'table'";
  const std::string tag = dollar_tag("enumwatch_dependents", body);
  return "CREATE OR REPLACE FUNCTION pg_temp.enumwatch_dependents(text, text)\n"
         "RETURNS TABLE (kind text, schema text, name text, rel_schema text, rel_name text, "
         "col text, digest text)\nLANGUAGE sql STABLE AS " +
         tag + "\n" + body + "\n" + tag + ";\n";
}

constexpr std::string_view kSelfCheck =
    "DO $enumwatch_check$\n"
    "DECLARE\n"
    "  changed text;\n"
    "BEGIN\n"
    "  SELECT pg_catalog.string_agg(concat_ws(' ', d.kind, d.schema, d.name, d.rel_schema,\n"
    "                                         d.rel_name, d.col), '; ')\n"
    "    INTO changed\n"
    "    FROM ((TABLE pg_temp.enumwatch_before EXCEPT TABLE pg_temp.enumwatch_after)\n"
    "          UNION (TABLE pg_temp.enumwatch_after EXCEPT TABLE pg_temp.enumwatch_before)) d;\n"
    "  IF changed IS NOT NULL THEN\n"
    "    RAISE EXCEPTION 'enumwatch self-check: dependents missing or changed after the swap, "
    "rolling back: %', changed;\n"
    "  END IF;\n"
    "END\n"
    "$enumwatch_check$;\n";

std::string refusal_sql(const RecreatePlan& plan, const std::vector<const Dependent*>& blockers) {
  std::string sql = "-- enumwatch cannot recreate " + sql_comment(quote_type(plan.type)) +
                    " with the snapshot's values, and writes no SQL for it:\n";
  for (const auto* d : blockers) sql += "--   " + sql_comment(d->why) + ".\n";
  sql +=
      "-- Nothing here changes the database. Move those objects off the type by hand (see "
      "docs/remediation.md), or keep the database's values and change the code's snapshot.";
  return sql;
}

// A table column the recipe converts: to the type itself or its array (from the poll's column
// list), or to a domain or composite over it (from the dependents).
struct Conversion {
  std::string column;
  std::string type;  // SQL for the type it is converted to, by name
  std::optional<std::string> default_expr;
  // How the old value is read: text, or text[] for an array of the type itself (element by
  // element); a domain or composite reads its whole text form back.
  std::string through = "text";
};

// The name a type (the enum, or a domain or composite over it) steps aside to during the swap:
// within PostgreSQL's 63 bytes, cut on a character boundary.
std::string recipe_old_name(const std::string& name) {
  return utf8_prefix(name, 63 - kOldSuffix.size()) + std::string(kOldSuffix);
}

// What the recipe does with each dependent of the type, and with each column that uses it.
struct RecipeDependents {
  std::vector<const Dependent*> objects;        // dropped and re-created
  std::vector<const Dependent*> derived_types;  // domains and composites, recreated over it
  std::vector<const Dependent*> blockers;       // PostgreSQL cannot swap the type under these
  // One ALTER TABLE per table, so each table is rewritten once.
  std::map<std::pair<std::string, std::string>, std::vector<Conversion>> by_table;
  // Columns typed by a domain over the type when the dependents were not read: only named.
  std::vector<std::string> domain_columns;
  // Copies of objects and derived_types with the renamed labels, which those two then point at
  // (so a copy of the whole would point into the original).
  std::vector<Dependent> relabeled;

  RecipeDependents() = default;
  RecipeDependents(const RecipeDependents&) = delete;
  RecipeDependents& operator=(const RecipeDependents&) = delete;
};

void classify_recipe_dependents(const RecreatePlan& plan, RecipeDependents& deps) {
  if (!plan.dependents) return;
  for (const auto& d : plan.dependents->objects) {
    switch (d.kind) {
      case Kind::unsupported:
        deps.blockers.push_back(&d);
        break;
      case Kind::domain:
      case Kind::composite:
        deps.derived_types.push_back(&d);
        break;
      case Kind::column:
        if (d.convert_to) {
          deps.by_table[{d.schema, d.name}].push_back(
              {d.column, deparsed(*d.convert_to), d.convert_default});
        }
        break;
      case Kind::inherited:
        break;
      default:
        deps.objects.push_back(&d);
    }
  }
}

// Definitions were printed before the renames the script runs first: they get the new spellings.
void relabel_recipe_dependents(const RecreatePlan& plan, RecipeDependents& deps) {
  // Reserved whole, so that the pointers into it stay valid.
  deps.relabeled.reserve(deps.objects.size() + deps.derived_types.size());
  for (auto* list : {&deps.objects, &deps.derived_types}) {
    for (auto*& d : *list) {
      deps.relabeled.push_back(*d);
      std::string& definition = deps.relabeled.back().definition;
      definition = d->kind == Kind::policy      ? relabeled_policy(d->definition, plan.renamed)
                   : d->kind == Kind::domain    ? relabeled_domain(d->definition, plan.renamed)
                   : d->kind == Kind::composite ? d->definition
                                                : relabeled(d->definition, plan.renamed);
      d = &deps.relabeled.back();
    }
  }
}

// The recipe re-creates the shallowest first and drops the deepest first.
void order_recipe_dependents(RecipeDependents& deps) {
  auto by_depth = [](const auto* a, const auto* b) { return a->depth < b->depth; };
  std::stable_sort(deps.objects.begin(), deps.objects.end(), by_depth);
  std::stable_sort(deps.derived_types.begin(), deps.derived_types.end(), by_depth);
}

// The poll's columns of the type itself or its array, after those the dependents convert.
void add_recipe_column_conversions(const RecreatePlan& plan, RecipeDependents& deps) {
  const std::string quoted = quote_type(plan.type);
  for (const auto& c : plan.columns) {
    if (c.via == ColumnUse::Via::domain) {
      // Converted from the dependents, which name the domain; without them, only named here.
      if (!plan.dependents) deps.domain_columns.push_back(c.display());
      continue;
    }
    const std::string suffix = c.via == ColumnUse::Via::array ? "[]" : "";
    deps.by_table[{c.schema, c.table}].push_back(
        {c.column, quoted + suffix, c.default_expr, "text" + suffix});
  }
}

std::string recipe_rewritten_tables_comment(const RecreatePlan& plan,
                                            const RecipeDependents& deps) {
  if (deps.by_table.empty()) return "-- No table column uses it: no table is rewritten.\n";
  std::vector<std::string> names;
  for (const auto& [table, cols] : deps.by_table) {
    std::string name = qualified(table.first, table.second);
    if (plan.dependents) {
      for (const auto& t : plan.dependents->tables) {
        if (t.schema == table.first && t.table == table.second) {
          name += " (" + human_size(t.bytes) + ", ~" + std::to_string(t.rows) + " rows)";
        }
      }
    }
    names.push_back(name);
  }
  return "-- Rewrites under an ACCESS EXCLUSIVE lock (with their partitions and children): " +
         sql_comment(join(names, ", ")) + ".\n";
}

// The tables and views a dropped dependent locks besides the rewritten tables.
std::string recipe_locked_objects_comment(const RecipeDependents& deps) {
  std::set<std::string> locked;
  for (const auto* d : deps.objects) {
    if (!d->table.empty()) locked.insert(qualified(d->table_schema, d->table));
    if (d->kind == Kind::view || d->kind == Kind::materialized_view)
      locked.insert(qualified(d->schema, d->name));
  }
  for (const auto& [table, cols] : deps.by_table)
    locked.erase(qualified(table.first, table.second));
  if (locked.empty()) return "";
  return "-- Also locked ACCESS EXCLUSIVE until COMMIT (dependents dropped and re-created): " +
         sql_comment(join(std::vector<std::string>(locked.begin(), locked.end()), ", ")) + ".\n";
}

std::string recipe_dependents_comment(const RecreatePlan& plan, const RecipeDependents& deps) {
  if (!plan.dependents) {
    return "-- The objects that depend on the type were not read: views, indexes or constraints "
           "that use it make this fail (and change nothing).\n";
  }
  std::string sql;
  if (!deps.derived_types.empty()) {
    std::vector<std::string> names;
    for (const auto* d : deps.derived_types) names.push_back(describe(*d));
    sql +=
        "-- Recreated over the new type under their own names, with their defaults, "
        "constraints, owners, grants and comments, their columns converted: " +
        sql_comment(join(names, ", ")) + ".\n";
  }
  if (!deps.objects.empty()) {
    std::vector<std::string> names;
    for (const auto* d : deps.objects) names.push_back(describe(*d));
    sql += "-- Dropped and re-created from their own definitions, in dependency order: " +
           sql_comment(join(names, ", ")) + ".\n";
  }
  if (!deps.objects.empty() || !deps.derived_types.empty()) {
    sql +=
        "-- Before COMMIT a self-check compares every dependent with what it was and rolls "
        "back if one is missing or changed.\n";
  }
  return sql;
}

// What makes the transaction fail for certain, said before it is run: a definition that names a
// dropped value, a column whose domain is not converted.
std::string recipe_failure_warnings(const RecreatePlan& plan, const RecipeDependents& deps) {
  std::string sql;
  for (const auto* list : {&deps.derived_types, &deps.objects}) {
    for (const auto* d : *list) {
      for (const auto& v : plan.dropped) {
        if (d->definition.find(quote_literal(v) + "::") == std::string::npos) continue;
        sql += "-- " + sql_comment(describe(*d)) + " names " + sql_comment(quote_literal(v)) +
               ", which the snapshot drops: the transaction fails when it is re-created, "
               "changing nothing. Change or drop it first.\n";
      }
    }
  }
  if (!deps.domain_columns.empty()) {
    sql += "-- Columns typed by a domain over it (" + sql_comment(join(deps.domain_columns, ", ")) +
           ") cannot be converted without reading the domain: until then DROP TYPE fails.\n";
  }
  return sql;
}

// The comments that open the recipe: what it rewrites and locks, and how it can fail.
std::string recipe_comments(const RecreatePlan& plan, const RecipeDependents& deps) {
  std::string sql = "-- Recreate " + sql_comment(quote_type(plan.type)) +
                    " with the snapshot's values, in the snapshot's order, in one transaction.\n";
  sql += recipe_rewritten_tables_comment(plan, deps);
  sql += recipe_locked_objects_comment(deps);
  sql += "-- lock_timeout " + std::to_string(plan.lock_timeout.count()) +
         "ms: rather than wait behind a long transaction (and make every query on these tables "
         "wait behind it), it fails and changes nothing; run it again at a quieter moment.\n";
  sql += "-- Fails and changes nothing while any row still holds a value that is dropped.\n";
  sql += recipe_dependents_comment(plan, deps);
  return sql + recipe_failure_warnings(plan, deps);
}

// The old type and its domains and composites step aside under their old names; the new ones
// take the names. Their columns keep the old ones until converted.
std::string recipe_type_swap_sql(const RecreatePlan& plan, const RecipeDependents& deps) {
  std::string sql = "ALTER TYPE " + quote_type(plan.type) + " RENAME TO " +
                    quote_ident(recipe_old_name(plan.type.name)) + ";\n";
  for (const auto* d : deps.derived_types) {
    sql += "ALTER " + ref_of(*d).keyword + " " + ref_of(*d).name + " RENAME TO " +
           quote_ident(recipe_old_name(d->name)) + ";\n";
  }
  sql += create_type_sql(EnumType{plan.type, plan.values}) + "\n";
  for (const auto* d : deps.derived_types) sql += create_sql(*d);
  return sql;
}

std::string recipe_column_conversions_sql(const RecreatePlan& plan, const RecipeDependents& deps) {
  std::string sql;
  for (const auto& [table, conversions] : deps.by_table) {
    const std::string quoted_table = qualified(table.first, table.second);
    std::vector<std::string> drops, converts, defaults;
    for (const auto& c : conversions) {
      const std::string col = quote_ident(c.column);
      if (c.default_expr) {
        drops.push_back("ALTER COLUMN " + col + " DROP DEFAULT");
        // The default was printed against the old type's name, which the new type now holds.
        defaults.push_back("ALTER COLUMN " + col + " SET DEFAULT " +
                           deparsed(relabeled(*c.default_expr, plan.renamed)));
      }
      // Through text: the old and new types share no cast, and text is how each reads a value.
      converts.push_back("ALTER COLUMN " + col + " TYPE " + c.type + " USING " + col +
                         "::" + c.through + "::" + c.type);
    }
    if (!drops.empty()) sql += "ALTER TABLE " + quoted_table + " " + join(drops, ", ") + ";\n";
    sql += "ALTER TABLE " + quoted_table + " " + join(converts, ", ") + ";\n";
    if (!defaults.empty())
      sql += "ALTER TABLE " + quoted_table + " " + join(defaults, ", ") + ";\n";
  }
  return sql;
}

// Every dropped dependent again, shallowest first; materialized views filled once all are back.
std::string recipe_recreated_objects_sql(const RecipeDependents& deps) {
  std::string sql;
  for (const auto* d : deps.objects) sql += create_sql(*d);
  for (const auto* d : deps.objects) {
    if (d->kind == Kind::materialized_view && d->populated)
      sql += "REFRESH MATERIALIZED VIEW " + ref_of(*d).name + ";\n";
  }
  return sql;
}

// The old domains and composites (the outermost first), then the old type.
std::string recipe_old_types_drop_sql(const RecreatePlan& plan, const RecipeDependents& deps) {
  std::string sql;
  for (auto it = deps.derived_types.rbegin(); it != deps.derived_types.rend(); ++it) {
    sql += "DROP " + ref_of(**it).keyword + " " + quote_ident((*it)->schema) + "." +
           quote_ident(recipe_old_name((*it)->name)) + ";\n";
  }
  return sql + "DROP TYPE " + quote_ident(plan.type.schema) + '.' +
         quote_ident(recipe_old_name(plan.type.name)) + ";\n";
}

// A temporary table of the dependents as they are now, by the self-check's own query.
std::string recipe_dependents_record_sql(const RecreatePlan& plan, std::string_view table) {
  return "CREATE TEMP TABLE " + std::string(table) +
         " ON COMMIT DROP AS\n"
         "  SELECT * FROM pg_temp.enumwatch_dependents(" +
         quote_literal(plan.type.schema) + ", " + quote_literal(plan.type.name) + ");\n";
}

// The one transaction of docs/remediation.md, "What enumwatch does".
std::string recipe_transaction_sql(const RecreatePlan& plan, const RecipeDependents& deps) {
  const bool self_check = !deps.objects.empty() || !deps.derived_types.empty();
  std::string sql = "BEGIN;\n";
  sql += "SET LOCAL lock_timeout = '" + std::to_string(plan.lock_timeout.count()) + "ms';\n";
  if (self_check) {
    sql += dependents_function_sql();
    sql += recipe_dependents_record_sql(plan, "enumwatch_before");
    for (auto it = deps.objects.rbegin(); it != deps.objects.rend(); ++it) sql += drop_sql(**it);
  }
  sql += recipe_type_swap_sql(plan, deps);
  sql += recipe_column_conversions_sql(plan, deps);
  sql += recipe_recreated_objects_sql(deps);
  sql += recipe_old_types_drop_sql(plan, deps);
  if (self_check) {
    sql += recipe_dependents_record_sql(plan, "enumwatch_after");
    sql += kSelfCheck;
  }
  return sql + "COMMIT;";
}

std::string recipe_sql(const RecreatePlan& plan) {
  RecipeDependents deps;
  classify_recipe_dependents(plan, deps);
  // Before any definition is read: a blocker stops the recipe whatever the definitions hold.
  if (!deps.blockers.empty()) return refusal_sql(plan, deps.blockers);
  relabel_recipe_dependents(plan, deps);
  order_recipe_dependents(deps);
  add_recipe_column_conversions(plan, deps);
  const std::string comments = recipe_comments(plan, deps);
  return comments + recipe_transaction_sql(plan, deps);
}

}  // namespace

namespace {

// The comment that says which conjuncts of the old constraint a swap keeps.
std::string kept_comment(const std::vector<std::string>& conjuncts) {
  if (conjuncts.empty()) return "";
  std::vector<std::string> kept;
  for (const auto& k : conjuncts) kept.push_back("(" + deparsed(k) + ")");
  return "-- Kept from the old constraint, unchanged: " + sql_comment(join(kept, " AND ")) + ".\n";
}

// A domain's CHECK: ALTER DOMAIN ... ADD CONSTRAINT scans every column of the domain under a
// SHARE lock on its table (reads go on, writes wait) and fails, changing nothing, while a row
// holds a value the snapshot drops; so one transaction does it all, and no pre-check is needed.
// NOT VALID and a later VALIDATE would not shorten the lock: VALIDATE on a domain takes the
// same SHARE lock.
std::string domain_check_swap_sql(const CheckSwapPlan& plan, const std::string& condition,
                                  const std::string& final_name, const std::string& temporary,
                                  const std::string& lock) {
  const std::string domain = quote_type(*plan.domain);
  // Names no column: every column of the domain has this same recipe, which a script runs once.
  std::string sql = "-- Domain " + sql_comment(domain) + ": its CHECK allows exactly the " +
                    std::to_string(plan.wanted.values.size()) +
                    " value(s) of the snapshot, in every column typed by it.\n";
  sql +=
      "-- ADD CONSTRAINT checks each column of the domain under a SHARE lock on its table "
      "(reads go on, writes wait); while a row holds a value the snapshot drops, it fails "
      "and changes nothing.\n";
  sql += kept_comment(plan.kept);
  sql += "BEGIN;\n" + lock;
  sql += "ALTER DOMAIN " + domain + " ADD CONSTRAINT " + quote_ident(temporary) + " CHECK (" +
         condition + ");\n";
  for (const auto& old : plan.old_constraints)
    sql += "ALTER DOMAIN " + domain + " DROP CONSTRAINT " + quote_ident(old) + ";\n";
  if (temporary != final_name)
    sql += "ALTER DOMAIN " + domain + " RENAME CONSTRAINT " + quote_ident(temporary) + " TO " +
           quote_ident(final_name) + ";\n";
  return sql + "COMMIT;";
}

}  // namespace

std::string check_swap_sql(const CheckSwapPlan& plan) {
  const CheckColumn& c = plan.wanted;
  const std::string table = qualified(c.schema, c.table);
  const std::string column = quote_ident(c.column);
  std::vector<std::string> literals;
  for (const auto& v : c.values) literals.push_back(quote_literal(v));
  const std::string allowed = "ARRAY[" + join(literals, ", ") + "]::text[]";
  // The name it ends with: the old constraint's (migrations refer to it), else PostgreSQL's own
  // choice for a column CHECK. The new one lives under a temporary name until the old is gone.
  const std::string final_name = plan.old_constraints.empty()
                                     ? utf8_prefix(c.table + "_" + c.column, 57) + "_check"
                                     : plan.old_constraints.front();
  const std::string temporary =
      plan.old_constraints.empty() ? final_name : utf8_prefix(final_name, 49) + "_enumwatch_new";
  const std::string lock =
      "SET LOCAL lock_timeout = '" + std::to_string(plan.lock_timeout.count()) + "ms';\n";
  if (plan.refusal) {
    return "-- enumwatch cannot rewrite the CHECK on " + sql_comment(c.display()) +
           " to allow exactly the snapshot's values, and writes no SQL for it: " +
           sql_comment(*plan.refusal) +
           ".\n-- A rewritten list would silently drop what the OR allows besides its values. "
           "Nothing here changes the database: change the constraint by hand (see "
           "docs/check-enums.md), or keep the database's values and change the code's snapshot.";
  }
  // What the old constraints require besides the list stays required (docs/check-enums.md):
  // without it, `c IS NOT NULL` would quietly stop rejecting NULL.
  std::string condition = (plan.domain ? "VALUE" : column) + "::text = ANY (" + allowed + ")";
  for (const auto& kept : plan.kept) condition += " AND (" + deparsed(kept) + ")";
  if (plan.domain) return domain_check_swap_sql(plan, condition, final_name, temporary, lock);

  std::string sql = "-- " + sql_comment(c.display()) + ": CHECK allows exactly the snapshot's " +
                    std::to_string(c.values.size()) + " value(s).\n";
  sql += "-- Step 1 holds ACCESS EXCLUSIVE on " + sql_comment(table) +
         " only while adding the constraint NOT VALID; step 2 scans the table under SHARE UPDATE "
         "EXCLUSIVE (reads and writes go on).\n";
  sql +=
      "-- No row is changed: while rows hold a value the snapshot drops, step 1 fails and "
      "changes nothing.\n";
  sql += kept_comment(plan.kept);
  const std::string body = "BEGIN\n  IF EXISTS (SELECT 1 FROM " + table + " WHERE " + column +
                           " IS NOT NULL AND " + column + "::text <> ALL (" + allowed +
                           ")) THEN\n    RAISE EXCEPTION USING MESSAGE = " +
                           quote_literal("enumwatch: rows of " + c.display() +
                                         " hold a value the snapshot drops; nothing was changed") +
                           ", ERRCODE = 'check_violation';\n  END IF;\nEND\n";
  const std::string tag = dollar_tag("enumwatch_rows", body);
  sql += "BEGIN;\n" + lock + "DO " + tag + "\n" + body + tag + ";\n";
  sql += "ALTER TABLE " + table + " ADD CONSTRAINT " + quote_ident(temporary) + " CHECK (" +
         condition + ") NOT VALID;\nCOMMIT;\n";
  sql += "BEGIN;\n" + lock;
  sql += "ALTER TABLE " + table + " VALIDATE CONSTRAINT " + quote_ident(temporary) + ";\n";
  for (const auto& old : plan.old_constraints)
    sql += "ALTER TABLE " + table + " DROP CONSTRAINT " + quote_ident(old) + ";\n";
  if (temporary != final_name)
    sql += "ALTER TABLE " + table + " RENAME CONSTRAINT " + quote_ident(temporary) + " TO " +
           quote_ident(final_name) + ";\n";
  sql += "COMMIT;";
  return sql;
}

std::string set_default_sql(const std::string& schema, const std::string& table,
                            const std::string& column, std::string_view value) {
  return "ALTER TABLE " + qualified(schema, table) + " ALTER COLUMN " + quote_ident(column) +
         " SET DEFAULT " + quote_literal(value) + ";";
}

std::string set_domain_default_sql(const TypeName& domain, std::string_view value) {
  return "ALTER DOMAIN " + quote_type(domain) + " SET DEFAULT " + quote_literal(value) + ";";
}

std::string recreate_type_sql(const RecreatePlan& plan) {
  try {
    return recipe_sql(plan);
  } catch (const Error& e) {
    // A definition the lexer cannot follow: say so rather than guess (or fail the poll).
    return "-- enumwatch cannot write the recipe for " + sql_comment(quote_type(plan.type)) + ": " +
           sql_comment(e.what()) + ".\n-- Nothing here changes the database.";
  }
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
          DriftKind::order_mismatch, DriftKind::missing_value, DriftKind::unexpected_type,
          DriftKind::default_mismatch}) {
      if (recreate && kind == DriftKind::missing_value) continue;  // the recreated type has them
      for (const auto* i : list) {
        if (i->kind == kind) emit(i->remediation_sql);
      }
    }
  }
  return out;
}

std::string oversized_recipe_notice(std::string_view enum_name, std::size_t bytes,
                                    std::size_t max_bytes) {
  return "-- The recipe for " + sql_comment(enum_name) + " is over " +
         std::to_string(bytes / 1024) +
         " KiB (it embeds the definitions it must re-create), more than the daemon serves (" +
         std::to_string(max_bytes / 1024) +
         " KiB): run `enumwatch diff --format sql` against this database to print it whole.";
}

void bound_remediation(std::span<DriftItem> items, std::size_t max_bytes) {
  for (auto& item : items) {
    if (!item.remediation_sql || item.remediation_sql->size() <= max_bytes) continue;
    item.remediation_sql =
        oversized_recipe_notice(item.enum_name, item.remediation_sql->size(), max_bytes);
  }
}

}  // namespace enumwatch
