// The event trigger of SPEC §9: the SQL that installs and removes it, and what the daemon needs to
// know of it (its name, its channel, how to tell that a database has it). Pure text: the daemon
// and `enumwatch install-trigger` run it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/scope.hpp"

namespace enumwatch {

inline constexpr std::string_view kDdlTriggerName = "enumwatch_ddl_notify";
inline constexpr std::string_view kDdlChannel = "enumwatch_ddl";

// The statements, in order, that install (or, with uninstall, remove) the trigger and its
// function. Idempotent: running them again changes nothing. Meant for one transaction.
[[nodiscard]] std::vector<std::string> ddl_trigger_statements(bool uninstall);

// The same as a script a DBA can review and run with psql: one transaction, comments first.
[[nodiscard]] std::string ddl_trigger_script(bool uninstall);

// Whether a notification's payload may concern a target of this scope: false only for a
// CREATE/ALTER TYPE whose every schema is outside it. Any other payload, malformed ones
// included, concerns every target (a needless poll is cheap; a missed one is not).
[[nodiscard]] bool notification_concerns(std::string_view payload, const Scope& scope);

// A boolean SQL expression: the trigger exists and is enabled in this database, and the server
// is not a standby (where it never fires).
[[nodiscard]] std::string_view ddl_trigger_installed_expression();

}  // namespace enumwatch
