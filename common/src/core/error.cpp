#include "enumwatch/core/error.hpp"

#include "enumwatch/core/text.hpp"

namespace enumwatch {

std::string located(const SourceLocation& where, std::string_view message) {
  std::string out = where.file.empty() ? std::string("<input>") : where.file;
  if (where.line) {
    out += ':' + std::to_string(*where.line);
    if (where.column) out += ':' + std::to_string(*where.column);
  }
  out += ": ";
  // The message quotes the input (a key, a name, the parser's "saw ..."): keep it one line.
  out += escape_control(message, BackslashEscape::keep);
  return out;
}

}  // namespace enumwatch
