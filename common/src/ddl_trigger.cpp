#include "enumwatch/ddl_trigger.hpp"

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
// payload is the command tag, for logs; the notification itself is the news. PostgreSQL sends
// notifications at COMMIT only, and folds identical ones of one transaction into one.
constexpr std::string_view kFunction =
    "CREATE FUNCTION public.enumwatch_ddl_notify() RETURNS event_trigger\n"
    "  LANGUAGE plpgsql SET search_path = pg_catalog AS $enumwatch$\n"
    "BEGIN\n"
    "  PERFORM pg_catalog.pg_notify('enumwatch_ddl', tg_tag);\n"
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

std::string_view ddl_trigger_installed_expression() {
  return "EXISTS (SELECT FROM pg_catalog.pg_event_trigger\n"
         "               WHERE evtname = 'enumwatch_ddl_notify' AND evtenabled <> 'D')";
}

}  // namespace enumwatch
