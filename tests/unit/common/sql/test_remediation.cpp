#include <doctest/doctest.h>

#include "enumwatch/diff/diff.hpp"
#include "enumwatch/sql/remediation.hpp"
#include "enumwatch/sql/sql_lexer.hpp"
#include "enumwatch/sql/sql_quote.hpp"

#include <algorithm>
#include <span>
#include <string>
#include <vector>

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

TEST_CASE("a byte that is no UTF-8 is quoted as that byte, never as a code point") {
  // A SQL_ASCII database keeps any byte. A lone 0x9D read as U+009D (a C1 control) would be
  // written \u009D, which is two other bytes: the fuzzer found that an array default with one
  // did not read back as written.
  CHECK(quote_literal("a\x9D\x01"
                      "b") == "E'a\\x9d\\x01b'");
  CHECK(quote_literal("a\x9D"
                      "b") == "E'a\\x9db'");
  CHECK(quote_literal("\xFF") == "'\xFF'");  // no control character: copied as it is
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
  std::string sql = recreate_type_sql(
      RecreatePlan{{"public", "order_status"}, {"paid", "refunded"}, {}, {}, columns});
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
  std::string sql = recreate_type_sql(RecreatePlan{{"public", name}, {"a"}, {}, {}, {}});
  auto start = sql.find("RENAME TO \"") + 11;
  auto end = sql.find('"', start);
  std::string old_name = sql.substr(start, end - start);
  CHECK(old_name.size() <= 63);
  CHECK(old_name.ends_with("_enumwatch_old"));
  CHECK(sql.find("No table column uses it") != std::string::npos);
}

