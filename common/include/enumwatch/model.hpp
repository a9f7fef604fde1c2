// The vocabulary shared by every module: enum types, the columns that use them, and what one
// poll learned about a database.
#pragma once

#include <compare>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace enumwatch {

// How enum values must be spelled, per target.
enum class NamingPolicy { none, snake_case };

struct TypeName {
  std::string schema;
  std::string name;

  [[nodiscard]] std::string display() const;  // schema.name, unquoted, for humans and globs
  auto operator<=>(const TypeName&) const = default;
};

struct EnumType {
  TypeName type;
  std::vector<std::string> values;  // in the type's sort order

  bool operator==(const EnumType&) const = default;
};

// A table column whose type is the enum, an array of it, or a domain over either.
struct ColumnUse {
  enum class Via { direct, array, domain };

  std::string schema;
  std::string table;
  std::string column;
  Via via = Via::direct;
  std::optional<std::string> default_expr;  // schema-qualified, as pg_get_expr printed it

  [[nodiscard]] std::string display() const;  // schema.table.column
  bool operator==(const ColumnUse&) const = default;
};

struct Catalog {
  std::vector<EnumType> enums;  // sorted by (schema, name)
  std::map<TypeName, std::vector<ColumnUse>> used_by;

  [[nodiscard]] const EnumType* find(const TypeName& type) const;
  [[nodiscard]] const std::vector<ColumnUse>& uses_of(const TypeName& type) const;
};

// Everything one poll of a target reads from its database.
struct DatabaseState {
  Catalog catalog;
  std::optional<std::string> migration_revision;
};

void sort_enums(std::vector<EnumType>& enums);

// How the migration table records the revision: Alembic's version_num (several heads joined by
// ","), Flyway's latest successful versioned migration, or the greatest schema_migrations.version
// (Rails, golang-migrate, dbmate).
enum class MigrationTool { alembic, flyway, schema_migrations };
[[nodiscard]] std::string_view to_string(MigrationTool tool);

// Targets and snapshots are named by this rule: safe in URLs, file names, labels and log lines.
inline constexpr std::string_view kNameRule = "[A-Za-z0-9_.-]{1,64}";
[[nodiscard]] bool is_valid_name(std::string_view name);

}  // namespace enumwatch
