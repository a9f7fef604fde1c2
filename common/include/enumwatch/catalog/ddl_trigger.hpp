// The event trigger (docs/instant-detection.md): the SQL that installs and removes it, and what the
// daemon needs to know of it (its name, its channel, how to tell that a database has it). Pure
// text: the daemon and `enumwatch install-trigger` run it.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/config/scope.hpp"

namespace enumwatch {

inline constexpr std::string_view kDdlTriggerName = "enumwatch_ddl_notify";
inline constexpr std::string_view kDdlChannel = "enumwatch_ddl";
// The first statement of each of enumwatch's transactions on a watched database
// (docs/security.md, "search_path").
// A notification the daemon sends itself over a target's poll connection to prove that its LISTEN
// connection receives what that database sends (docs/instant-detection.md, "Proof of listening"):
// the payload is this prefix and a nonce. Never a change: a listener drops every such payload.
inline constexpr std::string_view kListenProbePrefix = "enumwatch-probe:";
inline constexpr std::string_view kEmptySearchPath =
    "SELECT pg_catalog.set_config('search_path', '', true)";

// The statements, in order, that install (or, with uninstall, remove) the triggers, their
// functions and the log enumwatch.ddl_log, and make each of `monitoring_roles` a member of
// enumwatch_reader, which may read the log (docs/who-changed-it.md). Idempotent: running them
// again changes nothing, and upgrades an install of an earlier version. For one transaction.
[[nodiscard]] std::vector<std::string> ddl_trigger_statements(
    bool uninstall, std::span<const std::string> monitoring_roles = {});

// The same as a script a DBA can review and run with psql: one transaction, comments first. With
// a database name, the script refuses to run in any other.
[[nodiscard]] std::string ddl_trigger_script(bool uninstall, std::string_view database = {},
                                             std::span<const std::string> monitoring_roles = {});

// What a notification's payload is to a target of this scope.
enum class NotificationConcern {
  // A CREATE TYPE whose every schema is outside it, or such an ALTER TYPE of types whose names
  // the target did not see.
  none,
  // A change whose every schema is outside it that may still touch what it watches: a table or
  // domain that may use its types, a renamed schema, DROP OWNED, an ALTER TYPE of a type with a
  // name it saw (saw_type_named; SET SCHEMA names only the schema a type entered). In a database
  // of tenants, mostly another tenant's change (docs/instant-detection.md, "What fires").
  elsewhere,
  // A change in its schemas, or a payload that names none (a drop) or cannot be read.
  concerns,
};
[[nodiscard]] NotificationConcern notification_concern(
    std::string_view payload, const Scope& scope,
    const std::function<bool(std::string_view)>& saw_type_named = {});

// A boolean SQL expression: the trigger exists and is enabled in this database, and the server
// is not a standby (where it never fires).
[[nodiscard]] std::string_view ddl_trigger_installed_expression();

}  // namespace enumwatch
