// Which enum types of a database a target looks at: schemas, excluded schemas, ignore globs.
#pragma once

#include <string>
#include <vector>

#include "enumwatch/core/model.hpp"

namespace enumwatch {

struct Scope {
  std::vector<std::string> schemas;  // empty: every non-system schema
  std::vector<std::string> exclude_schemas;
  std::vector<std::string> ignore;  // shell globs on "schema.enum"

  [[nodiscard]] bool includes(const TypeName& type) const;
  // Whether any type of this schema may be included (ignore globs aside).
  [[nodiscard]] bool includes_schema(const std::string& schema) const;
  bool operator==(const Scope&) const = default;
};

// PostgreSQL's own schemas, never watched.
[[nodiscard]] bool is_system_schema(const std::string& schema);

}  // namespace enumwatch
