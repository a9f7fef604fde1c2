// Quoting for SQL that enumwatch writes: any identifier or literal PostgreSQL accepts, whatever
// it holds (quotes, backslashes, newlines, non-ASCII), comes out meaning exactly itself.
#pragma once

#include <string>
#include <string_view>

#include "enumwatch/model.hpp"

namespace enumwatch {

[[nodiscard]] std::string quote_ident(std::string_view identifier);
// E'' when the text holds a backslash, so it means the same whatever standard_conforming_strings.
[[nodiscard]] std::string quote_literal(std::string_view literal);
[[nodiscard]] std::string quote_type(const TypeName& type);  // "schema"."name"

}  // namespace enumwatch
