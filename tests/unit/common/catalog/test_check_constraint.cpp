#include <doctest/doctest.h>

#include "enumwatch/catalog/check_constraint.hpp"
#include "enumwatch/sql/remediation.hpp"

using namespace enumwatch;

namespace {

using Values = std::vector<std::string>;

void expect_membership(std::string_view definition, const std::string& column, Values values) {
  CAPTURE(definition);
  const auto parsed = parse_membership_check(definition);
  REQUIRE(parsed);
  CHECK(parsed->column == column);
  CHECK(parsed->values == values);
}

}  // namespace

// Each definition is what PostgreSQL 15's pg_get_constraintdef printed for the CHECK written in
// the comment above it.
TEST_CASE("every form PostgreSQL normalises a membership CHECK to is read as a set of values") {
  // varchar(20) CHECK (a IN ('web', 'store', 'it''s')), as SQLAlchemy and Django write it
  expect_membership(
      "CHECK (((a)::text = ANY ((ARRAY['web'::character varying, 'store'::character varying, "
      "'it''s'::character varying])::text[])))",
      "a", {"it's", "store", "web"});
  // text CHECK (b IN ('x','y'))
  expect_membership("CHECK ((b = ANY (ARRAY['x'::text, 'y'::text])))", "b", {"x", "y"});
  // CHECK (c = 'only')
  expect_membership("CHECK ((c = 'only'::text))", "c", {"only"});
  // varchar CHECK (d = 'p' OR d = 'q')
  expect_membership("CHECK ((((d)::text = 'p'::text) OR ((d)::text = 'q'::text)))", "d",
                    {"p", "q"});
  // CHECK (e IS NOT NULL AND e IN ('m','n')): NOT NULL kept (below)
  expect_membership("CHECK (((e IS NOT NULL) AND (e = ANY (ARRAY['m'::text, 'n'::text]))))", "e",
                    {"m", "n"});
  // CHECK (f = ANY ('{u,"v w"}')): an array literal
  expect_membership("CHECK ((f = ANY ('{u,\"v w\"}'::text[])))", "f", {"u", "v w"});
  // char(3) CHECK (g IN ('abc','def'))
  expect_membership("CHECK ((g = ANY (ARRAY['abc'::bpchar, 'def'::bpchar])))", "g", {"abc", "def"});
  // a quoted column name with quotes inside
  expect_membership("CHECK ((\"Weird \"\"Col\"\"\" = ANY (ARRAY['A B'::text, 'c'::text])))",
                    "Weird \"Col\"", {"A B", "c"});
  // CHECK (i::text = ANY (ARRAY['k'::varchar, 'l'::varchar]::text[]))
  expect_membership(
      "CHECK (((i)::text = ANY (ARRAY[('k'::character varying)::text, ('l'::character "
      "varying)::text])))",
      "i", {"k", "l"});
  // added NOT VALID
  expect_membership("CHECK ((b = ANY (ARRAY['x'::text, 'y'::text, 'z'::text]))) NOT VALID", "b",
                    {"x", "y", "z"});
  // an IN list as a person might write it, and a value full of quotes, newlines and backslashes
  expect_membership("CHECK (status IN ('a', 'b\nc', 'd\\e', '\"'))", "status",
                    {"\"", "a", "b\nc", "d\\e"});
}

TEST_CASE("a CHECK that is not a pure membership test is ignored, never half-read") {
  for (std::string_view definition : {
           "CHECK ((length(h) < 5))",
           "CHECK ((j = ANY (ARRAY['a'::text, NULL::text])))",  // NULL among the values
           "CHECK (((a)::text <> 'x'::text))",
           "CHECK (((a = 'x'::text) OR (b = 'y'::text)))",                // two columns
           "CHECK (((a = 'x'::text) AND (a = 'y'::text)))",               // no value passes both
           "CHECK (((a = 'x'::text) AND (b = ANY (ARRAY['y'::text]))))",  // two columns
           "CHECK (((length(a) < 5) AND (a IS NOT NULL)))",  // conjuncts, none a membership
           "CHECK (((a = 'x'::text) OR (length(a) < 5)) OR (b = 'y'::text))",
           "CHECK ((a IS NOT NULL))",
           "CHECK ((NOT (a = ANY (ARRAY['x'::text]))))",
           "CHECK ((lower(a) = ANY (ARRAY['x'::text])))",
           "CHECK ((a = b))",
           "CHECK ((a = ANY (ARRAY[1, 2])))",
           "CHECK (((a)::integer = 1))",
           "CHECK ((a = ANY ('{x,NULL}'::text[])))",
           "CHECK ((a = ANY (ARRAY['x'::text]))) garbage",
           "CHECK ((a = ANY (ARRAY['x'::text])",
           "CHECK ((a = 'unterminated))",
           "CHECK ((a = $1))",
           "CHECK ((f = ANY ('{}'::text[])))",  // only NULL allowed (found by fuzzing)
           "",
       }) {
    CAPTURE(definition);
    CHECK_FALSE(parse_membership_check(definition));
  }
}

