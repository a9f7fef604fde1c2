#include "enumwatch/ddl_trigger.hpp"

#include <boost/json.hpp>

namespace enumwatch {
namespace {

// The commands that can change what a poll reads (SPEC §9). CREATE TABLE AS and SELECT INTO
// create tables too, but their columns can only take an enum type from a query, which a poll of
// the columns sees all the same: they are in the list for that.
constexpr std::string_view kTags =
    "'CREATE TYPE', 'ALTER TYPE', 'DROP TYPE', 'CREATE DOMAIN', 'ALTER DOMAIN', 'DROP DOMAIN', "
    "'CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE', 'DROP TABLE', "
    "'DROP SCHEMA'";

// The function runs as whoever runs the DDL, so it does nothing but notify, with a fixed
// search_path: nothing the migration's role put on its path can stand in for pg_notify. The
// payload is JSON: the command tag and the schemas of the objects it created or altered, so that
// a listener watching other schemas can skip a CREATE/ALTER TYPE (a DROP names none; a payload
// near NOTIFY's 8000-byte limit drops them: every listener then polls). PostgreSQL sends
// notifications at COMMIT only, and folds identical ones of one transaction into one.
constexpr std::string_view kFunction =
    "CREATE FUNCTION public.enumwatch_ddl_notify() RETURNS event_trigger\n"
    "  LANGUAGE plpgsql SET search_path = pg_catalog AS $enumwatch$\n"
    "DECLARE\n"
    "  payload text;\n"
    "BEGIN\n"
    "  SELECT pg_catalog.json_build_object('tag', tg_tag, 'schemas', pg_catalog.json_agg(\n"
    "           DISTINCT c.schema_name) FILTER (WHERE c.schema_name IS NOT NULL))::text\n"
    "    INTO payload FROM pg_catalog.pg_event_trigger_ddl_commands() c;\n"
    "  IF payload IS NULL OR pg_catalog.octet_length(payload) > 7000 THEN\n"
    "    payload := pg_catalog.json_build_object('tag', tg_tag)::text;\n"
    "  END IF;\n"
    "  PERFORM pg_catalog.pg_notify('enumwatch_ddl', payload);\n"
    "END\n"
    "$enumwatch$";

}  // namespace

std::vector<std::string> ddl_trigger_statements(bool uninstall) {
  std::vector<std::string> out;
  // CREATE EVENT TRIGGER has no OR REPLACE: dropping it first makes a re-install idempotent
  // and picks up a changed list of commands.
  out.emplace_back("DROP EVENT TRIGGER IF EXISTS enumwatch_ddl_notify");
  // Dropped and created, never replaced: CREATE OR REPLACE keeps the owner of a function that
  // someone else created first, who could then rewrite what runs inside every DDL statement.
  out.emplace_back("DROP FUNCTION IF EXISTS public.enumwatch_ddl_notify()");
  if (uninstall) return out;
  out.emplace_back(kFunction);
  out.emplace_back(
      "COMMENT ON FUNCTION public.enumwatch_ddl_notify() IS "
      "'enumwatch: tells the enumwatch daemon (LISTEN enumwatch_ddl) that a schema change "
      "committed; remove with enumwatch install-trigger --uninstall'");
  out.emplace_back(
      "CREATE EVENT TRIGGER enumwatch_ddl_notify ON ddl_command_end\n"
      "  WHEN TAG IN (" +
      std::string(kTags) + ")\n  EXECUTE FUNCTION public.enumwatch_ddl_notify()");
  return out;
}

std::string ddl_trigger_script(bool uninstall) {
  std::string out =
      uninstall ? "-- enumwatch: remove the event trigger enumwatch_ddl_notify and its function.\n"
                : "-- enumwatch: the event trigger that makes enum changes visible at once "
                  "(SPEC section 9).\n"
                  "-- Run once per database, as a superuser (event triggers need one). The "
                  "monitoring role\n"
                  "-- needs nothing more: it only LISTENs on the channel enumwatch_ddl.\n";
  out += "BEGIN;\n";
  for (const auto& statement : ddl_trigger_statements(uninstall)) out += statement + ";\n";
  out += "COMMIT;\n";
  return out;
}

bool notification_concerns(std::string_view payload, const Scope& scope) {
  // Only a type's own commands are bounded by its schema: a table or a domain in any schema may
  // use a watched type. Anything unexpected in the payload polls.
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(payload, ec);
  if (ec || !parsed.is_object()) return true;
  const auto& object = parsed.get_object();
  const auto* tag = object.if_contains("tag");
  const auto* schemas = object.if_contains("schemas");
  if (!tag || !tag->is_string() || !schemas || !schemas->is_array() || schemas->get_array().empty())
    return true;
  if (tag->get_string() != "CREATE TYPE" && tag->get_string() != "ALTER TYPE") return true;
  for (const auto& schema : schemas->get_array()) {
    if (!schema.is_string()) return true;
    if (scope.includes_schema(std::string(schema.get_string()))) return true;
  }
  return false;
}

std::string_view ddl_trigger_installed_expression() {
  // A standby has the primary's trigger in its catalog, but nothing fires there and LISTEN is
  // refused during recovery: it counts as not installed.
  return "(EXISTS (SELECT FROM pg_catalog.pg_event_trigger\n"
         "                WHERE evtname = 'enumwatch_ddl_notify' AND evtenabled <> 'D')\n"
         "   AND NOT pg_catalog.pg_is_in_recovery())";
}

}  // namespace enumwatch
