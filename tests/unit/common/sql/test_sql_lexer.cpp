#include <doctest/doctest.h>

#include "enumwatch/core/error.hpp"
#include "enumwatch/sql/sql_lexer.hpp"
#include "enumwatch/sql/sql_quote.hpp"

using namespace enumwatch;
using Kind = SqlToken::Kind;

namespace {

std::string kinds(std::string_view sql) {
  std::string out;
  for (const auto& t : lex_sql(sql)) {
    out += t.kind == Kind::bare         ? 'b'
           : t.kind == Kind::comment    ? 'c'
           : t.kind == Kind::literal    ? 'l'
           : t.kind == Kind::identifier ? 'i'
                                        : 'd';
  }
  return out;
}

}  // namespace

TEST_CASE("a script splits into bare text, comments, literals, identifiers and dollar strings") {
  CHECK(kinds("SELECT 'a''b', \"x\"\"y\" -- c\n/* a /* nested */ b */ $f$ body $f$;") ==
        "blbibcbcbdb");
  CHECK(kinds("E'it\\'s' U&'\\0041' U&\"\\0041\"") == "lblbi");
  CHECK(kinds("SELECT $1, a$b, name'x'") == "bl");  // $1 and a$b are not dollar quotes
}

TEST_CASE("token values undo every quoting enumwatch and PostgreSQL's deparser write") {
  for (std::string_view name : {"plain", "it's", "say \"hi\"", "back\\slash", "line\nbreak",
                                "cr\r\nlf", "esc\x1b[31m", "tab\there", "\u2028sep", "ünïcödé"}) {
    CAPTURE(name);
    const std::string literal = quote_literal(name), identifier = quote_ident(name);
    auto lit = lex_sql(literal);
    REQUIRE(lit.size() == 1);
    CHECK(lit[0].kind == Kind::literal);
    CHECK(token_value(lit[0]) == name);
    auto id = lex_sql(identifier);
    REQUIRE(id.size() == 1);
    CHECK(id[0].kind == Kind::identifier);
    CHECK(token_value(id[0]) == name);
  }
  // Tokens view the text they were lexed from: keep it alive.
  const std::string escapes = "E'\\x41\\101\\u00e9\\U0001F600'", dollar = "$body$ x $$ y $body$";
  CHECK(token_value(lex_sql(escapes)[0]) == "AA\u00e9\U0001F600");
  CHECK(token_value(lex_sql(dollar)[0]) == " x $$ y ");
}

TEST_CASE("unclosed quotes and comments are errors, not silently bare text") {
  CHECK_THROWS_AS((void)lex_sql("SELECT 'open"), Error);
  CHECK_THROWS_AS((void)lex_sql("SELECT \"open"), Error);
  CHECK_THROWS_AS((void)lex_sql("SELECT E'it\\'"), Error);
  CHECK_THROWS_AS((void)lex_sql("/* a /* b */"), Error);
  CHECK_THROWS_AS((void)lex_sql("$x$ body"), Error);
}

TEST_CASE("control characters inside deparsed literals and names are requoted, layout kept") {
  // What pg_get_viewdef prints for a view over a column named "a<LF>b" filtering on 'x<CR>y'.
  const std::string deparsed = " SELECT t.\"a\nb\"\n   FROM t\n  WHERE t.s = 'x\ry'::text;";
  const std::string safe = requote_controls(deparsed);
  CHECK(safe == " SELECT t.U&\"a\\000ab\"\n   FROM t\n  WHERE t.s = E'x\\ry'::text;");
  // Nothing else changes, and a second pass is a no-op.
  CHECK(requote_controls("SELECT 'a''b' -- x\n") == "SELECT 'a''b' -- x\n");
  CHECK(requote_controls(safe) == safe);
  // A function body in dollar quotes becomes a literal: same text to the server.
  CHECK(requote_controls("AS $$ SELECT 'a\x1b' $$") == "AS E' SELECT ''a\\x1b'' '");
}
