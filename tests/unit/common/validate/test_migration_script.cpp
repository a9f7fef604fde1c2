#include <doctest/doctest.h>

#include "enumwatch/core/error.hpp"
#include "enumwatch/validate/migration_script.hpp"

using namespace enumwatch;

TEST_CASE("statements are split by PostgreSQL's parser, each at the line of its first token") {
  const auto script = parse_migration("m.sql",
                                      "-- a comment; with a semicolon\n"
                                      "/* and ; another */\n"
                                      "ALTER TYPE public.\"o;s\" ADD VALUE 'a;b';\n"
                                      "\n"
                                      "  -- before the second\n"
                                      "  CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ "
                                      "LANGUAGE sql;\n"
                                      "UPDATE t SET x = 'y'");
  REQUIRE(script.statements.size() == 3);
  CHECK(script.statements[0].line == 3);
  CHECK(script.statements[0].sql == "ALTER TYPE public.\"o;s\" ADD VALUE 'a;b'");
  CHECK(script.statements[0].node == "AlterEnumStmt");
  CHECK(script.statements[0].added_value == "a;b");
  CHECK(script.statements[1].line == 6);
  CHECK(script.statements[1].sql.starts_with("CREATE FUNCTION f()"));
  CHECK(script.statements[1].sql.ends_with("LANGUAGE sql"));
  CHECK(script.statements[1].node == "CreateFunctionStmt");
  CHECK(script.statements[2].line == 7);
  CHECK(script.statements[2].sql == "UPDATE t SET x = 'y'");  // no ';' at the end of the text
  CHECK_FALSE(script.manages_transactions());
}

TEST_CASE("a renamed value is not an added one; transaction control is recognised") {
  const auto script = parse_migration("m.sql",
                                      "BEGIN;\nALTER TYPE s.t RENAME VALUE 'a' TO 'b';\n"
                                      "SAVEPOINT x;\nROLLBACK TO x;\nCOMMIT;\nSTART TRANSACTION;\n"
                                      "ABORT;\nEND;");
  REQUIRE(script.statements.size() == 8);
  CHECK(script.manages_transactions());
  CHECK(script.statements[0].control == TransactionControl::begin);
  CHECK_FALSE(script.statements[1].added_value);
  CHECK(script.statements[1].control == TransactionControl::none);
  CHECK(script.statements[2].control == TransactionControl::other);
  CHECK(script.statements[3].control == TransactionControl::other);  // ROLLBACK TO: a savepoint
  CHECK(script.statements[4].control == TransactionControl::commit);
  CHECK(script.statements[5].control == TransactionControl::begin);
  CHECK(script.statements[6].control == TransactionControl::rollback);
  CHECK(script.statements[7].control == TransactionControl::commit);
}

TEST_CASE("SQL that does not parse is an error naming file, line, column and the parser") {
  try {
    (void)parse_migration("dir/m.sql", "SELECT 1;\n-- é\nALTER TYPE x ADD VALU 'a';");
    FAIL("no error");
  } catch (const Error& e) {
    const std::string message = e.what();
    CHECK(message.starts_with("dir/m.sql:3:18: "));
    CHECK(message.find("syntax error at or near \"VALU\"") != std::string::npos);
  }
  CHECK_THROWS_AS((void)parse_migration("m.sql", std::string_view("SELECT 1;\0x", 11)), Error);
  CHECK_THROWS_AS((void)parse_migration("m.sql", "SELECT 'unterminated"), Error);
  // Bytes that are not UTF-8 inside a literal: PostgreSQL would refuse them; so does the reader,
  // naming where (the parser would have passed them on in its JSON).
  CHECK_THROWS_WITH_AS((void)parse_migration("m.sql", "SELECT 1;\nSELECT 'a\xff';"),
                       "m.sql:2:10: the migration is not valid UTF-8 here", Error);
  CHECK(parse_migration("m.sql", "-- only a comment\n").statements.empty());
  CHECK(parse_migration("m.sql", "").statements.empty());
}