TEST_CASE("columns typed by a domain are named as blockers rather than silently skipped") {
  std::vector<ColumnUse> columns{{"public", "t", "c", ColumnUse::Via::domain, std::nullopt}};
  std::string sql = recreate_type_sql(RecreatePlan{{"public", "s"}, {"a"}, {}, {}, columns});
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

namespace {

// What psql would execute as SQL keywords: the script with every quoted identifier, every literal
// and every comment cut out, as PostgreSQL's lexer sees them. A comment that a newline in a name
// ended early would leave that name's rest here, as code.
std::string code_outside_quotes_and_comments(const std::string& sql) {
  std::string code;
  for (const auto& token : lex_sql(sql)) {
    if (token.kind == SqlToken::Kind::bare) code += token.text;
    if (token.kind == SqlToken::Kind::identifier) code += " IDENT ";
    if (token.kind == SqlToken::Kind::literal) code += " LITERAL ";
  }
  return code;
}

}  // namespace

TEST_CASE("a table named to end a comment cannot inject SQL through the recreate recipe") {
  const std::string hostile = "t\nDROP TABLE victim; --";
  const std::vector<ColumnUse> columns{
      {"public", hostile, "status", ColumnUse::Via::direct, std::nullopt},
      {"we\r\nird", "x\u2028y", "c", ColumnUse::Via::domain, std::nullopt}};
  const std::string sql =
      recreate_type_sql(RecreatePlan{{"pub\nlic", "s\x1b[31m"}, {"a", "b"}, {}, {}, columns});
  const std::string code = code_outside_quotes_and_comments(sql);
  CAPTURE(code);
  CHECK(code.find("DROP TABLE victim") == std::string::npos);
  CHECK(code.find("BEGIN;") != std::string::npos);  // the scanner does see the recipe's code
  // The name is still there, escaped, for the reader; no comment holds a raw control character
  // (they stay only inside quoted identifiers, where PostgreSQL reads them as part of the name).
  CHECK(sql.find("000aDROP TABLE victim; --") != std::string::npos);
  std::size_t start = 0;
  while (start < sql.size()) {
    const auto end = std::min(sql.find('\n', start), sql.size());
    const std::string line = sql.substr(start, end - start);
    if (line.starts_with("--")) {
      CAPTURE(line);
      CHECK(line.find('\x1b') == std::string::npos);
      CHECK(line.find('\r') == std::string::npos);
      CHECK(line.find("\u2028") == std::string::npos);
    }
    start = end + 1;
  }
}

TEST_CASE("comments escape every control character and nothing else") {
  CHECK(sql_comment("plain name, ünïcode") == "plain name, ünïcode");
  CHECK(sql_comment("a\nb\rc\td") == "a\\nb\\rc\\td");
  CHECK(sql_comment("esc\x1b[2J") == "esc\\x1b[2J");
  CHECK(sql_comment("line\u2028sep\u2029para") == "line\\u2028sep\\u2029para");
  CHECK(sql_comment("c1\u009b31m") == "c1\\u009b31m");
  CHECK(sql_comment("del\x7f") == "del\\x7f");
  CHECK(sql_comment("back\\slash") == "back\\\\slash");  // escapes cannot be forged
  CHECK(sql_comment(std::string("bad\xff utf8")) == "bad\\xff utf8");
}

TEST_CASE("the whole script's comments stay one line each, whatever the names") {
  DriftItem item;
  item.schema = "s\n-- x\nDROP TABLE victim;";
  item.enum_name = "e";
  item.kind = DriftKind::missing_value;
  item.remediation_sql = add_value_sql({item.schema, item.enum_name}, "v", {});
  const std::string sql = remediation_script(std::span(&item, 1));
  const std::string code = code_outside_quotes_and_comments(sql);
  CAPTURE(code);
  CHECK(code.find("DROP TABLE victim") == std::string::npos);
  CHECK(code.find("ADD VALUE") != std::string::npos);
}

TEST_CASE("names and values with control characters are written with escapes, never raw") {
  CHECK(quote_ident("a\r\nb") == "U&\"a\\000d\\000ab\"");
  CHECK(quote_ident("e\x1b[31m\"x\\") == "U&\"e\\001b[31m\"\"x\\\\\"");
  CHECK(quote_ident("line\u2028") == "U&\"line\\2028\"");
  CHECK(quote_ident("ünï \"q\"") == "\"ünï \"\"q\"\"\"");  // no control: plain quoting
  CHECK(quote_literal("a\r\nb\tc") == "E'a\\r\\nb\\tc'");
  CHECK(quote_literal("esc\x1b it's \\") == "E'esc\\x1b it''s \\\\'");
  CHECK(quote_literal("c1\u009b sep\u2029") == "E'c1\\u009b sep\\u2029'");
}

namespace {

Dependent dependent(Dependent::Kind kind, int depth, std::string name, std::string definition) {
  Dependent d;
  d.kind = kind;
  d.depth = depth;
  d.schema = "public";
  d.name = std::move(name);
  d.table_schema = "public";
  d.table = "orders";
  d.definition = std::move(definition);
  return d;
}

std::size_t at(const std::string& sql, std::string_view piece) {
  const auto found = sql.find(piece);
  CAPTURE(piece);
  REQUIRE(found != std::string::npos);
  return found;
}

}  // namespace

TEST_CASE("dependents are dropped deepest first, re-created shallowest first, then checked") {
  TypeDependents deps;
  deps.objects.push_back(dependent(Dependent::Kind::index, 1, "live",
                                   "CREATE INDEX live ON public.orders USING btree (id) WHERE "
                                   "(status <> 'gone'::public.s)"));
  deps.objects.push_back(
      dependent(Dependent::Kind::view, 1, "v", " SELECT orders.status\n   FROM public.orders;"));
  auto on_view = dependent(Dependent::Kind::view, 2, "v2", " SELECT v.status\n   FROM public.v;");
  on_view.owner = "app owner";
  on_view.grants = R"([{"grantee":"reader","privilege":"SELECT","grantable":false}])";
  on_view.comment = "it's the view";
  deps.objects.push_back(on_view);
  deps.tables.push_back({"public", "orders", 3 * 1024 * 1024, 120000});
  const std::vector<ColumnUse> columns{
      {"public", "orders", "status", ColumnUse::Via::direct, std::nullopt}};
  const std::string sql = recreate_type_sql(RecreatePlan{
      {"public", "s"}, {"b", "a"}, {"gone"}, {}, columns, &deps, std::chrono::seconds(2)});
  CAPTURE(sql);
  // Drops: v2 (depth 2) before v and the index; the swap; re-creation in the other order.
  CHECK(at(sql, "DROP VIEW \"public\".\"v2\";") < at(sql, "DROP VIEW \"public\".\"v\";"));
  CHECK(at(sql, "DROP VIEW \"public\".\"v\";") < at(sql, "ALTER TYPE \"public\".\"s\" RENAME TO"));
  CHECK(at(sql, "ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"status\" TYPE") <
        at(sql, "CREATE INDEX live ON public.orders"));
  CHECK(at(sql, "CREATE VIEW \"public\".\"v\" AS\nSELECT orders.status") <
        at(sql, "CREATE VIEW \"public\".\"v2\" AS"));
  // Owner, grants and comment of the view come back with it.
  CHECK(at(sql, "ALTER VIEW \"public\".\"v2\" OWNER TO \"app owner\";") >
        at(sql, "CREATE VIEW \"public\".\"v2\""));
  at(sql, "REVOKE ALL ON TABLE \"public\".\"v2\" FROM PUBLIC, \"app owner\";");
  at(sql, "GRANT SELECT ON TABLE \"public\".\"v2\" TO reader;");
  at(sql, "COMMENT ON VIEW \"public\".\"v2\" IS 'it''s the view';");
  // Recorded before the drops, compared before COMMIT.
  CHECK(at(sql, "CREATE TEMP TABLE enumwatch_before") < at(sql, "DROP VIEW"));
  CHECK(at(sql, "CREATE TEMP TABLE enumwatch_after") >
        at(sql, "DROP TYPE \"public\".\"s_enumwatch_old\""));
  CHECK(at(sql, "RAISE EXCEPTION 'enumwatch self-check") < at(sql, "COMMIT;"));
  // Lock awareness: the timeout, the rewritten table with its size, the other locked relations.
  at(sql, "SET LOCAL lock_timeout = '2000ms';");
  at(sql, "\"public\".\"orders\" (3.0 MB, ~120000 rows)");
  at(sql,
     "Also locked ACCESS EXCLUSIVE until COMMIT (dependents dropped and re-created): "
     "\"public\".\"v\", \"public\".\"v2\"");
  // The index names a value the snapshot drops: said before the transaction starts.
  CHECK(at(sql, "index \"public\".\"live\" names 'gone', which the snapshot drops") <
        at(sql, "BEGIN;"));
  CHECK(sql.find("CASCADE") == std::string::npos);
}

TEST_CASE(
    "domains and composites over the type are recreated with it and their columns converted") {
  TypeDependents deps;
  // Read in dependency order by depth: the domain over the type, a domain over that domain, a
  // composite with an attribute of the first domain.
  auto domain = dependent(Dependent::Kind::domain, 1, "it's dom", "");
  domain.definition =
      R"({"base":"public.s","default":"'gone'::public.s","not_null":false,"constraints":[)"
      R"({"name":"no \"b\"","definition":"CHECK ((VALUE <> 'b'::public.s)) NOT VALID",)"
      R"("comment":"b is for\nbad"}]})";
  domain.owner = "app owner";
  domain.comment = "a domain";
  auto outer = dependent(Dependent::Kind::domain, 2, "dom2", "");
  outer.definition = R"({"base":"public.\"it's dom\"","default":null,"not_null":true,)"
                     R"("constraints":null})";
  auto composite = dependent(Dependent::Kind::composite, 2, "pair", "");
  composite.definition = R"({"attributes":[{"name":"st","type":"public.\"it's dom\""},)"
                         R"({"name":"note","type":"text COLLATE pg_catalog.\"C\""}]})";
  composite.column_comments = R"({"st":"the status"})";
  deps.objects.push_back(outer);
  deps.objects.push_back(composite);
  deps.objects.push_back(domain);
  Dependent column = dependent(Dependent::Kind::column, 2, "uses", "public.pair");
  column.column = "p";
  column.convert_to = "public.pair";
  deps.objects.push_back(column);
  Dependent domain_column = dependent(Dependent::Kind::column, 2, "uses", "public.dom2");
  domain_column.column = "d";
  domain_column.convert_to = "public.dom2";
  domain_column.convert_default = "'a'::public.s";
  deps.objects.push_back(domain_column);
  // The poll's column list names the domain column too: converted once, from the dependents.
  const std::vector<ColumnUse> columns{
      {"public", "uses", "d", ColumnUse::Via::domain, std::nullopt}};
  const std::string sql = recreate_type_sql(RecreatePlan{{"public", "s"},
                                                         {"a", "b"},
                                                         {"gone"},
                                                         {{"b_old", "b"}},
                                                         columns,
                                                         &deps,
                                                         std::chrono::seconds(2)});
  CAPTURE(sql);
  REQUIRE(sql.starts_with("-- Recreate \"public\".\"s\""));
  // The old ones step aside with the type, the new ones come after the new type, shallowest first.
  CHECK(at(sql, "ALTER DOMAIN \"public\".\"it's dom\" RENAME TO \"it's dom_enumwatch_old\";") <
        at(sql, "CREATE TYPE \"public\".\"s\" AS ENUM ('a', 'b');"));
  CHECK(at(sql, "CREATE TYPE \"public\".\"s\" AS ENUM") <
        at(sql, "CREATE DOMAIN \"public\".\"it's dom\" AS public.s DEFAULT 'gone'::public.s;"));
  CHECK(at(sql, "CREATE DOMAIN \"public\".\"it's dom\"") <
        at(sql, "CREATE DOMAIN \"public\".\"dom2\" AS public.\"it's dom\" NOT NULL;"));
  at(sql,
     "ALTER DOMAIN \"public\".\"it's dom\" ADD CONSTRAINT \"no \"\"b\"\"\" CHECK ((VALUE <> "
     "'b'::public.s)) NOT VALID;");
  at(sql,
     "COMMENT ON CONSTRAINT \"no \"\"b\"\"\" ON DOMAIN \"public\".\"it's dom\" IS E'b is "
     "for\\nbad';");
  at(sql, "ALTER DOMAIN \"public\".\"it's dom\" OWNER TO \"app owner\";");
  at(sql, "COMMENT ON DOMAIN \"public\".\"it's dom\" IS 'a domain';");
  at(sql,
     "CREATE TYPE \"public\".\"pair\" AS (\"st\" public.\"it's dom\", \"note\" text COLLATE "
     "pg_catalog.\"C\");");
  at(sql, "COMMENT ON COLUMN \"public\".\"pair\".\"st\" IS 'the status';");
  // Columns: through their text form, one ALTER TABLE; the default dropped and set again.
  CHECK(at(sql, "CREATE TYPE \"public\".\"pair\"") <
        at(sql,
           "ALTER TABLE \"public\".\"uses\" ALTER COLUMN \"p\" TYPE public.pair USING "
           "\"p\"::text::public.pair, ALTER COLUMN \"d\" TYPE public.dom2 USING "
           "\"d\"::text::public.dom2;"));
  at(sql, "ALTER TABLE \"public\".\"uses\" ALTER COLUMN \"d\" DROP DEFAULT;");
  at(sql, "ALTER TABLE \"public\".\"uses\" ALTER COLUMN \"d\" SET DEFAULT 'a'::public.s;");
  // The old ones go outermost first, then the old type; the self-check covers them.
  CHECK(at(sql, "DROP DOMAIN \"public\".\"dom2_enumwatch_old\";") <
        at(sql, "DROP DOMAIN \"public\".\"it's dom_enumwatch_old\";"));
  CHECK(at(sql, "DROP DOMAIN \"public\".\"it's dom_enumwatch_old\";") <
        at(sql, "DROP TYPE \"public\".\"s_enumwatch_old\";"));
  CHECK(at(sql, "DROP TYPE \"public\".\"pair_enumwatch_old\";") <
        at(sql, "DROP TYPE \"public\".\"s_enumwatch_old\";"));
  CHECK(at(sql, "DROP TYPE \"public\".\"s_enumwatch_old\";") <
        at(sql, "CREATE TEMP TABLE enumwatch_after"));
  // A renamed value is spelled the new way in the domain's constraint; a dropped one is warned.
  CHECK(sql.find("'b_old'") == std::string::npos);
  CHECK(at(sql, "domain \"public\".\"it's dom\" names 'gone', which the snapshot drops") <
        at(sql, "BEGIN;"));
  CHECK(sql.find("cannot be converted") == std::string::npos);
}

