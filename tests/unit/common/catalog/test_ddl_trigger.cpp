#include "enumwatch/catalog/ddl_trigger.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "enumwatch/catalog/catalog_query.hpp"
#include "enumwatch/config/scope.hpp"
#include "enumwatch/core/error.hpp"

using namespace enumwatch;

namespace {

// Whether the payload may concern the target at all.
bool concerns(std::string_view payload, const Scope& scope,
              const std::function<bool(std::string_view)>& saw_type_named = {}) {
  return notification_concern(payload, scope, saw_type_named) != NotificationConcern::none;
}

}  // namespace

namespace {
bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}
}  // namespace

TEST_CASE("the trigger fires on every command that can add, move, rename or drop a type") {
  const std::vector<std::string> install = ddl_trigger_statements(false);
  const auto trigger = std::find_if(install.begin(), install.end(), [](const std::string& s) {
    return s.starts_with("CREATE EVENT TRIGGER enumwatch_ddl_notify ON ddl_command_end");
  });
  REQUIRE(trigger != install.end());
  for (const char* tag : {"'CREATE TYPE'",
                          "'ALTER TYPE'",
                          "'DROP TYPE'",
                          "'CREATE DOMAIN'",
                          "'ALTER DOMAIN'",
                          "'DROP DOMAIN'",
                          "'CREATE TABLE'",
                          "'ALTER TABLE'",
                          "'DROP TABLE'",
                          "'DROP SCHEMA'",
                          "'ALTER SCHEMA'",
                          "'CREATE SCHEMA'",
                          "'DROP OWNED'",
                          "'CREATE FOREIGN TABLE'",
                          "'ALTER FOREIGN TABLE'",
                          "'DROP FOREIGN TABLE'",
                          "'IMPORT FOREIGN SCHEMA'",
                          "'ALTER EXTENSION'",
                          "'DROP EXTENSION'",
                          "'CREATE EXTENSION'"}) {
    CAPTURE(tag);
    CHECK(contains(*trigger, tag));
  }
  CHECK(std::any_of(install.begin(), install.end(), [](const std::string& s) {
    return contains(s, "pg_catalog.pg_notify('enumwatch_ddl', payload)") &&
           contains(s, "pg_catalog.pg_event_trigger_ddl_commands()");
  }));
}

TEST_CASE("installing again replaces everything, and never adopts a function someone else made") {
  const std::vector<std::string> install = ddl_trigger_statements(false);
  REQUIRE(install.size() >= 6);
  // Nothing in public runs with the installing superuser's rights.
  CHECK(install[0] == kEmptySearchPath);
  // A schema enumwatch that another role owns stops the install.
  CHECK(contains(install[1], "NOT r.rolsuper"));
  // The old trigger and function go first (the first versions' in public too), so a second
  // install is the same as the first...
  CHECK(install[2] == "DROP EVENT TRIGGER IF EXISTS enumwatch_ddl_notify");
  CHECK(install[3] == "DROP EVENT TRIGGER IF EXISTS enumwatch_ddl_log_drop");
  CHECK(install[4] == "DROP FUNCTION IF EXISTS public.enumwatch_ddl_notify()");
  CHECK(install[5] == "DROP FUNCTION IF EXISTS enumwatch.enumwatch_ddl_notify()");
  CHECK(install[6] == "DROP FUNCTION IF EXISTS enumwatch.enumwatch_ddl_log_drop()");
  // ...and the function is created, not replaced: CREATE OR REPLACE would keep a squatter as
  // its owner.
  for (const auto& statement : install) CHECK_FALSE(contains(statement, "OR REPLACE"));
  // Nothing a migration's role puts on its search_path runs inside the trigger.
  CHECK(std::any_of(install.begin(), install.end(), [](const std::string& s) {
    return contains(s, "CREATE FUNCTION enumwatch.enumwatch_ddl_notify()") &&
           contains(s, "SET search_path = ''");
  }));
  CHECK(contains(install.back(), "EXECUTE FUNCTION enumwatch.enumwatch_ddl_notify()"));
}

TEST_CASE("uninstalling removes the trigger, the function and its schema when empty") {
  const std::vector<std::string> uninstall = ddl_trigger_statements(true);
  REQUIRE(uninstall.size() == 8);
  CHECK(uninstall[0] == kEmptySearchPath);
  CHECK(uninstall[1] == "DROP EVENT TRIGGER IF EXISTS enumwatch_ddl_notify");
  CHECK(uninstall[2] == "DROP EVENT TRIGGER IF EXISTS enumwatch_ddl_log_drop");
  CHECK(uninstall[3] == "DROP FUNCTION IF EXISTS public.enumwatch_ddl_notify()");
  CHECK(uninstall[4] == "DROP FUNCTION IF EXISTS enumwatch.enumwatch_ddl_notify()");
  CHECK(uninstall[5] == "DROP FUNCTION IF EXISTS enumwatch.enumwatch_ddl_log_drop()");
  CHECK(uninstall[6] == "DROP TABLE IF EXISTS enumwatch.ddl_log");
  CHECK(contains(uninstall[7], "DROP SCHEMA IF EXISTS enumwatch;"));
  CHECK_FALSE(contains(uninstall[7], "CASCADE"));
}

