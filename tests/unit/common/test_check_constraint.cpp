#include <doctest/doctest.h>

#include "enumwatch/check_constraint.hpp"

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
  // CHECK (e IS NOT NULL AND e IN ('m','n')): NOT NULL folded in
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
           "CHECK (((a = 'x'::text) OR (b = 'y'::text)))",  // two columns
           "CHECK (((a = 'x'::text) AND (a = 'y'::text)))",
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
