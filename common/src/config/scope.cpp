#include "enumwatch/config/scope.hpp"

#include <fnmatch.h>

#include <algorithm>

namespace enumwatch {

bool is_system_schema(const std::string& schema) {
  return schema == "pg_catalog" || schema == "information_schema" ||
         schema.starts_with("pg_toast") || schema.starts_with("pg_temp_");
}

bool Scope::includes_schema(const std::string& schema) const {
  if (is_system_schema(schema)) return false;
  auto contains = [](const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
  };
  if (!schemas.empty() && !contains(schemas, schema)) return false;
  return !contains(exclude_schemas, schema);
}

bool Scope::includes(const TypeName& type) const {
  if (!includes_schema(type.schema)) return false;
  if (ignore.empty()) return true;
  const std::string full = type.display();
  return std::none_of(ignore.begin(), ignore.end(), [&](const std::string& glob) {
    return fnmatch(glob.c_str(), full.c_str(), 0) == 0;
  });
}

}  // namespace enumwatch
