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

// The log of who changed what (docs/who-changed-it.md): one row per object a command created,
// altered or dropped, bounded to the last 10 000 rows. Only the trigger's functions write
// it (they run as its owner, the installing superuser); only members of enumwatch_reader read it.
constexpr std::string_view kLogTable =
    "CREATE TABLE IF NOT EXISTS enumwatch.ddl_log (\n"
    "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
    "  at timestamptz NOT NULL,\n"
    "  txid xid8 NOT NULL,\n"
    "  session_role text NOT NULL,\n"
    "  acting_role text,\n"
    "  application_name text,\n"
    "  client_addr inet,\n"
    "  backend_pid integer NOT NULL,\n"
    "  command_tag text NOT NULL,\n"
    "  object_type text,\n"
    "  schema_name text,\n"
    "  object_name text,\n"
    "  object_identity text,\n"
    "  statement text\n"
    ")";

// What both functions record of the session, and the statement: password literals redacted
// first (PASSWORD '...', E'...' too: a script may hold ALTER ROLE next to the ALTER TYPE), then
// cut to at most 4096 bytes at a character boundary. The functions set standard_conforming_strings:
// plpgsql reads their literals (the pattern's backslashes) under the calling session's settings.
#define ENUMWATCH_LOG_COLUMNS                                                               \
  "INSERT INTO enumwatch.ddl_log (at, txid, session_role, acting_role, application_name,\n" \
  "    client_addr, backend_pid, command_tag, object_type, schema_name, object_name,\n"     \
  "    object_identity, statement)\n"
#define ENUMWATCH_LOG_SESSION                                                                \
  "pg_catalog.statement_timestamp(), pg_catalog.pg_current_xact_id(), session_user::text,\n" \
  "    NULLIF(pg_catalog.current_setting('role'), 'none'),\n"                                \
  "    NULLIF(pg_catalog.current_setting('application_name'), ''),\n"                        \
  "    pg_catalog.inet_client_addr(), pg_catalog.pg_backend_pid(), tg_tag"

constexpr std::string_view kStatementText =
    "  statement := pg_catalog.regexp_replace(pg_catalog.current_query(),\n"
    "    '(password\\s+)(E''(\\\\.|''''|[^''\\\\])*(''|$)|''(''''|[^''])*(''|$))',\n"
    "    '\\1''[redacted]''', 'gi');\n"
    "  IF pg_catalog.octet_length(statement) > 4096 THEN\n"
    "    statement := pg_catalog.\"left\"(statement, 4096);\n"
    "    WHILE pg_catalog.octet_length(statement) > 4096 LOOP\n"
    "      statement := pg_catalog.\"left\"(statement, pg_catalog.length(statement)\n"
    "        - (pg_catalog.octet_length(statement) - 4093) / 4 - 1);\n"
    "    END LOOP;\n"
    "  END IF;\n";

// The function runs in every matching DDL statement, as its owner (SECURITY DEFINER: the role
// running the DDL may not write the log), with an empty search_path: nothing any role put on a
// path can stand in for pg_catalog's functions. It logs the objects the command created or
// altered and prunes the log, in a block of its own: a log that fails (dropped, full disk) is a
// warning, never the failure of someone's migration; then it notifies. The payload is JSON: the
// command tag, the schemas of the objects, the names of the types among them (so that a listener
// watching other schemas can skip a CREATE or ALTER TYPE; a type moved by SET SCHEMA is named by
// the schema it entered: the daemon matches its name against the types it saw; a DROP names none),
// and the newest log row; a payload near NOTIFY's 8000-byte limit keeps only the tag and the row:
// every listener then polls. PostgreSQL sends notifications at COMMIT only, and folds identical
// ones of one transaction into one.
constexpr std::string_view kFunctionHead =
    "CREATE FUNCTION enumwatch.enumwatch_ddl_notify() RETURNS event_trigger\n"
    "  LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''\n"
    "  SET standard_conforming_strings = on AS $enumwatch$\n"
    "DECLARE\n"
    "  payload text;\n"
    "  statement text;\n"
    "  newest bigint;\n"
    "BEGIN\n";
