#include "enumwatch/model.hpp"

#include <algorithm>

namespace enumwatch {

std::string TypeName::display() const {
  return schema + '.' + name;
}

std::string ColumnUse::display() const {
  return schema + '.' + table + '.' + column;
}

const EnumType* Catalog::find(const TypeName& type) const {
  auto it = std::lower_bound(enums.begin(), enums.end(), type,
                             [](const EnumType& e, const TypeName& t) { return e.type < t; });
  return it != enums.end() && it->type == type ? &*it : nullptr;
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

}  // namespace enumwatch
