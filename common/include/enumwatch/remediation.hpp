// SQL that makes a database match a snapshot. Quoting is correct for any identifier or label.
// Additions never rewrite a table (ADD VALUE ... BEFORE/AFTER); removals and reorders recreate the
// type in one transaction that fails, changing nothing, while any row still holds a dropped value.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/drift.hpp"
#include "enumwatch/model.hpp"
#include "enumwatch/sql_quote.hpp"

namespace enumwatch {

[[nodiscard]] std::string create_type_sql(const EnumType& type);
[[nodiscard]] std::string drop_type_sql(const TypeName& type);
[[nodiscard]] std::string rename_value_sql(const TypeName& type, std::string_view from,
                                           std::string_view to);

// Where a new value goes: BEFORE an existing one, AFTER one, or at the end.
struct Placement {
  enum class Kind { end, before, after } kind = Kind::end;
  std::string neighbour;
};
[[nodiscard]] std::string add_value_sql(const TypeName& type, std::string_view value,
                                        const Placement& placement);

// Create-swap-drop: a new type with exactly `values`, every table column (direct, arrays,
// defaults) converted to it in one transaction, the old type dropped.
[[nodiscard]] std::string recreate_type_sql(const TypeName& type,
                                            const std::vector<std::string>& values,
                                            const std::vector<ColumnUse>& columns);

// One script for a whole diff, in an order that applies cleanly: per enum, renames, then either
// the recreate recipe or the additions; missing types created; unexpected types dropped.
[[nodiscard]] std::string remediation_script(std::span<const DriftItem> items);

}  // namespace enumwatch
