#include <doctest/doctest.h>

#include "enumwatch/catalog/catalog_query.hpp"
#include "enumwatch/core/error.hpp"

using namespace enumwatch;

namespace {
Row row(std::initializer_list<std::optional<std::string>> fields) {
  return Row(fields);
}
}  // namespace

TEST_CASE("the catalog SQL binds its schema filters and excludes system and extension types") {
  std::string_view sql = enum_types_sql();
  CHECK(sql.find("$1::text[]") != std::string_view::npos);
  CHECK(sql.find("$2::text[]") != std::string_view::npos);
  CHECK(sql.find("deptype = 'e'") != std::string_view::npos);
  CHECK(sql.find("enumsortorder") != std::string_view::npos);
  CHECK(sql.find("format_type") == std::string_view::npos);
  CHECK(column_usage_sql().find("typarray") != std::string_view::npos);
  CHECK(column_usage_sql().find("typbasetype") != std::string_view::npos);
}

TEST_CASE("rows decode into enums sorted by schema and name with values in database order") {
  Rows enums{row({"public", "z", "b"}), row({"public", "z", "a"}), row({"app", "y", "1"}),
             row({"public", "ignored_tmp", "x"})};
  Rows usage{row({"public", "z", "public", "orders", "status", "direct", "'b'::public.z"}),
             row({"public", "z", "public", "orders", "hist", "array", std::nullopt}),
             row({"app", "y", "app", "t", "c", "domain", std::nullopt})};
  Scope scope;
  scope.ignore = {"*_tmp"};
  Catalog c = decode_catalog(enums, usage, scope);
  REQUIRE(c.enums.size() == 2);
  CHECK(c.enums[0].type == TypeName{"app", "y"});
  CHECK(c.enums[1].values == std::vector<std::string>{"b", "a"});
  const auto& uses = c.uses_of({"public", "z"});
  REQUIRE(uses.size() == 2);
  CHECK(uses[0].default_expr == "'b'::public.z");
  CHECK(uses[1].via == ColumnUse::Via::array);
  CHECK(c.uses_of({"app", "y"})[0].via == ColumnUse::Via::domain);
  CHECK(c.uses_of({"public", "nothing"}).empty());
}

TEST_CASE("a domain's default decodes with its column, and two reads of it compare equal") {
  Rows enums{row({"public", "z", "a"})};
  const auto usage_with = [](std::string expr) {
    return Rows{row({"public", "z", "app", "t", "c", "domain", std::nullopt, "app", "z_domain",
                     std::move(expr)}),
                row({"public", "z", "app", "t", "d", "direct", std::nullopt})};
  };
  const Catalog first = decode_catalog(enums, usage_with("'a'::public.z"), Scope{});
  const Catalog again = decode_catalog(enums, usage_with("'a'::public.z"), Scope{});
  const Catalog other = decode_catalog(enums, usage_with("'b'::public.z"), Scope{});
  const auto& uses = first.uses_of({"public", "z"});
  REQUIRE(uses.size() == 2);
  REQUIRE(uses[0].domain_default);
  CHECK(uses[0].domain_default->domain == TypeName{"app", "z_domain"});
  CHECK(uses[0].domain_default->expr == "'a'::public.z");
  CHECK_FALSE(uses[1].domain_default);
  // Each read has its own box: equal by what is in it.
  CHECK(uses == again.uses_of({"public", "z"}));
  CHECK_FALSE(uses[0] == other.uses_of({"public", "z"})[0]);
  ColumnUse without = uses[0];
  without.domain_default.reset();
  CHECK_FALSE(uses[0] == without);
  CHECK_FALSE(without == uses[0]);
}

TEST_CASE("rows of the wrong shape are an error, not a crash") {
  CHECK_THROWS((void)decode_catalog(Rows{row({"public", std::nullopt, "a"})}, {}, Scope{}));
}

TEST_CASE("the migration query quotes the table and schema, and reads it without a cast") {
  CHECK(quote_migration_table("alembic_version") == "\"alembic_version\"");
  CHECK(quote_migration_table("app.Alembic Version") == "\"app\".\"Alembic Version\"");
  CHECK_FALSE(migration_table_qualified("alembic_version"));
  CHECK(migration_table_qualified("app.alembic_version"));
  const std::string alembic = migration_revision_sql(quote_migration_table("app.Alembic Version"));
  CHECK(alembic.find("FROM \"app\".\"Alembic Version\"") != std::string::npos);
  // The owner of a column's type could define a cast from it: values go through format's %s.
  for (MigrationTool tool :
       {MigrationTool::alembic, MigrationTool::flyway, MigrationTool::schema_migrations}) {
    const std::string sql = migration_revision_sql("\"t\"", tool);
    CAPTURE(sql);
    CHECK(sql.find("::") == std::string::npos);
    CHECK(sql.find("pg_catalog.format('%s', ") != std::string::npos);
  }
  // A name resolved through the role's search_path comes back quoted and qualified.
  CHECK(decode_resolved_relation(Rows{row({"we\"ird", "alembic_version"})}) ==
        "\"we\"\"ird\".\"alembic_version\"");
  CHECK(decode_resolved_relation(Rows{}) == std::nullopt);
  // It runs before the search_path is emptied: every name in it is qualified.
  const std::string resolve(resolve_relation_sql());
  CHECK(resolve.find(" = ") == std::string::npos);
  CHECK(resolve.find("OPERATOR(pg_catalog.=)") != std::string::npos);
  CHECK(decode_migration_revision(Rows{row({"abc123"})}) == "abc123");
  CHECK(decode_migration_revision(Rows{row({std::nullopt})}) == std::nullopt);
}

