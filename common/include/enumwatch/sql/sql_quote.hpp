// Quoting for SQL that enumwatch writes: any identifier or literal PostgreSQL accepts, whatever
// it holds (quotes, backslashes, newlines, non-ASCII), comes out meaning exactly itself.
#pragma once

#include <string>
#include <string_view>

#include "enumwatch/core/model.hpp"

namespace enumwatch {

// A name holding a control character (a newline, CR, ESC, U+2028 …) is written as U&"…" with
// \XXXX escapes, so no raw control character is ever in enumwatch's SQL: psql drops a CR before
// a LF while reading a script, and a terminal would act on ESC.
// True when the text holds a character quote_ident and quote_literal would escape: C0, DEL, C1,
// U+2028 or U+2029.
[[nodiscard]] bool has_control(std::string_view text);

[[nodiscard]] std::string quote_ident(std::string_view identifier);
// E'' with escapes when the text holds a backslash or a control character, so it means the same
// whatever standard_conforming_strings and whatever happens to line endings on the way.
[[nodiscard]] std::string quote_literal(std::string_view literal);
[[nodiscard]] std::string quote_type(const TypeName& type);  // "schema"."name"

// Text for a `--` comment: catalog names may hold a newline (legal in a quoted identifier), and
// a newline would end the comment and turn the rest of the name into SQL that psql runs. Every
// control character is escaped (escape_control), so the comment stays one line.
[[nodiscard]] std::string sql_comment(std::string_view text);

}  // namespace enumwatch