TEST_CASE("a domain or composite definition that is not what the reader wrote is a comment") {
  TypeDependents deps;
  deps.objects.push_back(dependent(Dependent::Kind::domain, 1, "d", "CREATE DOMAIN d AS x"));
  const std::string sql =
      recreate_type_sql(RecreatePlan{{"public", "s"}, {"a"}, {}, {}, {}, &deps});
  CHECK(sql.starts_with("-- enumwatch cannot write the recipe for \"public\".\"s\""));
  CHECK(code_outside_quotes_and_comments(sql).find_first_not_of(" \n") == std::string::npos);
}

TEST_CASE("a grant whose privilege or grantee is not text is left out, never an exception") {
  TypeDependents deps;
  auto view =
      dependent(Dependent::Kind::view, 1, "v", " SELECT orders.status\n   FROM public.orders;");
  view.grants = R"([{"grantee":7,"privilege":"SELECT"},{"grantee":"reader","privilege":null},)"
                R"({"grantee":"auditor","privilege":"SELECT"}])";
  deps.objects.push_back(view);
  const std::vector<ColumnUse> columns{
      {"public", "orders", "status", ColumnUse::Via::direct, std::nullopt}};
  std::string sql;
  REQUIRE_NOTHROW(sql = recreate_type_sql(RecreatePlan{
                      {"public", "s"}, {"a"}, {}, {}, columns, &deps, std::chrono::seconds(2)}));
  CAPTURE(sql);
  at(sql, "GRANT SELECT ON TABLE \"public\".\"v\" TO auditor;");
  CHECK(sql.find("TO reader") == std::string::npos);
  CHECK(sql.find("GRANT SELECT ON TABLE \"public\".\"v\" TO 7") == std::string::npos);
}

