#include "enumwatch/sql/sql_quote.hpp"

#include "enumwatch/core/text.hpp"
#include "enumwatch/core/utf8.hpp"

namespace enumwatch {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Characters that must never appear raw in SQL enumwatch writes: they end lines (psql strips a
// CR before LF, so 'a\r\n' would reach the server as 'a\n'), or drive a terminal that shows
// the script.
bool needs_escape(char32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

void append_hex(std::string& out, char32_t cp, int digits) {
  for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 0xF];
}

}  // namespace

bool has_control(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto [cp, len] = next_code_point(text, i);
    if (needs_escape(cp)) return true;
    i += len;
  }
  return false;
}

std::string quote_ident(std::string_view identifier) {
  if (!has_control(identifier)) {
    std::string out = "\"";
    for (char c : identifier) {
      if (c == '"') out += '"';
      out += c;
    }
    return out + '"';
  }
  // U&"..." with \XXXX escapes: the name survives any line-ending conversion and shows safely.
  std::string out = "U&\"";
  for (std::size_t i = 0; i < identifier.size();) {
    const auto [cp, len] = next_code_point(identifier, i);
    if (needs_escape(cp)) {
      out += '\\';
      append_hex(out, cp, 4);
    } else if (cp == '\\') {
      out += "\\\\";
    } else {
      if (cp == '"') out += '"';
      out.append(identifier.substr(i, len));
    }
    i += len;
  }
  return out + '"';
}

std::string quote_literal(std::string_view literal) {
  // With a backslash or a control character, E'' with escapes: the result means the same whatever
  // standard_conforming_strings, and no line-ending conversion can change it.
  if (literal.find('\\') == std::string_view::npos && !has_control(literal)) {
    std::string out = "'";
    for (char c : literal) {
      if (c == '\'') out += '\'';
      out += c;
    }
    return out + '\'';
  }
  std::string out = "E'";
  for (std::size_t i = 0; i < literal.size();) {
    const auto [cp, len] = next_code_point(literal, i);
    if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp < 0x20 || cp == 0x7F || (len == 1 && cp >= 0x80)) {
      // A byte that begins no UTF-8 sequence (a SQL_ASCII database keeps any) is that byte:
      // \u would write the code point of the same number, which is other bytes.
      out += "\\x";
      append_hex(out, cp, 2);
    } else if (needs_escape(cp)) {
      out += "\\u";
      append_hex(out, cp, 4);
    } else if (cp == '\\') {
      out += "\\\\";
    } else {
      if (cp == '\'') out += '\'';
      out.append(literal.substr(i, len));
    }
    i += len;
  }
  return out + '\'';
}

std::string quote_type(const TypeName& type) {
  return quote_ident(type.schema) + '.' + quote_ident(type.name);
}

std::string sql_comment(std::string_view text) {
  return escape_control(text);
}

}  // namespace enumwatch
