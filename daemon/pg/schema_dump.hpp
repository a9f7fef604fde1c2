// Production's schema for `validate --dsn` (docs/validate.md, "Starting from production"):
// pg_dump --schema-only, read only, without owners, grants or comments, so that it loads into a
// throwaway copy that has none of production's roles.
#pragma once

#include <string>

#include "enumwatch/config/dsn.hpp"

namespace enumwatch {

// Runs pg_dump (PATH first, then the newest /usr/lib/postgresql/*/bin) for the database `params`
// names; the password reaches it in its environment, never on its command line. Returns the
// SQL, without psql's meta-commands. Throws Error, with the password redacted, when pg_dump is
// missing or fails (its last line: a server newer than pg_dump says so).
[[nodiscard]] std::string dump_schema(const ConnParams& params, int lock_wait_seconds);

}  // namespace enumwatch
