// The objects that depend on an enum type, for a create-swap-drop that keeps every one of them
// (docs/remediation.md): the SQL that finds them through pg_depend, recursively, with their
// definitions as PostgreSQL prints them, and the decoding of its rows. Pure, like catalog_query.
#pragma once

#include <string_view>
#include <vector>

#include "enumwatch/catalog/catalog_query.hpp"
#include "enumwatch/core/model.hpp"

namespace enumwatch {

// $1 = schema, $2 = type name. Run with search_path = '' so that every definition is
// schema-qualified. Rows: depth, kind, schema, name, table schema, table, column, definition,
// identity arguments, owner, grants (JSON), comment, populated, options, why, bytes, rows,
// column comments of a view or composite (JSON), the type a column is converted to, its default.
// The remediation script embeds the same text to record and re-check the dependents.
[[nodiscard]] std::string_view dependents_sql();

// Throws Error when a row does not have the expected shape.
[[nodiscard]] TypeDependents decode_dependents(const Rows& rows);
// dependents_sql() for one type, with its decoder.
[[nodiscard]] CatalogRead<TypeDependents> dependents_read(const TypeName& type);

[[nodiscard]] std::string_view to_string(Dependent::Kind kind);

}  // namespace enumwatch