TEST_CASE("a dependent PostgreSQL cannot keep makes the recipe comments only, saying why") {
  TypeDependents deps;
  deps.objects.push_back(dependent(Dependent::Kind::view, 1, "v", " SELECT 1;"));
  Dependent key;
  key.why =
      "it is in the partition key of table public.events, and PostgreSQL cannot change the "
      "type of a partition key column";
  deps.objects.push_back(key);
  const std::string sql =
      recreate_type_sql(RecreatePlan{{"public", "s"}, {"a"}, {}, {}, {}, &deps});
  CHECK(sql.find("cannot recreate") != std::string::npos);
  CHECK(sql.find("partition key of table public.events") != std::string::npos);
  CHECK(code_outside_quotes_and_comments(sql).find_first_not_of(" \n") == std::string::npos);
}

TEST_CASE("control characters in deparsed definitions are requoted, never raw in the script") {
  TypeDependents deps;
  deps.objects.push_back(dependent(Dependent::Kind::view, 1, "v",
                                   " SELECT t.\"a\nb\"\n   FROM public.t\n  WHERE t.x = 'p\rq';"));
  const std::string sql =
      recreate_type_sql(RecreatePlan{{"public", "s"}, {"a"}, {}, {}, {}, &deps});
  at(sql, "SELECT t.U&\"a\\000ab\"\n   FROM public.t\n  WHERE t.x = E'p\\rq';");
  CHECK(sql.find('\r') == std::string::npos);
}