TEST_CASE("the log: its own table, written only by the trigger, read only by enumwatch_reader") {
  const std::vector<std::string> roles{"monitor", "Odd \"Role\""};
  const std::vector<std::string> install = ddl_trigger_statements(false, roles);
  auto has = [&](std::string_view part) {
    return std::any_of(install.begin(), install.end(),
                       [&](const std::string& s) { return contains(s, part); });
  };
  CHECK(has("CREATE TABLE IF NOT EXISTS enumwatch.ddl_log ("));
  CHECK(has("REVOKE ALL ON enumwatch.ddl_log FROM PUBLIC"));
  CHECK(has("CREATE ROLE enumwatch_reader NOLOGIN"));
  CHECK(has("rolcanlogin OR rolsuper"));  // someone else's enumwatch_reader stops the install
  CHECK(has("GRANT SELECT ON enumwatch.ddl_log TO enumwatch_reader"));
  CHECK(has("GRANT enumwatch_reader TO \"monitor\""));
  CHECK(has("GRANT enumwatch_reader TO \"Odd \"\"Role\"\"\""));
  // Both functions write the log as their owner, nobody else may call them, and a log that
  // fails never fails the migration.
  for (const char* function : {"enumwatch_ddl_notify", "enumwatch_ddl_log_drop"}) {
    CAPTURE(function);
    const auto body = std::find_if(install.begin(), install.end(), [&](const std::string& s) {
      return s.starts_with(std::string("CREATE FUNCTION enumwatch.") + function);
    });
    REQUIRE(body != install.end());
    CHECK(contains(*body, "SECURITY DEFINER SET search_path = ''"));
    CHECK(contains(*body, "SET standard_conforming_strings = on"));
    CHECK(contains(*body, "EXCEPTION WHEN OTHERS THEN"));
    CHECK(contains(*body, "'[redacted]'"));
    CHECK(contains(*body, "octet_length(statement) > 4096"));
    CHECK(has(std::string("REVOKE ALL ON FUNCTION enumwatch.") + function + "() FROM PUBLIC"));
  }
  CHECK(has("CREATE EVENT TRIGGER enumwatch_ddl_log_drop ON sql_drop"));
  CHECK(has("DELETE FROM enumwatch.ddl_log WHERE id <= newest - 10000"));
  CHECK(has("'log_id', newest"));
  // Each statement in the printed script too.
  const std::string script = ddl_trigger_script(false, "shop", roles);
  CHECK(contains(script, "GRANT enumwatch_reader TO \"monitor\";\n"));
}

TEST_CASE("a script printed for one database refuses to run in another") {
  const std::string script = ddl_trigger_script(false, "or'ders\ndb");
  CHECK(contains(script, "pg_catalog.current_database() OPERATOR(pg_catalog.<>) E'or''ders\\ndb'"));
  CHECK(contains(script, "-- For database or'ders"));
  CHECK_FALSE(contains(ddl_trigger_script(false), "current_database"));
}

TEST_CASE("the printed script is one transaction a DBA can run with psql") {
  for (const bool uninstall : {false, true}) {
    const std::string script = ddl_trigger_script(uninstall);
    CAPTURE(script);
    CHECK(script.starts_with("-- enumwatch: "));
    CHECK(contains(script, "\nBEGIN;\n"));
    CHECK(script.ends_with("\nCOMMIT;\n"));
    for (const auto& statement : ddl_trigger_statements(uninstall))
      CHECK(contains(script, statement + ";\n"));
  }
}

