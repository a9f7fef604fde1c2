#include "enumwatch/catalog/ddl_trigger.hpp"

#include <boost/json.hpp>

#include "enumwatch/sql/sql_quote.hpp"

namespace enumwatch {
namespace {

// Every command that can add, change, move, rename or drop what a poll reads
// (docs/instant-detection.md, "What fires"): types, domains, tables and foreign tables, schemas
// (ALTER SCHEMA ... RENAME moves every type in it; CREATE SCHEMA may create tables in one go),
// DROP OWNED, and extensions (ALTER EXTENSION ... DROP TYPE hands an extension's type to the
// database). CREATE TABLE AS and SELECT INTO create tables too: their columns can only take an
// enum type from a query, which a poll of the columns sees all the same.
constexpr std::string_view kTags =
    "'CREATE TYPE', 'ALTER TYPE', 'DROP TYPE', 'CREATE DOMAIN', 'ALTER DOMAIN', 'DROP DOMAIN', "
    "'CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE', 'DROP TABLE', "
    "'CREATE FOREIGN TABLE', 'ALTER FOREIGN TABLE', 'DROP FOREIGN TABLE', 'IMPORT FOREIGN SCHEMA', "
    "'CREATE SCHEMA', 'ALTER SCHEMA', 'DROP SCHEMA', 'DROP OWNED', 'CREATE EXTENSION', "
    "'ALTER EXTENSION', 'DROP EXTENSION'";

// The function runs as whoever runs the DDL, so it does nothing but notify, with an empty
// search_path: nothing the migration's role put on its path can stand in for pg_notify. The
// payload is JSON: the command tag, the schemas of the objects it created or altered, and the
// names of the types among them, so that a listener watching other schemas can skip a CREATE or
// ALTER TYPE (a type moved by SET SCHEMA is named by the schema it entered: the daemon matches
// its name against the types it saw; a DROP names none; a payload near NOTIFY's 8000-byte limit
// drops them: every listener then polls). PostgreSQL sends notifications at COMMIT only, and
// folds identical ones of one transaction into one.
constexpr std::string_view kFunction =
    "CREATE FUNCTION enumwatch.enumwatch_ddl_notify() RETURNS event_trigger\n"
    "  LANGUAGE plpgsql SET search_path = '' AS $enumwatch$\n"
    "DECLARE\n"
    "  payload text;\n"
    "BEGIN\n"
    "  SELECT pg_catalog.json_build_object('tag', tg_tag,\n"
    "           'schemas', pg_catalog.json_agg(DISTINCT c.schema_name)\n"
    "                        FILTER (WHERE c.schema_name IS NOT NULL),\n"
    "           'types', pg_catalog.json_agg(DISTINCT t.typname) FILTER (WHERE t.oid IS NOT NULL)\n"
    "         )::text\n"
    "    INTO payload\n"
    "    FROM pg_catalog.pg_event_trigger_ddl_commands() c\n"
    "    LEFT JOIN pg_catalog.pg_type t\n"
    "      ON c.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND t.oid = c.objid;\n"
    "  IF payload IS NULL OR pg_catalog.octet_length(payload) > 7000 THEN\n"
    "    payload := pg_catalog.json_build_object('tag', tg_tag)::text;\n"
    "  END IF;\n"
    "  PERFORM pg_catalog.pg_notify('enumwatch_ddl', payload);\n"
    "END\n"
    "$enumwatch$";

// The schema is the installing superuser's: a schema of that name that another role owns could
// hold a function of that role's in the trigger's place, so the install stops there.
constexpr std::string_view kRefuseForeignSchema =
    "DO $enumwatch$\n"
    "DECLARE\n"
    "  owner text;\n"
    "BEGIN\n"
    "  SELECT r.rolname INTO owner FROM pg_catalog.pg_namespace n\n"
    "    JOIN pg_catalog.pg_roles r ON r.oid = n.nspowner\n"
    "   WHERE n.nspname = 'enumwatch' AND NOT r.rolsuper;\n"
    "  IF owner IS NOT NULL THEN\n"
    "    RAISE EXCEPTION 'schema enumwatch exists and belongs to role %, which is not a "
    "superuser', owner\n"
    "      USING HINT = 'enumwatch installs its trigger function only in a schema a superuser "
    "owns: find out who made it; drop or rename it, or ALTER SCHEMA enumwatch OWNER TO a "
    "superuser', ERRCODE = '42501';\n"
    "  END IF;\n"
    "END\n"
    "$enumwatch$";

// Removes the schema when it holds nothing else (a later version's objects, someone's table).
constexpr std::string_view kDropSchemaIfEmpty =
    "DO $enumwatch$\n"
    "BEGIN\n"
    "  DROP SCHEMA IF EXISTS enumwatch;\n"
    "EXCEPTION WHEN dependent_objects_still_exist THEN\n"
    "  RAISE NOTICE 'schema enumwatch kept: it holds other objects';\n"
    "END\n"
    "$enumwatch$";

}  // namespace

std::vector<std::string> ddl_trigger_statements(bool uninstall) {
  std::vector<std::string> out;
  // The installing superuser's session runs these: the same empty search_path as every other
  // statement of enumwatch, so that nothing in public runs with a superuser's rights.
  out.emplace_back(kEmptySearchPath);
  if (!uninstall) out.emplace_back(kRefuseForeignSchema);
  // CREATE EVENT TRIGGER has no OR REPLACE: dropping it first makes a re-install idempotent
  // and picks up a changed list of commands.
  out.emplace_back("DROP EVENT TRIGGER IF EXISTS enumwatch_ddl_notify");
  // Dropped and created, never replaced: CREATE OR REPLACE keeps the owner of a function that
  // someone else created first, who could then rewrite what runs inside every DDL statement.
  // The first versions put the function in public: an install moves it.
  out.emplace_back("DROP FUNCTION IF EXISTS public.enumwatch_ddl_notify()");
  out.emplace_back("DROP FUNCTION IF EXISTS enumwatch.enumwatch_ddl_notify()");
  if (uninstall) {
    out.emplace_back(kDropSchemaIfEmpty);
    return out;
  }
  out.emplace_back("CREATE SCHEMA IF NOT EXISTS enumwatch");
  out.emplace_back("REVOKE ALL ON SCHEMA enumwatch FROM PUBLIC");
  out.emplace_back(
      "COMMENT ON SCHEMA enumwatch IS 'enumwatch: the event trigger''s function; remove with "
      "enumwatch install-trigger --uninstall'");
  out.emplace_back(kFunction);
  out.emplace_back(
      "COMMENT ON FUNCTION enumwatch.enumwatch_ddl_notify() IS "
      "'enumwatch: tells the enumwatch daemon (LISTEN enumwatch_ddl) that a schema change "
      "committed; remove with enumwatch install-trigger --uninstall'");
  out.emplace_back(
      "CREATE EVENT TRIGGER enumwatch_ddl_notify ON ddl_command_end\n"
      "  WHEN TAG IN (" +
      std::string(kTags) + ")\n  EXECUTE FUNCTION enumwatch.enumwatch_ddl_notify()");
  return out;
}

std::string ddl_trigger_script(bool uninstall, std::string_view database) {
  std::string out =
      uninstall ? "-- enumwatch: remove the event trigger enumwatch_ddl_notify, its function and "
                  "its schema.\n"
                : "-- enumwatch: the event trigger that makes enum changes visible at once\n"
                  "-- (docs/instant-detection.md). Run once per database, as a superuser (event "
                  "triggers\n"
                  "-- need one). The monitoring role needs nothing more: it only LISTENs on the "
                  "channel\n"
                  "-- enumwatch_ddl.\n";
  if (!database.empty()) {
    out += "-- For database " + sql_comment(database) +
           ": the script stops, changing nothing, if run in another.\n";
  }
  out += "BEGIN;\n";
  if (!database.empty()) {
    out += "DO $enumwatch$\nBEGIN\n  IF pg_catalog.current_database() OPERATOR(pg_catalog.<>) " +
           quote_literal(database) +
           " THEN\n    RAISE EXCEPTION 'this script is for database %, not %', " +
           quote_literal(database) +
           ", pg_catalog.current_database();\n  END IF;\nEND\n$enumwatch$;\n";
  }
  for (const auto& statement : ddl_trigger_statements(uninstall)) out += statement + ";\n";
  out += "COMMIT;\n";
  return out;
}

bool notification_concerns(std::string_view payload, const Scope& scope,
                           const std::function<bool(std::string_view)>& saw_type_named) {
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
  const bool alter = tag->get_string() == "ALTER TYPE";
  if (!alter && tag->get_string() != "CREATE TYPE") return true;
  for (const auto& schema : schemas->get_array()) {
    if (!schema.is_string()) return true;
    if (scope.includes_schema(std::string(schema.get_string()))) return true;
  }
  if (!alter) return false;
  // ALTER TYPE ... SET SCHEMA names the schema entered, not the one left: a type of that name
  // that the target saw may have just left it. The first versions of the trigger sent no names.
  const auto* types = object.if_contains("types");
  if (!types || !types->is_array()) return true;
  for (const auto& type : types->get_array()) {
    if (!type.is_string()) return true;
    if (!saw_type_named || saw_type_named(type.get_string())) return true;
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