TEST_CASE("a default is read when it is one literal, whatever its cast") {
  CHECK(parse_literal_default("'paid'::public.order_status") == "paid");
  CHECK(parse_literal_default("'web'::character varying") == "web");
  CHECK(parse_literal_default("'it''s'::\"My Schema\".\"Odd \"\"type\"\"\"") == "it's");
  CHECK(parse_literal_default("'x'::text") == "x");
  CHECK_FALSE(parse_literal_default("now()"));
  CHECK_FALSE(parse_literal_default("NULL::text"));
  CHECK_FALSE(parse_literal_default("'{a,b}'::public.status[]"));
  CHECK_FALSE(parse_literal_default("('a'::text || 'b'::text)"));
}

TEST_CASE("a default on a domain-typed column is read through the domain's cast") {
  // PostgreSQL 15: a column of public.status_domain with DEFAULT 'new'::public.status_domain,
  // and one with DEFAULT 'new' (the domain's base type, as PostgreSQL prints it).
  CHECK(parse_literal_default("('new'::public.status)::public.status_domain") == "new");
  CHECK(parse_literal_default("'new'::public.status") == "new");
  // A raw newline and non-ASCII in the literal, as pg_get_expr writes them.
  CHECK(parse_literal_default("'l\nn'::public.\"Odd \"\"Mood\"\"\"") == "l\nn");
  CHECK(parse_literal_default("'Ünï €'::public.status") == "Ünï €");
  // A literal that looks like an array is one value when its cast is not to an array.
  CHECK(parse_literal_default("'{x}'::public.status") == "{x}");
  // An array cast on to a domain over the array type is not one literal.
  CHECK_FALSE(parse_literal_default("('{new}'::public.status[])::public.status_list"));
  CHECK_FALSE(parse_literal_default("NULL::public.status"));
}

namespace {

using Elements = std::vector<std::optional<std::string>>;

ArrayDefault expect_array(std::string_view expression, const Elements& elements,
                          std::vector<std::size_t> dimensions) {
  CAPTURE(expression);
  const auto parsed = parse_array_default(expression);
  REQUIRE(parsed);
  CHECK(parsed->elements == elements);
  CHECK(parsed->dimensions == dimensions);
  // Its text form means the same: read back as the literal of a cast, it is the same array.
  const auto again = parse_array_default(quote_literal(array_text(*parsed)) + "::public.status[]");
  REQUIRE(again);
  CHECK(*again == *parsed);
  return *parsed;
}

}  // namespace

