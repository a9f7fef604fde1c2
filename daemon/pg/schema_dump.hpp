// Production's schema for `validate --dsn` (docs/validate.md, "Starting from production"):
// pg_dump --schema-only, read only, without owners, grants or comments, so that it loads into a
// throwaway copy that has none of production's roles.
#pragma once

#include <string>

#include "enumwatch/config/dsn.hpp"

namespace enumwatch {

// A pg_dump found on this machine, and its version as `pg_dump --version` prints it.
struct PgDump {
  std::string path;
  std::string version;  // "15.14"
  int version_num = 0;  // its major version as server_version_num counts: 150000, 90600
};

// The pg_dump to use: PATH first, then the newest /usr/lib/postgresql/*/bin. Throws Error when
// there is none, or when it does not say which version it is.
[[nodiscard]] PgDump find_pg_dump();

// pg_dump refuses to dump a server of a newer major version than its own: throws Error, naming
// both versions and what to install, unless `pg_dump` is at least the server's
// (server_version_num) major version.
void require_pg_dump_for(const PgDump& pg_dump, int server_version_num);

// Runs pg_dump for the database `params` names; the password reaches it in its environment, never
// on its command line. Returns the SQL, without psql's meta-commands. Throws Error, with the
// password redacted, when pg_dump fails (its last line).
[[nodiscard]] std::string dump_schema(const PgDump& pg_dump, const ConnParams& params,
                                      int lock_wait_seconds);

}  // namespace enumwatch
