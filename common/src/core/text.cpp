#include "enumwatch/core/text.hpp"

#include "enumwatch/core/utf8.hpp"

#include <algorithm>
#include <cstdio>

namespace enumwatch {

std::string toml_quote(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04X", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

std::string escape_control(std::string_view text, BackslashEscape backslash) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  auto byte_escape = [&](unsigned char c) {
    out += "\\x";
    out += hex[c >> 4];
    out += hex[c & 0xF];
  };
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\\':
          out += backslash == BackslashEscape::escape ? "\\\\" : "\\";
          break;
        default:
          if (c < 0x20 || c == 0x7F) {
            byte_escape(c);
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    const std::size_t len = utf8_sequence_length(text, i);
    if (len == 0) {
      byte_escape(c);
      ++i;
      continue;
    }
    const std::string_view sequence = text.substr(i, len);
    if (sequence == "\u2028" || sequence == "\u2029") {
      out += sequence == "\u2028" ? "\\u2028" : "\\u2029";
    } else if (len == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      // C1 controls (U+0080..U+009F), CSI among them
      out += "\\u00";
      out += hex[static_cast<unsigned char>(text[i + 1]) >> 4];
      out += hex[static_cast<unsigned char>(text[i + 1]) & 0xF];
    } else {
      out += sequence;
    }
    i += len;
  }
  return out;
}

std::pair<int, int> line_column(std::string_view text, std::size_t offset) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

}  // namespace enumwatch
