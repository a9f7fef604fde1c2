// Where PostgreSQL's programs are on this machine (initdb, pg_ctl, pg_dump), for `validate`:
// PATH first (a packager's or a user's choice wins), then the newest /usr/lib/postgresql/*/bin
// (Debian keeps the server's programs out of PATH).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace enumwatch {

// The full path of the executable `name`, or nothing when neither place has it.
[[nodiscard]] std::optional<std::string> find_postgres_program(std::string_view name);

}  // namespace enumwatch
