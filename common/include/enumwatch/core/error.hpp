// Error reporting convention for common/: invalid input (config, snapshot, DSN) throws
// enumwatch::Error whose message is one line: where (file:line:column when known), what is wrong,
// and what to do. Callers print what() as is.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace enumwatch {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SourceLocation {
  std::string file;
  std::optional<int> line;
  std::optional<int> column;
};

// "file:line:column: message" (the parts that are known), with control characters in the message
// escaped: it often quotes the input.
[[nodiscard]] std::string located(const SourceLocation& where, std::string_view message);

}  // namespace enumwatch
