// PostgreSQL's lexical structure, just enough to tell what in a script is quoted and what is
// not: comments, string literals (plain, E'', U&''), quoted identifiers (plain, U&""),
// dollar-quoted strings, and everything else ("bare" text: keywords, operators, whitespace).
//
// Two users: remediation passes definitions that PostgreSQL deparsed (pg_get_viewdef, ...)
// through requote_controls, because the deparser writes a newline or an ESC inside a literal or
// a quoted name raw; and the fuzz harness checks with it that no catalog text is ever bare.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace enumwatch {

struct SqlToken {
  enum class Kind { bare, comment, literal, identifier, dollar };
  Kind kind;
  std::string_view text;  // exactly as written, quotes included
};

// Assumes standard_conforming_strings = on (PostgreSQL's default since 9.1, and what its
// deparser writes for). Throws Error when a comment, literal or identifier is not closed.
[[nodiscard]] std::vector<SqlToken> lex_sql(std::string_view sql);

// What a literal or quoted identifier means (quotes removed, escapes resolved); the body of a
// dollar-quoted string. Bare text and comments come back as written.
[[nodiscard]] std::string token_value(const SqlToken& token);

// The same SQL, with every literal and quoted identifier that holds a control character written
// again through quote_literal/quote_ident (E'\n', U&"\000a"), and every comment that holds one
// escaped: it means the same to the server and is one line per line to psql and a terminal.
[[nodiscard]] std::string requote_controls(std::string_view sql);

}  // namespace enumwatch
