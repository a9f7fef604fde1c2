#include "enumwatch/sql_quote.hpp"

namespace enumwatch {

std::string quote_ident(std::string_view identifier) {
  std::string out = "\"";
  for (char c : identifier) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string quote_literal(std::string_view literal) {
  // With a backslash, use E'' so the result means the same whatever standard_conforming_strings.
  const bool escape = literal.find('\\') != std::string_view::npos;
  std::string out = escape ? "E'" : "'";
  for (char c : literal) {
    if (c == '\'') out += '\'';
    if (c == '\\') out += '\\';
    out += c;
  }
  return out + '\'';
}

std::string quote_type(const TypeName& type) {
  return quote_ident(type.schema) + '.' + quote_ident(type.name);
}

}  // namespace enumwatch
