// Connection strings in both libpq forms (key=value and postgresql:// URI), parsed by libpq's own
// parser so that enumwatch understands exactly what libpq will. Passwords never leave this file
// in clear: every rendering for humans is redacted.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace enumwatch {

struct ConnParams {
  std::vector<std::pair<std::string, std::string>> entries;  // only the keys that are set

  [[nodiscard]] const std::string* find(std::string_view key) const;
  void set(std::string_view key, std::string value);
  [[nodiscard]] std::string redacted() const;  // key=value form, password shown as *****
};

// Equal for two parameter sets that connect the same way (the order of keys does not matter):
// what the daemon shares a poll or a LISTEN connection by (docs/fleet.md).
[[nodiscard]] std::string connection_key(const ConnParams& params);

// Throws Error (with the DSN redacted) when libpq cannot parse it.
[[nodiscard]] ConnParams parse_dsn(std::string_view dsn);

// Fills in what a `service=NAME` (or PGSERVICE) names in the connection service file, as libpq
// would: PGSERVICEFILE or ~/.pg_service.conf first, then PGSYSCONFDIR (default
// /etc/postgresql-common)/pg_service.conf; keys already set win. Done before connecting so that
// a host name from the file is resolved off the event loop too (libpq would resolve it inside
// PQconnectStart). Throws Error when the service is named but found in no file.
void expand_service(ConnParams& params);

// Hides passwords in any text that may contain a DSN, even a malformed one.
[[nodiscard]] std::string redact_dsn(std::string_view text);

}  // namespace enumwatch
