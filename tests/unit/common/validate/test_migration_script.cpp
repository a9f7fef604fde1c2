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