constexpr std::string_view kFunctionBody =
    "  " ENUMWATCH_LOG_COLUMNS "  SELECT " ENUMWATCH_LOG_SESSION
    ",\n"
    "    c.object_type, c.schema_name, COALESCE(t.typname::text, r.relname::text),\n"
    "    c.object_identity, statement\n"
    "  FROM pg_catalog.pg_event_trigger_ddl_commands() c\n"
    "  LEFT JOIN pg_catalog.pg_type t\n"
    "    ON c.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND t.oid = c.objid\n"
    "  LEFT JOIN pg_catalog.pg_class r\n"
    "    ON c.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND r.oid = c.objid\n"
    "  WHERE c.object_type IN ('type', 'domain', 'table', 'foreign table', 'schema',\n"
    "                          'table column', 'extension');\n"
    "  SELECT pg_catalog.max(id) INTO newest FROM enumwatch.ddl_log;\n"
    "  DELETE FROM enumwatch.ddl_log WHERE id <= newest - 10000;\n"
    "  EXCEPTION WHEN OTHERS THEN\n"
    "    RAISE WARNING 'enumwatch: this change was not logged in enumwatch.ddl_log: %', SQLERRM;\n"
    "  END;\n"
    "  SELECT pg_catalog.json_build_object('tag', tg_tag,\n"
    "           'schemas', pg_catalog.json_agg(DISTINCT c.schema_name)\n"
    "                        FILTER (WHERE c.schema_name IS NOT NULL),\n"
    "           'types', pg_catalog.json_agg(DISTINCT t.typname) FILTER (WHERE t.oid IS NOT "
    "NULL),\n"
    "           'log_id', newest\n"
    "         )::text\n"
    "    INTO payload\n"
    "    FROM pg_catalog.pg_event_trigger_ddl_commands() c\n"
    "    LEFT JOIN pg_catalog.pg_type t\n"
    "      ON c.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND t.oid = c.objid;\n"
    "  IF payload IS NULL OR pg_catalog.octet_length(payload) > 7000 THEN\n"
    "    payload := pg_catalog.json_build_object('tag', tg_tag, 'log_id', newest)::text;\n"
    "  END IF;\n"
    "  PERFORM pg_catalog.pg_notify('enumwatch_ddl', payload);\n"
    "END\n"
    "$enumwatch$";

// Dropped objects are not among a command's objects at ddl_command_end: sql_drop logs them
// (types, domains, tables, schemas), before the notifying function runs for the same command.
constexpr std::string_view kDropFunctionHead =
    "CREATE FUNCTION enumwatch.enumwatch_ddl_log_drop() RETURNS event_trigger\n"
    "  LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''\n"
    "  SET standard_conforming_strings = on AS $enumwatch$\n"
    "DECLARE\n"
    "  statement text;\n"
    "BEGIN\n";
constexpr std::string_view kDropFunctionBody =
    "  " ENUMWATCH_LOG_COLUMNS "  SELECT " ENUMWATCH_LOG_SESSION
    ",\n"
    "    d.object_type, d.schema_name, d.object_name, d.object_identity, statement\n"
    "  FROM pg_catalog.pg_event_trigger_dropped_objects() d\n"
    "  WHERE d.original AND d.object_type IN ('type', 'domain', 'table', 'foreign table',\n"
    "                                         'schema');\n"
    "  EXCEPTION WHEN OTHERS THEN\n"
    "    RAISE WARNING 'enumwatch: this change was not logged in enumwatch.ddl_log: %', SQLERRM;\n"
    "  END;\n"
    "END\n"
    "$enumwatch$";