TEST_CASE("a definition the lexer cannot follow gives a comment, not an exception") {
  TypeDependents deps;
  deps.objects.push_back(dependent(Dependent::Kind::view, 1, "v", " SELECT 'unclosed"));
  const std::string sql =
      recreate_type_sql(RecreatePlan{{"public", "s"}, {"a"}, {}, {}, {}, &deps});
  CHECK(sql.starts_with("-- enumwatch cannot write the recipe for \"public\".\"s\""));
  CHECK(code_outside_quotes_and_comments(sql).find_first_not_of(" \n") == std::string::npos);
}

TEST_CASE("no value is added inside a transaction, so none is used before its commit (55P04)") {
  // Two enums: one needs additions only, one needs a removal and an addition (recreated).
  Snapshot snapshot;
  snapshot.enums = {{{"public", "added"}, {"a", "new", "b"}},
                    {{"public", "mixed"}, {"x", "fresh"}}};
  DatabaseState db;
  db.catalog.enums = {{{"public", "added"}, {"a", "b"}}, {{"public", "mixed"}, {"x", "gone"}}};
  std::vector<NamedSnapshot> snaps{{"app", std::make_shared<Snapshot>(snapshot)}};
  const std::string script = remediation_script(diff("t", snaps, db, DiffOptions{}));
  bool in_transaction = false, saw_transaction = false;
  for (const auto& token : lex_sql(script)) {
    if (token.kind != SqlToken::Kind::bare) continue;
    const std::string_view text = token.text;
    for (std::size_t at = 0; at < text.size(); ++at) {
      if (text.substr(at).starts_with("BEGIN;")) in_transaction = saw_transaction = true;
      if (text.substr(at).starts_with("COMMIT;")) in_transaction = false;
      if (text.substr(at).starts_with("ADD VALUE")) CHECK_FALSE(in_transaction);
    }
  }
  CHECK(saw_transaction);
  // The recreated type gets its new value from CREATE TYPE, not ADD VALUE.
  CHECK(script.find("CREATE TYPE \"public\".\"mixed\" AS ENUM ('x', 'fresh');") !=
        std::string::npos);
  CHECK(script.find("ADD VALUE IF NOT EXISTS 'new'") != std::string::npos);
  CHECK(script.find("ADD VALUE IF NOT EXISTS 'fresh'") == std::string::npos);
}