TEST_CASE("a type change in a schema the target does not watch needs no poll; anything else does") {
  Scope only_sales;
  only_sales.schemas = {"sales"};
  Scope all_but_audit;
  all_but_audit.exclude_schemas = {"audit"};
  const std::string alter_billing =
      R"({"tag" : "ALTER TYPE", "schemas" : ["billing"], "types" : ["invoice_state"]})";
  const auto saw_nothing = [](std::string_view) { return false; };
  CHECK_FALSE(concerns(alter_billing, only_sales, saw_nothing));
  CHECK(concerns(alter_billing, all_but_audit, saw_nothing));
  CHECK(concerns(R"({"tag":"CREATE TYPE","schemas":["billing","sales"]})", only_sales));
  CHECK_FALSE(concerns(R"({"tag":"CREATE TYPE","schemas":["audit"]})", all_but_audit));
  // PostgreSQL's own schemas are never watched.
  CHECK_FALSE(concerns(R"({"tag":"ALTER TYPE","schemas":["pg_catalog"],"types":[]})", Scope{},
                       saw_nothing));
  // A schema name full of quotes, spaces and a newline, as JSON carries it.
  Scope weird;
  weird.schemas = {"we\"ird \nschema"};
  CHECK(concerns(R"({"tag":"ALTER TYPE","schemas":["we\"ird \nschema"]})", weird));
  CHECK_FALSE(concerns(R"({"tag":"ALTER TYPE","schemas":["weird schema"],"types":[]})", weird,
                       saw_nothing));
}

TEST_CASE("a type that left a watched schema is named by the schema it entered, and still polls") {
  Scope only_app;
  only_app.schemas = {"app"};
  // ALTER TYPE app.order_status SET SCHEMA archive: the payload says archive.
  const std::string moved =
      R"({"tag":"ALTER TYPE","schemas":["archive"],"types":["order_status"]})";
  CHECK(concerns(moved, only_app, [](std::string_view name) { return name == "order_status"; }));
  CHECK_FALSE(concerns(moved, only_app, [](std::string_view name) { return name == "other"; }));
  // Without the names (the first versions' payload), or without knowing what the target saw,
  // an ALTER TYPE elsewhere polls.
  CHECK(concerns(R"({"tag":"ALTER TYPE","schemas":["archive"]})", only_app,
                 [](std::string_view) { return false; }));
  CHECK(concerns(moved, only_app));
  // Told apart from a change in the target's own schemas: in a database of tenants with the same
  // types, every other tenant's ALTER TYPE names a type the target saw.
  const auto saw_it = [](std::string_view name) { return name == "order_status"; };
  CHECK(notification_concern(moved, only_app, saw_it) == NotificationConcern::elsewhere);
  CHECK(notification_concern(R"({"tag":"ALTER TYPE","schemas":["app"],"types":["order_status"]})",
                             only_app, saw_it) == NotificationConcern::concerns);
  CHECK(notification_concern(R"({"tag":"ALTER TYPE","schemas":["archive"],"types":["x", 7]})",
                             only_app, saw_it) == NotificationConcern::concerns);
  CHECK(notification_concern(moved, only_app) == NotificationConcern::elsewhere);
  // Renamed schemas, DROP OWNED and extensions name no type: they concern everyone.
  for (const char* tag : {"ALTER SCHEMA", "DROP OWNED", "ALTER EXTENSION", "CREATE SCHEMA"}) {
    CAPTURE(tag);
    CHECK(concerns(std::string(R"({"tag":")") + tag + R"(","schemas":["x"]})", only_app,
                   [](std::string_view) { return false; }));
  }
}

TEST_CASE("tables, domains, drops and unreadable payloads concern every target") {
  Scope only_sales;
  only_sales.schemas = {"sales"};
  // A table or a domain in another schema may use a watched type: the target looks, in its
  // database's shared round trip; in its own schemas, at once.
  CHECK(notification_concern(R"({"tag":"ALTER TABLE","schemas":["billing"]})", only_sales) ==
        NotificationConcern::elsewhere);
  CHECK(notification_concern(R"({"tag":"CREATE DOMAIN","schemas":["billing"]})", only_sales) ==
        NotificationConcern::elsewhere);
  CHECK(notification_concern(R"({"tag":"ALTER TABLE","schemas":["billing","sales"]})",
                             only_sales) == NotificationConcern::concerns);
  CHECK(notification_concern(R"({"tag":"DROP TYPE","schemas":null})", only_sales) ==
        NotificationConcern::concerns);
  // A drop names no schema; nor does a payload that was too long to carry them.
  CHECK(concerns(R"({"tag":"DROP TYPE","schemas":null})", only_sales));
  CHECK(concerns(R"({"tag":"ALTER TYPE"})", only_sales));
  CHECK(concerns(R"({"tag":"ALTER TYPE","schemas":[]})", only_sales));
  // Whatever else arrives on the channel (another tool's NOTIFY, the old trigger's bare tag,
  // garbage) polls.
  for (const char* payload :
       {"", "ALTER TYPE", "{", "null", "[]", R"({"tag":7,"schemas":["billing"]})",
        R"({"tag":"ALTER TYPE","schemas":"billing"})", R"({"tag":"ALTER TYPE","schemas":[1]})",
        "\xff\xfe{\"tag\":\"ALTER TYPE\"}"}) {
    CAPTURE(payload);
    CHECK(concerns(payload, only_sales));
  }
}
