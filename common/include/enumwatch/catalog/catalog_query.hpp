// The SQL that reads a database's enum types and the columns using them, and the decoding of its
// rows into a Catalog. Pure: the daemon's client runs the text, this file knows what it means.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/catalog/catalog_read.hpp"
#include "enumwatch/config/config.hpp"
#include "enumwatch/config/scope.hpp"
#include "enumwatch/core/model.hpp"

namespace enumwatch {

// Both take $1 = schemas to include (text[], empty: all), $2 = schemas to exclude (text[]).
// Rows: schema, type name, label; ordered by type then enumsortorder.
[[nodiscard]] std::string_view enum_types_sql();
// Rows: enum schema, enum name, table schema, table, column, via (direct|array|domain), default.
[[nodiscard]] std::string_view column_usage_sql();
// Rows: schema, table, column, column type, constraint name, constraint definition, column
// default; every CHECK on one text-like column, membership test or not ($1, $2 as above).
[[nodiscard]] std::string_view check_constraints_sql();
// The CHECK-constraint enums among those rows (check_constraint.hpp), in scope, sorted.
[[nodiscard]] std::vector<CheckColumn> decode_checks(const Rows& rows, const Scope& scope);
// The configured migration_table as SQL names it, quoted ("schema"."table" or "table").
[[nodiscard]] std::string quote_migration_table(std::string_view configured);
[[nodiscard]] bool migration_table_qualified(std::string_view configured);
// Resolves a relation name through the session's search_path: $1 = the quoted name; one row
// (schema, table), or none when nothing of that name is visible. Every name in it is qualified,
// since it runs before the search_path is emptied (docs/security.md, "search_path").
[[nodiscard]] std::string_view resolve_relation_sql();
// The relation, quoted and schema-qualified; nullopt when the name resolved to nothing.
[[nodiscard]] std::optional<std::string> decode_resolved_relation(const Rows& rows);
// One row, one column: the migration revision in the tool's format (Alembic heads joined by ",");
// NULL when the table is empty. `relation` is SQL text: quote_migration_table's, or resolved.
[[nodiscard]] std::string migration_revision_sql(std::string_view relation,
                                                 MigrationTool tool = MigrationTool::alembic);

// The two array parameters in PostgreSQL's text form, e.g. {"public","app"}.
[[nodiscard]] std::string pg_text_array(const std::vector<std::string>& items);

// Throws Error if the rows do not have the expected shape (a bug or an incompatible server).
[[nodiscard]] Catalog decode_catalog(const Rows& enum_rows, const Rows& usage_rows,
                                     const Scope& scope);
[[nodiscard]] std::optional<std::string> decode_migration_revision(const Rows& rows);

// The reads a poll sends, each its SQL above with its parameters and decoder (catalog_read.hpp);
// the fingerprint's is schema_fingerprint.hpp's.
// Each returns the rows of every schema in `scope`: the enum types' and the columns' rows become
// a Catalog together (decode_catalog), the CHECK constraints' a target's CheckColumns
// (decode_checks), each with the target's own scope, so that one read can serve every target of
// a database (docs/fleet.md, "One full read per database").
[[nodiscard]] CatalogRead<Rows> enum_types_read(const Scope& scope);
[[nodiscard]] CatalogRead<Rows> column_usage_read(const Scope& scope);
[[nodiscard]] CatalogRead<Rows> check_constraints_read(const Scope& scope);
[[nodiscard]] CatalogRead<std::optional<std::string>> migration_revision_read(
    std::string_view relation, MigrationTool tool);
// `configured`: migration_table as configured, unqualified.
[[nodiscard]] CatalogRead<std::optional<std::string>> resolve_relation_read(
    std::string_view configured);

}  // namespace enumwatch