#undef ENUMWATCH_LOG_COLUMNS
#undef ENUMWATCH_LOG_SESSION

// A role named enumwatch_reader that can log in, or is a superuser, is not the one this install
// made: someone else's role would read the log, so the install stops there.
constexpr std::string_view kReaderRole =
    "DO $enumwatch$\n"
    "BEGIN\n"
    "  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'enumwatch_reader') THEN\n"
    "    CREATE ROLE enumwatch_reader NOLOGIN;\n"
    "  ELSIF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'enumwatch_reader'\n"
    "                  AND (rolcanlogin OR rolsuper OR rolcreaterole OR rolbypassrls)) THEN\n"
    "    RAISE EXCEPTION 'role enumwatch_reader exists and can log in or has other powers'\n"
    "      USING HINT = 'enumwatch makes enumwatch_reader a NOLOGIN role that may only read "
    "enumwatch.ddl_log: find out who made this one; drop or rename it', ERRCODE = '42501';\n"
    "  END IF;\n"
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

std::vector<std::string> ddl_trigger_statements(bool uninstall,
                                                std::span<const std::string> monitoring_roles) {
  std::vector<std::string> out;
  // The installing superuser's session runs these: the same empty search_path as every other
  // statement of enumwatch, so that nothing in public runs with a superuser's rights.
  out.emplace_back(kEmptySearchPath);
  if (!uninstall) out.emplace_back(kRefuseForeignSchema);
  // CREATE EVENT TRIGGER has no OR REPLACE: dropping it first makes a re-install idempotent
  // and picks up a changed list of commands.
  out.emplace_back("DROP EVENT TRIGGER IF EXISTS enumwatch_ddl_notify");
  out.emplace_back("DROP EVENT TRIGGER IF EXISTS enumwatch_ddl_log_drop");
  // Dropped and created, never replaced: CREATE OR REPLACE keeps the owner of a function that
  // someone else created first, who could then rewrite what runs inside every DDL statement.
  // The first versions put the function in public: an install moves it.
  out.emplace_back("DROP FUNCTION IF EXISTS public.enumwatch_ddl_notify()");
  out.emplace_back("DROP FUNCTION IF EXISTS enumwatch.enumwatch_ddl_notify()");
  out.emplace_back("DROP FUNCTION IF EXISTS enumwatch.enumwatch_ddl_log_drop()");
  if (uninstall) {
    // The role enumwatch_reader belongs to the cluster, not the database, and may serve others:
    // it stays (docs/who-changed-it.md).
    out.emplace_back("DROP TABLE IF EXISTS enumwatch.ddl_log");
    out.emplace_back(kDropSchemaIfEmpty);
    return out;
  }
  out.emplace_back("CREATE SCHEMA IF NOT EXISTS enumwatch");
  out.emplace_back("REVOKE ALL ON SCHEMA enumwatch FROM PUBLIC");
  out.emplace_back(
      "COMMENT ON SCHEMA enumwatch IS 'enumwatch: the event trigger''s functions and its log; "
      "remove with enumwatch install-trigger --uninstall'");
  // An install of an earlier version has no log: this adds it (an upgrade is a re-install).
  out.emplace_back(kLogTable);
  out.emplace_back("REVOKE ALL ON enumwatch.ddl_log FROM PUBLIC");
  out.emplace_back(
      "COMMENT ON TABLE enumwatch.ddl_log IS 'enumwatch: who changed which type or table, and "
      "when (the last 10000 objects); written only by enumwatch''s event trigger'");
  out.emplace_back(kReaderRole);
  out.emplace_back("GRANT USAGE ON SCHEMA enumwatch TO enumwatch_reader");
  out.emplace_back("GRANT SELECT ON enumwatch.ddl_log TO enumwatch_reader");
  for (const auto& role : monitoring_roles)
    out.emplace_back("GRANT enumwatch_reader TO " + quote_ident(role));
  // The statement's text is made inside the logging block too: nothing of it fails a migration.
  out.emplace_back(std::string(kFunctionHead) + "  BEGIN\n" + std::string(kStatementText) +
                   std::string(kFunctionBody));
  out.emplace_back(std::string(kDropFunctionHead) + "  BEGIN\n" + std::string(kStatementText) +
                   std::string(kDropFunctionBody));
  for (const char* function : {"enumwatch_ddl_notify", "enumwatch_ddl_log_drop"}) {
    // SECURITY DEFINER: nobody else may call them (they write the log).
    out.emplace_back(std::string("REVOKE ALL ON FUNCTION enumwatch.") + function +
                     "() FROM PUBLIC");
  }
  out.emplace_back(
      "COMMENT ON FUNCTION enumwatch.enumwatch_ddl_notify() IS "
      "'enumwatch: logs a schema change and tells the enumwatch daemon (LISTEN enumwatch_ddl) "
      "that it committed; remove with enumwatch install-trigger --uninstall'");
  out.emplace_back(
      "CREATE EVENT TRIGGER enumwatch_ddl_log_drop ON sql_drop\n"
      "  WHEN TAG IN (" +
      std::string(kTags) + ")\n  EXECUTE FUNCTION enumwatch.enumwatch_ddl_log_drop()");
  out.emplace_back(
      "CREATE EVENT TRIGGER enumwatch_ddl_notify ON ddl_command_end\n"
      "  WHEN TAG IN (" +
      std::string(kTags) + ")\n  EXECUTE FUNCTION enumwatch.enumwatch_ddl_notify()");
  return out;
}