TEST_CASE("array parameters are PostgreSQL text arrays with quoting") {
  CHECK(pg_text_array({}) == "{}");
  CHECK(pg_text_array({"public", "we\"ird", "back\\slash", "a,b"}) ==
        R"({"public","we\"ird","back\\slash","a,b"})");
}

TEST_CASE("a type whose rows are not adjacent still decodes once, values in row order") {
  // Found by fuzz_catalog_rows: the decoder trusted the ORDER BY and produced a type twice.
  Rows enums{row({"public", "e", "a"}), row({"public", "f", "x"}), row({"public", "e", "b"})};
  Catalog c = decode_catalog(enums, {}, Scope{});
  REQUIRE(c.enums.size() == 2);
  CHECK(c.enums[0].type.name == "e");
  CHECK(c.enums[0].values == std::vector<std::string>{"a", "b"});
}

TEST_CASE("CHECK rows become check enums: membership only, the constrained column, in scope") {
  Rows rows{
      {"public", "orders", "channel", "character varying(10)", "a_check",
       "CHECK (((channel)::text = ANY ((ARRAY['web'::character varying, 'fax'::character "
       "varying])::text[])))",
       "'web'::character varying"},
      {"public", "orders", "channel", "character varying(10)", "b_check",
       "CHECK (((channel)::text = ANY ((ARRAY['web'::character varying])::text[])))", std::nullopt},
      {"public", "orders", "note", "text", "len", "CHECK ((length(note) < 5))", std::nullopt},
      // A CHECK on one column that names another (a renamed column's leftover text cannot be):
      {"public", "orders", "kind", "text", "odd", "CHECK ((other = 'x'::text))", std::nullopt},
      {"audit", "log", "kind", "text", "k", "CHECK ((kind = 'x'::text))", std::nullopt},
  };
  Scope scope;
  scope.exclude_schemas = {"audit"};
  const auto checks = decode_checks(rows, scope);
  REQUIRE(checks.size() == 1);
  CHECK(checks[0].display() == "public.orders.channel");
  CHECK(checks[0].values == std::vector<std::string>{"web"});  // both constraints apply
  CHECK(checks[0].constraints == std::vector<std::string>{"a_check", "b_check"});
  CHECK(checks[0].default_expr == "'web'::character varying");
  CHECK(checks[0].column_type == "character varying(10)");
}

TEST_CASE("a domain's CHECK is a check enum of each column typed by it, naming the domain") {
  Rows rows{
      {"public", "orders", "channel", "public.chan", "chan_check",
       "CHECK (((VALUE)::text = ANY ((ARRAY['web'::character varying, 'fax'::character "
       "varying])::text[])))",
       "'fax'::character varying", "public", "chan"},
      {"public", "returns", "channel", "public.chan", "chan_check",
       "CHECK (((VALUE)::text = ANY ((ARRAY['web'::character varying, 'fax'::character "
       "varying])::text[])))",
       std::nullopt, "public", "chan"},
      // A column named like the column of a table CHECK is not the domain's VALUE.
      {"public", "odd", "value", "public.d2", "d2_check", "CHECK ((channel = 'x'::text))",
       std::nullopt, "public", "d2"},
      // Both the column and its domain list values: read (both apply), never rewritten.
      {"public", "both", "c", "public.chan", "col_check",
       "CHECK (((c)::text = ANY ((ARRAY['web'::character varying])::text[])))", std::nullopt,
       std::nullopt, std::nullopt},
      {"public", "both", "c", "public.chan", "chan_check",
       "CHECK (((VALUE)::text = ANY ((ARRAY['web'::character varying, 'fax'::character "
       "varying])::text[])))",
       std::nullopt, "public", "chan"},
  };
  const auto checks = decode_checks(rows, Scope{});
  REQUIRE(checks.size() == 3);
  CHECK(checks[0].display() == "public.both.c");
  CHECK(checks[0].values == std::vector<std::string>{"web"});
  CHECK(checks[0].unrewritable.has_value());
  CHECK(checks[1].display() == "public.orders.channel");
  CHECK(checks[1].values == std::vector<std::string>{"fax", "web"});
  CHECK(checks[1].domain == TypeName{"public", "chan"});
  CHECK(checks[1].constraints == std::vector<std::string>{"chan_check"});
  CHECK(checks[1].default_expr == "'fax'::character varying");
  CHECK_FALSE(checks[1].unrewritable.has_value());
  CHECK(checks[2].display() == "public.returns.channel");
  CHECK(checks[2].domain == TypeName{"public", "chan"});
  // The query reads domains over text-like types with the domain's default as a fallback.
  CHECK(check_constraints_sql().find("con.contypid = dt.oid") != std::string_view::npos);
  CHECK(check_constraints_sql().find("typdefaultbin") != std::string_view::npos);
}

TEST_CASE("each read carries its own SQL, its parameters and its decoder") {
  Scope scope;
  scope.schemas = {"app"};
  scope.exclude_schemas = {"audit"};
  const auto enums = enum_types_read(scope);
  CHECK(enums.sql == enum_types_sql());
  CHECK(enums.params == std::vector<std::string>{"{\"app\"}", "{\"audit\"}"});
  const Rows rows{{std::string("app"), std::string("status"), std::string("paid")}};
  CHECK(enums.decode(rows) == rows);
  CHECK(column_usage_read(scope).sql == column_usage_sql());
  CHECK(check_constraints_read(scope).sql == check_constraints_sql());
  const auto revision = migration_revision_read("\"v\"", MigrationTool::alembic);
  CHECK(revision.params.empty());
  CHECK(revision.decode({{std::string("r1")}}) == std::optional<std::string>("r1"));
  const auto resolve = resolve_relation_read("my \"table\"");
  CHECK(resolve.params == std::vector<std::string>{quote_migration_table("my \"table\"")});
}
