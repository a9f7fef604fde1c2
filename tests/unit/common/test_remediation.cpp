#include <doctest/doctest.h>

#include "enumwatch/diff.hpp"
#include "enumwatch/remediation.hpp"

using namespace enumwatch;

TEST_CASE("identifiers are always double-quoted with embedded quotes doubled") {
  CHECK(quote_ident("order_status") == "\"order_status\"");
  CHECK(quote_ident("Mixed Case") == "\"Mixed Case\"");
  CHECK(quote_ident("we\"ird") == "\"we\"\"ird\"");
  CHECK(quote_type({"my schema", "Type"}) == "\"my schema\".\"Type\"");
}

TEST_CASE("literals double single quotes and use E'' only when a backslash needs it") {
  CHECK(quote_literal("paid") == "'paid'");
  CHECK(quote_literal("it's") == "'it''s'");
  CHECK(quote_literal("a\\b") == "E'a\\\\b'");
  CHECK(quote_literal("Ünï cödé") == "'Ünï cödé'");
}

TEST_CASE("RENAME VALUE and ADD VALUE statements quote both sides") {
  CHECK(rename_value_sql({"public", "s"}, "it's", "It's") ==
        R"(ALTER TYPE "public"."s" RENAME VALUE 'it''s' TO 'It''s';)");
  CHECK(add_value_sql({"public", "s"}, "v", {}) ==
        R"(ALTER TYPE "public"."s" ADD VALUE IF NOT EXISTS 'v';)");
  CHECK(add_value_sql({"public", "s"}, "v", {Placement::Kind::after, "u"}) ==
        R"(ALTER TYPE "public"."s" ADD VALUE IF NOT EXISTS 'v' AFTER 'u';)");
}

TEST_CASE(
    "the recreate recipe converts direct and array columns with their defaults in one "
    "transaction") {
  std::vector<ColumnUse> columns{
      {"public", "orders", "status", ColumnUse::Via::direct, "'paid'::public.order_status"},
      {"public", "orders", "history", ColumnUse::Via::array, std::nullopt},
      {"sales", "Refunds", "state", ColumnUse::Via::direct, std::nullopt},
  };
  std::string sql = recreate_type_sql({"public", "order_status"}, {"paid", "refunded"}, columns);
  CHECK(sql.find("BEGIN;\n") != std::string::npos);
  CHECK(sql.find(
            "ALTER TYPE \"public\".\"order_status\" RENAME TO \"order_status_enumwatch_old\";") !=
        std::string::npos);
  CHECK(sql.find("CREATE TYPE \"public\".\"order_status\" AS ENUM ('paid', 'refunded');") !=
        std::string::npos);
  CHECK(sql.find("ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"status\" DROP DEFAULT;") !=
        std::string::npos);
  // Both columns of one table are converted by one ALTER TABLE: one rewrite.
  CHECK(sql.find("ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"status\" TYPE "
                 "\"public\".\"order_status\" USING "
                 "\"status\"::text::\"public\".\"order_status\", ALTER COLUMN \"history\" TYPE "
                 "\"public\".\"order_status\"[] USING "
                 "\"history\"::text[]::\"public\".\"order_status\"[];") != std::string::npos);
  CHECK(sql.find("SET DEFAULT 'paid'::public.order_status;") != std::string::npos);
  CHECK(sql.find("\"sales\".\"Refunds\"") != std::string::npos);
  CHECK(sql.find("DROP TYPE \"public\".\"order_status_enumwatch_old\";\nCOMMIT;") !=
        std::string::npos);
  CHECK(sql.find("-- Rewrites under an ACCESS EXCLUSIVE lock") != std::string::npos);
  // Defaults are dropped before the conversion and restored after it.
  CHECK(sql.find("DROP DEFAULT") < sql.find("USING"));
  CHECK(sql.find("USING") < sql.find("SET DEFAULT"));
}

TEST_CASE("the temporary old-type name stays within 63 bytes without splitting a character") {
  std::string name;
  for (int i = 0; i < 21; ++i) name += "\xC3\xA9";  // 42 bytes of é
  name += std::string(21, 'n');                     // 63 bytes in all
  std::string sql = recreate_type_sql({"public", name}, {"a"}, {});
  auto start = sql.find("RENAME TO \"") + 11;
  auto end = sql.find('"', start);
  std::string old_name = sql.substr(start, end - start);
  CHECK(old_name.size() <= 63);
  CHECK(old_name.ends_with("_enumwatch_old"));
  CHECK(sql.find("No table column uses it") != std::string::npos);
}

TEST_CASE("columns typed by a domain are named as blockers rather than silently skipped") {
  std::vector<ColumnUse> columns{{"public", "t", "c", ColumnUse::Via::domain, std::nullopt}};
  std::string sql = recreate_type_sql({"public", "s"}, {"a"}, columns);
  CHECK(sql.find("domain over it (public.t.c)") != std::string::npos);
  CHECK(sql.find("ALTER TABLE") == std::string::npos);
}

TEST_CASE("the script renames first, then recreates or adds, per enum, each statement once") {
  Snapshot snapshot;
  snapshot.enums = {{{"public", "a"}, {"PendingPayment", "new", "paid"}},
                    {{"public", "b"}, {"x", "y"}}};
  DatabaseState db;
  db.catalog.enums = {{{"public", "a"}, {"pending_payment", "paid"}},
                      {{"public", "b"}, {"y", "x", "gone"}}};
  std::vector<NamedSnapshot> snaps{{"app", std::make_shared<Snapshot>(snapshot)}};
  auto items = diff("t", snaps, db, DiffOptions{});
  std::string script = remediation_script(items);
  auto rename = script.find("RENAME VALUE 'pending_payment' TO 'PendingPayment'");
  auto add = script.find("ADD VALUE IF NOT EXISTS 'new' BEFORE 'paid'");
  REQUIRE(rename != std::string::npos);
  REQUIRE(add != std::string::npos);
  CHECK(rename < add);
  // b needs one recreate although two items (unexpected value, order) carry it.
  auto first = script.find("CREATE TYPE \"public\".\"b\"");
  REQUIRE(first != std::string::npos);
  CHECK(script.find("CREATE TYPE \"public\".\"b\"", first + 1) == std::string::npos);
}