TEST_CASE("a recipe over the served bound becomes one comment pointing at diff --format sql") {
  std::vector<DriftItem> items(3);
  items[0].enum_name = "order_status";
  items[0].remediation_sql = "BEGIN;\n-- " + std::string(300 * 1024, 'x') + "\nCOMMIT;\n";
  items[1].enum_name = "small";
  items[1].remediation_sql = "ALTER TYPE \"public\".\"small\" ADD VALUE 'b';";
  items[2].enum_name = "none";
  bound_remediation(items);
  REQUIRE(items[0].remediation_sql);
  const std::string& replaced = *items[0].remediation_sql;
  CHECK(replaced.size() < 400);
  CHECK(replaced.starts_with("-- The recipe for order_status is over 300 KiB"));
  CHECK(replaced.find("run `enumwatch diff --format sql`") != std::string::npos);
  CHECK(replaced.find('\n') == std::string::npos);  // one comment line: applying it does nothing
  CHECK(items[1].remediation_sql == "ALTER TYPE \"public\".\"small\" ADD VALUE 'b';");
  CHECK_FALSE(items[2].remediation_sql);
  // Exactly at the bound: kept whole.
  std::vector<DriftItem> edge(1);
  edge[0].remediation_sql = std::string(kMaxServedRemediationBytes, 'y');
  bound_remediation(edge);
  CHECK(edge[0].remediation_sql->size() == kMaxServedRemediationBytes);
}

TEST_CASE("a domain's CHECK is swapped with ALTER DOMAIN in one transaction, naming no column") {
  CheckSwapPlan plan;
  plan.wanted.schema = "public";
  plan.wanted.table = "orders";
  plan.wanted.column = "channel";
  plan.wanted.values = {"it's", "web"};
  plan.old_constraints = {"chan \"check\""};
  plan.kept = {"VALUE IS NOT NULL"};
  plan.domain = TypeName{"public", "chan ö"};
  const std::string sql = check_swap_sql(plan);
  CAPTURE(sql);
  CHECK(sql.find("orders") == std::string::npos);  // the same recipe for every column
  CHECK(at(sql, "BEGIN;") <
        at(sql,
           "ALTER DOMAIN \"public\".\"chan ö\" ADD CONSTRAINT \"chan \"\"check\"\"_enumwatch_new\" "
           "CHECK (VALUE::text = ANY (ARRAY['it''s', 'web']::text[]) AND (VALUE IS NOT NULL));"));
  CHECK(at(sql, "ADD CONSTRAINT") <
        at(sql, "ALTER DOMAIN \"public\".\"chan ö\" DROP CONSTRAINT \"chan \"\"check\"\"\";"));
  at(sql,
     "ALTER DOMAIN \"public\".\"chan ö\" RENAME CONSTRAINT \"chan \"\"check\"\"_enumwatch_new\" "
     "TO \"chan \"\"check\"\"\";");
  CHECK(sql.find("NOT VALID") == std::string::npos);
  CHECK(sql.find("BEGIN;") == sql.rfind("BEGIN;"));  // one transaction
  CHECK(sql.ends_with("COMMIT;"));
}
