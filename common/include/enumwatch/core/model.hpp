// The vocabulary shared by every module: enum types, the columns that use them, and what one
// poll learned about a database.
#pragma once

#include <compare>
#include <map>
#include <memory>
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

// An enum kept as a CHECK constraint on a text-like column (docs/snapshot-format.md `[[check]]`):
// the values are a set. In a snapshot only schema, table, column and values are set.
struct CheckColumn {
  std::string schema = "public";
  std::string table;
  std::string column;
  std::vector<std::string> values;  // sorted, unique

  // Database side only.
  std::vector<std::string> constraints;     // the membership CHECKs on the column, by name
  std::string column_type;                  // format_type: text, character varying(20), ...
  std::optional<std::string> default_expr;  // as pg_get_expr printed it
  // What else those constraints require besides membership (each conjunct once, as printed,
  // e.g. "c IS NOT NULL"), which a swap keeps; and why a swap cannot rewrite them, when one ORs
  // its values with another condition (docs/check-enums.md).
  std::vector<std::string> kept_conjuncts;
  std::optional<std::string> unrewritable;
  // The domain whose CHECK lists the values, when the column is typed by one (its CHECK then
  // names the value VALUE, and the swap changes the domain: every column of it).
  std::optional<TypeName> domain{};

  // How drift items, alerts and metrics name it: enum = "table.column" in the schema.
  [[nodiscard]] TypeName key() const { return {schema, table + '.' + column}; }
  [[nodiscard]] std::string display() const;  // schema.table.column
  bool operator==(const CheckColumn&) const = default;
};

void sort_checks(std::vector<CheckColumn>& checks);

// A table column whose type is the enum, an array of it, or a domain over either.
struct ColumnUse {
  enum class Via { direct, array, domain };

  std::string schema;
  std::string table;
  std::string column;
  Via via = Via::direct;
  std::optional<std::string> default_expr;  // schema-qualified, as pg_get_expr printed it
  // The DEFAULT of the outermost domain (in the column's chain of domains) that has one: what an
  // INSERT without the column writes when the column has no default of its own.
  struct DomainDefault {
    TypeName domain;
    std::string expr;  // as pg_get_expr printed it
    bool operator==(const DomainDefault&) const = default;
  };
  // Boxed, and shared by copies: few columns have one, and a target keeps every column of its
  // types from its last full read (100 bytes each inline, 4 MB at 10 000 targets).
  std::shared_ptr<const DomainDefault> domain_default{};

  [[nodiscard]] std::string display() const;      // schema.table.column
  bool operator==(const ColumnUse& other) const;  // the domain defaults by value
};

// An object a create-swap-drop of an enum type must drop and re-create, because it depends on
// the type (directly, through a converted column, or through another dependent): read from
// pg_depend, with its definition as PostgreSQL prints it (docs/remediation.md).
struct Dependent {
  enum class Kind {
    column,  // a table column the recipe converts: only checked, never dropped
    index,
    constraint,
    view,
    materialized_view,
    policy,
    trigger,
    rule,
    function,
    procedure,
    statistics,
    domain,         // a domain over the type (or over one of these): recreated with it
    composite,      // a composite type with an attribute of the type (...): recreated with it
    default_value,  // the default of a column that is not converted
    inherited,      // a partition's index, constraint or trigger: comes back with its parent's;
                    // only checked
    unsupported,    // PostgreSQL cannot swap the type under it: the recipe refuses
  };
  Kind kind = Kind::unsupported;
  int depth = 1;                    // 1: depends on the type; n + 1: on a dependent at depth n
  std::string schema, name;         // the object's (a column's: its table's)
  std::string table_schema, table;  // the table an index, constraint, policy, trigger or rule is on
  std::string column;               // column, default_value
  // pg_get_viewdef, pg_get_indexdef, ...; JSON for a policy, a domain, a composite
  std::string definition;
  std::string identity;               // function, procedure: the identity arguments
  std::optional<std::string> owner;   // views, functions, statistics
  std::optional<std::string> grants;  // JSON from aclexplode; nothing: default privileges
  std::optional<std::string> comment;
  std::optional<std::string> column_comments;  // a view's: JSON {column: comment}
  bool populated = true;                       // materialized view
  std::string options;  // view options (reloptions), or a trigger's enabled state
  std::string why;      // unsupported: what depends on the type, and why it stops the recipe
  // column: a table column typed by a domain or composite over the type (or an array of one),
  // which the recipe converts: that type as format_type prints it, and the column's default.
  std::optional<std::string> convert_to;
  std::optional<std::string> convert_default;

  bool operator==(const Dependent&) const = default;
};

struct RewrittenTable {
  std::string schema, table;
  long long bytes = 0;  // pg_relation_size, partitions included
  long long rows = 0;   // reltuples: the planner's estimate

  bool operator==(const RewrittenTable&) const = default;
};

struct TypeDependents {
  std::vector<Dependent> objects;  // by depth, then kind and name
  std::vector<RewrittenTable> tables;

  bool operator==(const TypeDependents&) const = default;
};

struct Catalog {
  std::vector<EnumType> enums;      // sorted by (schema, name)
  std::vector<CheckColumn> checks;  // sorted by key(); empty when the target reads no checks
  std::map<TypeName, std::vector<ColumnUse>> used_by;
  // Read only for types whose fix recreates them (a removal or a reorder): the poll asks again.
  std::map<TypeName, TypeDependents> dependents;

  [[nodiscard]] const EnumType* find(const TypeName& type) const;
  [[nodiscard]] const CheckColumn* find_check(const TypeName& key) const;
  [[nodiscard]] const std::vector<ColumnUse>& uses_of(const TypeName& type) const;
};

// Everything one poll of a target reads from its database.
struct DatabaseState {
  Catalog catalog;
  std::optional<std::string> migration_revision;
  // What the fingerprint query (catalog_query.hpp) said when this state was read.
  std::string fingerprint;
  bool ddl_trigger_installed = false;  // the event trigger of docs/instant-detection.md
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