// Each expression is what PostgreSQL 15's pg_get_expr printed (for a column default: adbin; for
// a domain's: typdefaultbin) for the DEFAULT in the comment above it.
TEST_CASE("every shape PostgreSQL prints an array default in is read as its elements") {
  // status[] DEFAULT '{paid,new}' (and '{  paid , new }', printed the same)
  expect_array("'{paid,new}'::public.status[]", {"paid", "new"}, {2});
  // status[] DEFAULT ARRAY['paid'::status, 'new']
  expect_array("ARRAY['paid'::public.status, 'new'::public.status]", {"paid", "new"}, {2});
  // status[] DEFAULT '{}'
  expect_array("'{}'::public.status[]", {}, {});
  // status[] DEFAULT ARRAY[]::status[]
  expect_array("ARRAY[]::public.status[]", {}, {});
  // status[] DEFAULT '{paid,NULL}'
  expect_array("'{paid,NULL}'::public.status[]", {"paid", std::nullopt}, {2});
  // status[] DEFAULT ARRAY['paid', NULL]::status[] (and ARRAY['paid'::status, NULL::status])
  expect_array("ARRAY['paid'::public.status, NULL::public.status]", {"paid", std::nullopt}, {2});
  // status[] DEFAULT ARRAY[NULL]::status[]
  expect_array("ARRAY[NULL::public.status]", {std::nullopt}, {1});
  // status[] DEFAULT ARRAY['a'::text]::status[]
  expect_array("ARRAY[('a'::text)::public.status]", {"a"}, {1});
  // status_domain[] DEFAULT ARRAY['paid'::status_domain] (an array of a domain over the enum)
  expect_array("ARRAY[('paid'::public.status)::public.status_domain]", {"paid"}, {1});
  // status_domain[] DEFAULT '{paid}'
  expect_array("'{paid}'::public.status_domain[]", {"paid"}, {1});
  // status_list (a domain over status[]) DEFAULT '{new}'::status_list
  expect_array("('{new}'::public.status[])::public.status_list", {"new"}, {1});
  // CREATE DOMAIN status_list AS status[] DEFAULT '{paid,new}': the domain's own default
  expect_array("'{paid,new}'::public.status[]", {"paid", "new"}, {2});
  // CREATE DOMAIN status_list2 AS status[] DEFAULT ARRAY['paid'::status]
  expect_array("ARRAY['paid'::public.status]", {"paid"}, {1});
  // status[] DEFAULT '{{paid},{new}}'
  expect_array("'{{paid},{new}}'::public.status[]", {"paid", "new"}, {2, 1});
  // status[] DEFAULT ARRAY[ARRAY['paid'::status, 'new'::status], ARRAY['new'::status, 'paid']]
  expect_array(
      "ARRAY[ARRAY['paid'::public.status, 'new'::public.status], ARRAY['new'::public.status, "
      "'paid'::public.status]]",
      {"paid", "new", "new", "paid"}, {2, 2});
  // status[] DEFAULT '[2:3]={paid,new}': the lower bound is kept
  const auto bounded = expect_array("'[2:3]={paid,new}'::public.status[]", {"paid", "new"}, {2});
  CHECK(bounded.bounds == "[2:3]=");
  CHECK(array_text(bounded) == "[2:3]={paid,new}");
  CHECK(parse_array_default("'[1:2]={paid,new}'::public.status[]")->bounds.empty());
  // A quoted identifier as the type, as the deparser writes an odd one.
  expect_array("'{a}'::\"My Schema\".\"Odd \"\"type\"\"\"[]", {"a"}, {1});
}

TEST_CASE("array defaults with hostile values are read exactly and written back exactly") {
  // "Odd ""Mood"""[] DEFAULT '{"it''s","a,b","{x}","q\"q","b\\s","l<newline>n","Ünï €","",
  // "NULL"," lead",NULL,"x y","tab<tab>x"}', as PostgreSQL 15 printed it.
  const auto text_form = expect_array(
      "'{it''s,\"a,b\",\"{x}\",\"q\\\"q\",\"b\\\\s\",\"l\nn\",\"Ünï €\",\"\",\"NULL\",\" "
      "lead\",NULL,\"x y\",\"tab\tx\"}'::public.\"Odd \"\"Mood\"\"\"[]",
      {"it's", "a,b", "{x}", "q\"q", "b\\s", "l\nn", "Ünï €", "", "NULL", " lead", std::nullopt,
       "x y", "tab\tx"},
      {13});
  // array_out's quoting, element by element: exactly the text PostgreSQL printed.
  CHECK(
      array_text(text_form) ==
      "{it's,\"a,b\",\"{x}\",\"q\\\"q\",\"b\\\\s\",\"l\nn\",\"Ünï €\",\"\",\"NULL\",\" lead\",NULL,"
      "\"x y\",\"tab\tx\"}");
  CHECK(array_text({{"Ünï"}, {1}, ""}) == "{Ünï}");
  // CREATE DOMAIN ... AS "Odd ""Mood"""[] DEFAULT ARRAY['it''s', 'a,b', ...]::"Odd ""Mood"""[]
  expect_array(
      "ARRAY['it''s'::public.\"Odd \"\"Mood\"\"\", 'a,b'::public.\"Odd \"\"Mood\"\"\", "
      "'{x}'::public.\"Odd \"\"Mood\"\"\", 'q\"q'::public.\"Odd \"\"Mood\"\"\", "
      "'b\\s'::public.\"Odd \"\"Mood\"\"\", 'l\nn'::public.\"Odd \"\"Mood\"\"\", "
      "'Ünï €'::public.\"Odd \"\"Mood\"\"\", ''::public.\"Odd \"\"Mood\"\"\", "
      "'NULL'::public.\"Odd \"\"Mood\"\"\", ' lead'::public.\"Odd \"\"Mood\"\"\"]",
      {"it's", "a,b", "{x}", "q\"q", "b\\s", "l\nn", "Ünï €", "", "NULL", " lead"}, {10});
  // An E'' literal (written with standard_conforming_strings off) means the same.
  expect_array("E'{\"b\\\\\\\\s\",\"it\\'s\"}'::public.status[]", {"b\\s", "it's"}, {2});
  // What array_in accepts besides array_out's own form: white space around elements, backslash
  // escapes in an unquoted one, null in any case (only unquoted: "null" is a value).
  expect_array("'{ a , b\\ ,nUlL, \"null\"}'::public.status[]", {"a", "b ", std::nullopt, "null"},
               {4});
}

