// The fingerprint a quiet poll reads instead of the catalog, one hash per schema: one statement
// hashes what a full read would return of every schema of a database once, whichever targets
// watch it, and a target's fingerprint combines the hashes of the schemas in its scope with its
// own migration revision (docs/fleet.md, "One fingerprint query per database"). Pure.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "enumwatch/catalog/catalog_read.hpp"
#include "enumwatch/config/scope.hpp"

namespace enumwatch {

struct SchemaHashes {
  // The hash of what one full-read query returns of one schema, by (part, schema): part 'e' the
  // enum types, 'u' the columns using them (by the enum's schema), 'c' the CHECK constraints
  // (by the table's schema), read only when `checks`. A schema with nothing has no entry.
  std::map<std::pair<char, std::string>, std::string> hashes;
  bool checks = false;
  bool ddl_trigger_installed = false;
};

// One statement, $1 and $2 as enum_types_sql()'s: rows (part, schema, hash), and one row ('-',
// NULL, 't' or 'f') saying whether the event trigger (docs/instant-detection.md) is installed.
// Each part is the full read's own query, whole, so the hashes cover exactly what a full read
// decodes (and the queries cannot drift apart).
[[nodiscard]] std::string schema_hashes_sql(bool checks);
// Throws Error if the rows do not have the shape the SQL promises.
[[nodiscard]] SchemaHashes decode_schema_hashes(const Rows& rows, bool checks);
[[nodiscard]] CatalogRead<SchemaHashes> schema_hashes_read(const Scope& scope, bool checks);

// The smallest scope whose schema hashes hold every one of `scopes`' (ignore globs aside: a
// fingerprint covers ignored types too, and a change in one costs a full read, nothing more).
[[nodiscard]] Scope schemas_of_all(const std::vector<const Scope*>& scopes);

// The migration revision as a fingerprint counts it: no table configured, an empty one, or a
// revision.
struct RevisionSeen {
  bool configured = false;
  std::optional<std::string> revision;
};

struct Fingerprint {
  std::string hash;
  bool ddl_trigger_installed = false;
};
// A target's fingerprint: the same whether its schema hashes were read for it alone or with
// other targets'. Throws Error when it needs the CHECK part and `hashes` lacks it.
[[nodiscard]] Fingerprint target_fingerprint(const SchemaHashes& hashes, const Scope& scope,
                                             bool checks, const RevisionSeen& revision);

}  // namespace enumwatch
