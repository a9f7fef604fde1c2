#include "enumwatch/error.hpp"

namespace enumwatch {

std::string located(const SourceLocation& where, std::string_view message) {
  std::string out = where.file.empty() ? std::string("<input>") : where.file;
  if (where.line) {
    out += ':' + std::to_string(*where.line);
    if (where.column) out += ':' + std::to_string(*where.column);
  }
  out += ": ";
  out += message;
  return out;
}

}  // namespace enumwatch
