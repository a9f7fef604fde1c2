#include "enumwatch/core/model.hpp"

#include <algorithm>

namespace enumwatch {

std::string TypeName::display() const {
  return schema + '.' + name;
}

std::string ColumnUse::display() const {
  return schema + '.' + table + '.' + column;
}

bool ColumnUse::operator==(const ColumnUse& other) const {
  const bool same_domain_default = domain_default && other.domain_default
                                       ? *domain_default == *other.domain_default
                                       : !domain_default == !other.domain_default;
  return schema == other.schema && table == other.table && column == other.column &&
         via == other.via && default_expr == other.default_expr && same_domain_default;
}

const EnumType* Catalog::find(const TypeName& type) const {
  auto it = std::lower_bound(enums.begin(), enums.end(), type,
                             [](const EnumType& e, const TypeName& t) { return e.type < t; });
  return it != enums.end() && it->type == type ? &*it : nullptr;
}

std::string CheckColumn::display() const {
  return schema + '.' + table + '.' + column;
}

void sort_checks(std::vector<CheckColumn>& checks) {
  std::sort(checks.begin(), checks.end(),
            [](const CheckColumn& a, const CheckColumn& b) { return a.key() < b.key(); });
}

const CheckColumn* Catalog::find_check(const TypeName& key) const {
  auto it = std::lower_bound(checks.begin(), checks.end(), key,
                             [](const CheckColumn& c, const TypeName& k) { return c.key() < k; });
  return it != checks.end() && it->key() == key ? &*it : nullptr;
}

const std::vector<ColumnUse>& Catalog::uses_of(const TypeName& type) const {
  static const std::vector<ColumnUse> none;
  auto it = used_by.find(type);
  return it == used_by.end() ? none : it->second;
}

void sort_enums(std::vector<EnumType>& enums) {
  std::sort(enums.begin(), enums.end(),
            [](const EnumType& a, const EnumType& b) { return a.type < b.type; });
}

std::string_view to_string(MigrationTool tool) {
  switch (tool) {
    case MigrationTool::alembic:
      return "alembic";
    case MigrationTool::flyway:
      return "flyway";
    case MigrationTool::schema_migrations:
      return "schema_migrations";
  }
  return "alembic";
}

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

}  // namespace enumwatch