TEST_CASE("a directory applies in its tool's order, without down, undo and other files") {
  CHECK(migration_order({"V10__c.sql", "V2__b.sql", "V1.1__a2.sql", "V1__a.sql", "U2__b.sql",
                         "R__views.sql", "README.md", "V3__x.sql.bak"}) ==
        std::vector<std::string>{"V1__a.sql", "V1.1__a2.sql", "V2__b.sql", "V10__c.sql"});
  CHECK(migration_order({"10_c.up.sql", "2_b.up.sql", "2_b.down.sql", "1_a.up.sql"}) ==
        std::vector<std::string>{"1_a.up.sql", "2_b.up.sql", "10_c.up.sql"});
  CHECK(migration_order({"b.sql", "a.sql", "001_x.sql"}) ==
        std::vector<std::string>{"001_x.sql", "a.sql", "b.sql"});
}

TEST_CASE("what a statement drops, renames and re-creates is read from the parse tree") {
  const auto script = parse_migration(
      "m.sql",
      "DROP VIEW open_orders, s.\"Big View\" CASCADE;\n"
      "ALTER TYPE public.order_status RENAME TO order_status_old;\n"
      "CREATE TYPE order_status AS ENUM ('a');\n"
      "ALTER TABLE ONLY s.t DROP COLUMN c, DROP CONSTRAINT k, ALTER COLUMN d DROP DEFAULT,\n"
      "  ALTER COLUMN e TYPE order_status USING e::text::order_status;\n"
      "DROP TYPE order_status_old;\n"
      "DROP TRIGGER tg ON s.t;\n"
      "DROP FUNCTION f(int);\n"
      "ALTER TYPE s.x ADD VALUE 'b';\n"
      "DROP SCHEMA gone CASCADE;\n"
      "ALTER TABLE t ALTER COLUMN d SET DEFAULT 'a';");
  REQUIRE(script.statements.size() == 10);
  const auto& drop_views = script.statements[0];
  CHECK(drop_views.removes ==
        std::vector<RemovedObject>{{"view", {std::nullopt, "open_orders"}, ""},
                                   {"view", {"s", "Big View"}, ""}});
  const auto& rename = script.statements[1];
  CHECK(rename.type == WrittenName{"public", "order_status"});
  CHECK(rename.type_renamed_to == "order_status_old");
  CHECK(script.statements[2].node == "CreateEnumStmt");
  CHECK(script.statements[2].type == WrittenName{std::nullopt, "order_status"});
  const auto& alter = script.statements[3];
  CHECK(alter.removes == std::vector<RemovedObject>{{"column", {"s", "t"}, "c"},
                                                    {"constraint", {"s", "t"}, "k"},
                                                    {"default value", {"s", "t"}, "d"},
                                                    {"column", {"s", "t"}, "e"}});
  REQUIRE(alter.retyped_columns.size() == 1);
  CHECK(alter.retyped_columns[0].first == WrittenName{"s", "t"});
  CHECK(alter.retyped_columns[0].second == "e");
  CHECK(script.statements[4].removes ==
        std::vector<RemovedObject>{{"type", {std::nullopt, "order_status_old"}, ""}});
  CHECK(script.statements[5].removes == std::vector<RemovedObject>{{"trigger", {"s", "t"}, "tg"}});
  CHECK(script.statements[6].removes ==
        std::vector<RemovedObject>{{"function", {std::nullopt, "f"}, ""}});
  CHECK(script.statements[7].type == WrittenName{"s", "x"});
  CHECK(script.statements[7].added_value == "b");
  CHECK(script.statements[8].removes ==
        std::vector<RemovedObject>{{"schema", {std::nullopt, "gone"}, ""}});
  CHECK(script.statements[9].removes.empty());  // SET DEFAULT drops nothing
}

TEST_CASE("identifiers are quoted as PostgreSQL's quote_identifier quotes them") {
  CHECK(postgres_quote_identifier("open_orders") == "open_orders");
  CHECK(postgres_quote_identifier("_x1") == "_x1");
  CHECK(postgres_quote_identifier("Big View") == "\"Big View\"");
  CHECK(postgres_quote_identifier("1st") == "\"1st\"");
  CHECK(postgres_quote_identifier("a\"b") == "\"a\"\"b\"");
  CHECK(postgres_quote_identifier("é") == "\"é\"");
  // Reserved and column-name keywords need quotes; unreserved ones do not.
  CHECK(postgres_quote_identifier("order") == "\"order\"");
  CHECK(postgres_quote_identifier("user") == "\"user\"");
  CHECK(postgres_quote_identifier("time") == "\"time\"");
  CHECK(postgres_quote_identifier("status") == "status");
  CHECK(postgres_quote_identifier("comment") == "comment");
}
