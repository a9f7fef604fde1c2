#include "enumwatch/catalog/schema_fingerprint.hpp"

#include <algorithm>
#include <set>

#include "enumwatch/catalog/catalog_query.hpp"
#include "enumwatch/catalog/ddl_trigger.hpp"
#include "enumwatch/core/error.hpp"
#include "enumwatch/core/sha256.hpp"

namespace enumwatch {
namespace {

// One query's rows, numbered in its own order (its ORDER BY, which string_agg then keeps), with
// their schema: the first column of every full-read query.
std::string part_rows(char part, std::string_view query) {
  return std::string("  SELECT '") + part +
         "'::pg_catalog.text AS part, q.s, q::pg_catalog.text AS line,\n"
         "         pg_catalog.row_number() OVER () AS n\n"
         "  FROM (\n" +
         std::string(query) + "\n  ) AS q(s)\n";
}

bool is_part(char c) {
  return c == 'e' || c == 'u' || c == 'c';
}

std::string build_schema_hashes_sql(bool checks) {
  // SHA-256 rather than md5, which FIPS builds of PostgreSQL refuse; textsend takes any encoding.
  return "SELECT part, s::pg_catalog.text, pg_catalog.encode(pg_catalog.sha256(\n"
         "         pg_catalog.textsend(pg_catalog.string_agg(line, E'\\n' ORDER BY n))), 'hex')\n"
         "FROM (\n" +
         part_rows('e', enum_types_sql()) + "  UNION ALL\n" + part_rows('u', column_usage_sql()) +
         (checks ? "  UNION ALL\n" + part_rows('c', check_constraints_sql()) : std::string()) +
         ") parts\n"
         "GROUP BY part, s\n"
         "UNION ALL\n"
         "SELECT '-', NULL, CASE WHEN " +
         std::string(ddl_trigger_installed_expression()) + " THEN 't' ELSE 'f' END";
}

}  // namespace

std::string schema_hashes_sql(bool checks) {
  // Built once: every shared round trip sends it.
  static const std::string with_checks = build_schema_hashes_sql(true);
  static const std::string without_checks = build_schema_hashes_sql(false);
  return checks ? with_checks : without_checks;
}

SchemaHashes decode_schema_hashes(const Rows& rows, bool checks) {
  SchemaHashes out;
  out.checks = checks;
  bool trigger_row = false;
  for (const auto& row : rows) {
    if (row.size() != 3 || !row[0] || row[0]->size() != 1 || !row[2])
      throw Error("unexpected row shape from the schema fingerprint query");
    const char part = row[0]->front();
    if (part == '-' && !row[1] && !trigger_row) {
      trigger_row = true;
      out.ddl_trigger_installed = *row[2] == "t";
    } else if (is_part(part) && row[1] && (part != 'c' || checks)) {
      if (!out.hashes.try_emplace({part, *row[1]}, *row[2]).second)
        throw Error("the schema fingerprint query returned schema \"" + *row[1] + "\" twice");
    } else {
      throw Error("unexpected row from the schema fingerprint query (part \"" + *row[0] + "\")");
    }
  }
  if (!trigger_row) throw Error("the schema fingerprint query returned no trigger row");
  return out;
}

CatalogRead<SchemaHashes> schema_hashes_read(const Scope& scope, bool checks) {
  return {schema_hashes_sql(checks),
          {pg_text_array(scope.schemas), pg_text_array(scope.exclude_schemas)},
          [checks](const Rows& rows) { return decode_schema_hashes(rows, checks); }};
}

Scope schemas_of_all(const std::vector<const Scope*>& scopes) {
  Scope out;
  std::set<std::string> named;                   // every schema a list names
  std::optional<std::set<std::string>> shunned;  // excluded by every scope of all schemas
  for (const Scope* scope : scopes) {
    if (!scope->schemas.empty()) {
      named.insert(scope->schemas.begin(), scope->schemas.end());
      continue;
    }
    std::set<std::string> excluded(scope->exclude_schemas.begin(), scope->exclude_schemas.end());
    if (!shunned) {
      shunned = std::move(excluded);
    } else {
      std::erase_if(*shunned, [&](const std::string& s) { return !excluded.contains(s); });
    }
  }
  if (!shunned) {
    out.schemas.assign(named.begin(), named.end());
    return out;
  }
  // Every schema, but those no scope of all schemas takes and no list names.
  for (const auto& s : *shunned)
    if (!named.contains(s)) out.exclude_schemas.push_back(s);
  return out;
}

Fingerprint target_fingerprint(const SchemaHashes& hashes, const Scope& scope, bool checks,
                               const RevisionSeen& revision) {
  if (checks && !hashes.checks)
    throw Error("internal: a fingerprint with CHECK enums from schema hashes read without them");
  // One line per hash in scope, in the map's order, then the revision: any hash or revision that
  // changes, any schema that comes or goes in scope, changes the text.
  std::string text;
  for (const auto& [key, hash] : hashes.hashes) {
    const auto& [part, schema] = key;
    if ((part == 'c' && !checks) || !scope.includes_schema(schema)) continue;
    text += part;
    text += ' ';
    text += hash;
    // Its length first: a schema's name may hold any character, a newline included.
    text += ' ' + std::to_string(schema.size()) + ':' + schema + '\n';
  }
  text += !revision.configured ? "-" : revision.revision ? "r" + *revision.revision : "n";
  return {sha256_hex(text), hashes.ddl_trigger_installed};
}

}  // namespace enumwatch
