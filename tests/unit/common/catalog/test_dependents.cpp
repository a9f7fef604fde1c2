#include <doctest/doctest.h>

#include "enumwatch/catalog/dependents.hpp"
#include "enumwatch/core/error.hpp"

using namespace enumwatch;

namespace {
Row row(std::initializer_list<std::optional<std::string>> fields) {
  return Row(fields);
}
}  // namespace

TEST_CASE("the dependents query takes the type's schema and name and keeps definitions whole") {
  const std::string_view sql = dependents_sql();
  CHECK(sql.find("n.nspname = $1 AND t.typname = $2") != std::string_view::npos);
  CHECK(sql.find("pg_get_viewdef") != std::string_view::npos);
  CHECK(sql.find("pg_get_functiondef") != std::string_view::npos);
  CHECK(sql.find("partattrs") != std::string_view::npos);  // a partition key is refused
  // Domains and composites over the type are read with it (recreated, not refused).
  CHECK(sql.find("typtype = 'd'") != std::string_view::npos);
  CHECK(sql.find("relkind = 'c'") != std::string_view::npos);
}

TEST_CASE("rows decode into dependents and rewritten tables") {
  const Rows rows{row({"0",          "table",      "public",     "orders",     std::nullopt,
                       std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                       std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                       "8192",       "12",         std::nullopt, std::nullopt, std::nullopt}),
                  row({"2",          "materialized_view",
                       "public",     "counts",
                       std::nullopt, std::nullopt,
                       std::nullopt, " SELECT 1;",
                       std::nullopt, "owner",
                       "[]",         "a comment",
                       "false",      "fillfactor=70",
                       std::nullopt, std::nullopt,
                       std::nullopt, R"({"n":"how many"})",
                       std::nullopt, std::nullopt}),
                  row({"1",
                       "column",
                       "public",
                       "uses",
                       std::nullopt,
                       std::nullopt,
                       "d",
                       "public.status_domain DEFAULT 'new'::public.status",
                       std::nullopt,
                       std::nullopt,
                       std::nullopt,
                       std::nullopt,
                       std::nullopt,
                       std::nullopt,
                       std::nullopt,
                       std::nullopt,
                       std::nullopt,
                       std::nullopt,
                       "public.status_domain",
                       "'new'::public.status"}),
                  row({"1",          "something_new", std::nullopt, std::nullopt, std::nullopt,
                       std::nullopt, std::nullopt,    std::nullopt, std::nullopt, std::nullopt,
                       std::nullopt, std::nullopt,    std::nullopt, std::nullopt, std::nullopt,
                       std::nullopt, std::nullopt,    std::nullopt, std::nullopt, std::nullopt})};
  const TypeDependents deps = decode_dependents(rows);
  REQUIRE(deps.tables.size() == 1);
  CHECK(deps.tables[0] == RewrittenTable{"public", "orders", 8192, 12});
  REQUIRE(deps.objects.size() == 3);
  const Dependent& view = deps.objects[0];
  CHECK(view.kind == Dependent::Kind::materialized_view);
  CHECK(view.depth == 2);
  CHECK(view.definition == " SELECT 1;");
  CHECK(view.owner == "owner");
  CHECK_FALSE(view.populated);
  CHECK(view.options == "fillfactor=70");
  CHECK(view.column_comments == R"({"n":"how many"})");
  // A column of a domain over the type: what the recipe converts it to, and its default.
  CHECK(deps.objects[1].kind == Dependent::Kind::column);
  CHECK(deps.objects[1].convert_to == "public.status_domain");
  CHECK(deps.objects[1].convert_default == "'new'::public.status");
  // A kind this version does not know stops the recipe rather than being skipped.
  CHECK(deps.objects[2].kind == Dependent::Kind::unsupported);
  CHECK(deps.objects[2].why == "a something_new depends on it");
}

TEST_CASE("rows of the wrong shape are an error") {
  CHECK_THROWS_AS((void)decode_dependents(Rows{row({"1", "view"})}), Error);
  Row bad_number(20, std::nullopt);
  bad_number[0] = "x";
  bad_number[1] = "view";
  CHECK_THROWS_AS((void)decode_dependents(Rows{bad_number}), Error);
}