TEST_CASE("an array default with bytes that are no UTF-8 reads back as written") {
  // The fuzzer's find (tests/fuzz/fuzz_check_constraint.cpp): a lone 0x9D and a NUL in an element.
  const std::string element(
      "m\0\xFF"
      "9\x9D\0AN",
      8);
  const auto parsed = parse_array_default("(ARRAY['" + element + "'::te::text])");
  REQUIRE(parsed);
  REQUIRE(parsed->elements.size() == 1);
  CHECK(parsed->elements[0] == element);
  const auto again = parse_array_default(quote_literal(array_text(*parsed)) + "::public.s[]");
  REQUIRE(again);
  CHECK(again->elements == parsed->elements);
}

TEST_CASE("an array default that is not a literal array is ignored, never half-read") {
  for (const std::string_view expression : {
           "array_append('{}'::public.status[], 'paid'::public.status)",
           "NULL::public.status[]",
           "'paid'::public.status",
           "'{paid}'::public.status",  // one value, "{paid}"
           "'{paid}'::text",
           "'{paid,new}'",
           "ARRAY['paid'::public.status] || ARRAY['new'::public.status]",
           "ARRAY['paid'::public.status][1:1]",
           "ARRAY[lower('PAID'::text)]::public.status[]",
           "ARRAY[col]",
           "ARRAY[ARRAY['a'::public.status], 'b'::public.status]",  // mixed depths
           "ARRAY[ARRAY['a'::public.status], ARRAY['b', 'c']]",     // not rectangular
           "'{{a},{b,c}}'::public.status[]",                        // not rectangular
           "'{{a},b}'::public.status[]",                            // mixed depths
           "'{{}}'::public.status[]",
           "'{a,}'::public.status[]",
           "'{,a}'::public.status[]",
           "'{\"a}'::public.status[]",
           "'{a\"b}'::public.status[]",
           "'{a}x'::public.status[]",
           "'{a}}'::public.status[]",
           "'[2:4]={a,b}'::public.status[]",  // bounds that do not fit
           "'[1:1][1:1]={a}'::public.status[]",
           "'[2:3]{a,b}'::public.status[]",
           "'{{{{{{{a}}}}}}}'::public.status[]",  // 7 dimensions: PostgreSQL allows 6
           "'{a}'::public.status[] extra",
           "(('{a}'::public.status[])",
           "$$x$$::public.status[]",
       }) {
    CAPTURE(expression);
    CHECK_FALSE(parse_array_default(expression));
  }
  CHECK(parse_array_default("'{{{{{{a}}}}}}'::public.status[]"));  // 6 dimensions
  // Deep nesting is refused, not followed down the stack.
  std::string deep(100000, '(');
  deep += "'{a}'::public.status[]" + std::string(100000, ')');
  CHECK_FALSE(parse_array_default(deep));
  CHECK_FALSE(parse_literal_default(deep));
  CHECK_FALSE(parse_membership_check("CHECK ((s)::text = " + deep + ")"));
  std::string deep_array;
  for (int i = 0; i < 100000; ++i) deep_array += "ARRAY[";
  CHECK_FALSE(parse_array_default(deep_array));
}

TEST_CASE("the conjuncts AND-ed with a membership test are kept as printed, in their order") {
  // CHECK (e IS NOT NULL AND e IN ('m','n'))
  auto parsed = parse_membership_check(
      "CHECK (((e IS NOT NULL) AND (e = ANY (ARRAY['m'::text, 'n'::text]))))");
  REQUIRE(parsed);
  CHECK(parsed->values == Values{"m", "n"});
  CHECK(parsed->kept == Values{"e IS NOT NULL"});
  CHECK_FALSE(parsed->unrewritable);

  // CHECK (s IN ('a','b') AND length(s) < 20 AND s IS NOT NULL), nested AND-s flattened, a
  // BETWEEN's own AND and a CASE's left whole.
  parsed = parse_membership_check(
      "CHECK ((((s = ANY (ARRAY['a'::text, 'b'::text])) AND (length(s) < 20)) AND ((s IS NOT "
      "NULL) AND ((length(s) >= 1) AND (length(s) <= 9) AND (CASE WHEN (s = 'a'::text) AND true "
      "THEN true ELSE (length(s) BETWEEN 1 AND 3) END)))))");
  REQUIRE(parsed);
  CHECK(parsed->column == "s");
  CHECK(parsed->values == Values{"a", "b"});
  CHECK(
      parsed->kept ==
      Values{"length(s) < 20", "s IS NOT NULL", "length(s) >= 1", "length(s) <= 9",
             "CASE WHEN (s = 'a'::text) AND true THEN true ELSE (length(s) BETWEEN 1 AND 3) END"});

  // Two membership conjuncts on one column: the values both allow.
  parsed = parse_membership_check(
      "CHECK (((s = ANY (ARRAY['a'::text, 'b'::text])) AND (s <> 'zz'::text) AND (s = ANY "
      "(ARRAY['b'::text, 'c'::text]))))");
  REQUIRE(parsed);
  CHECK(parsed->values == Values{"b"});
  CHECK(parsed->kept == Values{"s <> 'zz'::text"});
}