std::string ddl_trigger_script(bool uninstall, std::string_view database,
                               std::span<const std::string> monitoring_roles) {
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
  for (const auto& statement : ddl_trigger_statements(uninstall, monitoring_roles))
    out += statement + ";\n";
  out += "COMMIT;\n";
  return out;
}

NotificationConcern notification_concern(
    std::string_view payload, const Scope& scope,
    const std::function<bool(std::string_view)>& saw_type_named) {
  using enum NotificationConcern;
  // Anything unexpected in the payload polls at once.
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(payload, ec);
  if (ec || !parsed.is_object()) return concerns;
  const auto& object = parsed.get_object();
  const auto* tag = object.if_contains("tag");
  const auto* schemas = object.if_contains("schemas");
  if (!tag || !tag->is_string() || !schemas || !schemas->is_array() || schemas->get_array().empty())
    return concerns;
  for (const auto& schema : schemas->get_array()) {
    if (!schema.is_string()) return concerns;
    if (scope.includes_schema(std::string(schema.get_string()))) return concerns;
  }
  // Only a type's own commands are bounded by its schema: a table or a domain in any schema may
  // use a watched type, a renamed schema or DROP OWNED may take one away.
  if (tag->get_string() == "CREATE TYPE") return none;
  if (tag->get_string() != "ALTER TYPE") return elsewhere;
  // ALTER TYPE ... SET SCHEMA names the schema entered, not the one left: a type of that name
  // that the target saw may have just left it. The first versions of the trigger sent no names.
  const auto* types = object.if_contains("types");
  if (!types || !types->is_array() || !saw_type_named) return elsewhere;
  auto out = none;
  for (const auto& type : types->get_array()) {
    if (!type.is_string()) return concerns;
    if (saw_type_named(type.get_string())) out = elsewhere;
  }
  return out;
}

std::string_view ddl_trigger_installed_expression() {
  // A standby has the primary's trigger in its catalog, but nothing fires there and LISTEN is
  // refused during recovery: it counts as not installed.
  return "(EXISTS (SELECT FROM pg_catalog.pg_event_trigger\n"
         "                WHERE evtname = 'enumwatch_ddl_notify' AND evtenabled <> 'D')\n"
         "   AND NOT pg_catalog.pg_is_in_recovery())";
}

}  // namespace enumwatch