TEST_CASE("a membership test OR-ed with another condition is read but marked unrewritable") {
  const auto parsed = parse_membership_check(
      "CHECK (((s = ANY (ARRAY['a'::text, 'b'::text])) OR (length(s) > 10)))");
  REQUIRE(parsed);
  CHECK(parsed->values == Values{"a", "b"});
  CHECK(parsed->kept.empty());
  CHECK(parsed->unrewritable == "(s = ANY (ARRAY['a'::text, 'b'::text])) OR (length(s) > 10)");
  // Under an OR, "IS NOT NULL" is not folded in: rewriting the list would drop it.
  const auto nested = parse_membership_check(
      "CHECK ((((s = 'a'::text) AND (s IS NOT NULL)) OR ((s = 'b'::text) AND (s IS NOT NULL))))");
  REQUIRE(nested);
  CHECK(nested->unrewritable);
}

TEST_CASE("the swap ANDs the new list with every conjunct it does not rewrite") {
  CheckSwapPlan plan;
  plan.wanted.table = "t";
  plan.wanted.column = "status";
  plan.wanted.values = {"a", "b", "c"};
  plan.old_constraints = {"t_status_check"};
  plan.kept = {"status IS NOT NULL", "length(status) < 20"};
  const std::string sql = check_swap_sql(plan);
  CAPTURE(sql);
  const std::string added =
      "CHECK (\"status\"::text = ANY (ARRAY['a', 'b', 'c']::text[]) AND (status IS NOT NULL) AND "
      "(length(status) < 20)) NOT VALID;";
  CHECK(sql.find(added) != std::string::npos);
  CHECK(sql.find("-- Kept from the old constraint, unchanged: (status IS NOT NULL) AND "
                 "(length(status) < 20).") != std::string::npos);
  // What it adds reads back as the same values, the same kept conjuncts.
  const auto at = sql.find("CHECK (\"status\"");
  const auto end = sql.find(" NOT VALID;", at);
  const auto again = parse_membership_check(sql.substr(at, end - at));
  REQUIRE(again);
  CHECK(again->values == plan.wanted.values);
  CHECK(again->kept == plan.kept);
}

TEST_CASE("a kept conjunct with a raw newline in a literal is requoted in the swap") {
  CheckSwapPlan plan;
  plan.wanted.table = "t";
  plan.wanted.column = "s";
  plan.wanted.values = {"a"};
  plan.kept = {"s <> 'x\ny'::text"};
  const std::string sql = check_swap_sql(plan);
  CHECK(sql.find("'x\ny'") == std::string::npos);
  CHECK(sql.find("AND (s <> E'x\\ny'::text)") != std::string::npos);
}

TEST_CASE("a swap that cannot be rewritten safely is only comments saying why") {
  CheckSwapPlan plan;
  plan.wanted.table = "t";
  plan.wanted.column = "s";
  plan.wanted.values = {"a", "b", "c"};
  plan.old_constraints = {"t_s_check"};
  plan.refusal = "constraint \"t_s_check\" allows its values OR something else: (s = 'a') OR\n(x)";
  const std::string sql = check_swap_sql(plan);
  CAPTURE(sql);
  for (std::size_t start = 0; start < sql.size();) {
    const auto nl = sql.find('\n', start);
    CHECK(sql.compare(start, 3, "-- ") == 0);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  CHECK(sql.find("cannot rewrite the CHECK on public.t.s") != std::string::npos);
  CHECK(sql.find("OR something else") != std::string::npos);
  CHECK(sql.find("ALTER TABLE") == std::string::npos);
}
