#include "enumwatch/catalog/ddl_log.hpp"

#include <doctest/doctest.h>

#include "enumwatch/core/error.hpp"
#include "enumwatch/report/report.hpp"

using namespace enumwatch;

namespace {

DriftItem item(std::string schema, std::string name, std::optional<std::string> table = {}) {
  DriftItem i;
  i.schema = std::move(schema);
  i.enum_name = std::move(name);
  i.table = std::move(table);
  return i;
}

Row change_row(std::string id, std::string type, std::string schema, std::string object,
               std::string statement) {
  return Row{id,       "731",        type,      schema,     object,       "2026-12-05T14:02:11Z",
             "deploy", std::nullopt, "alembic", "10.0.3.7", "ALTER TYPE", statement};
}

}  // namespace

TEST_CASE("each item asks the log for its type, a check for its table, once each") {
  std::vector<DriftItem> items{item("public", "status"), item("public", "status"),
                               item("app", "orders.channel", "orders"), item("", "")};
  const auto objects = logged_objects(items);
  REQUIRE(objects.size() == 2);
  CHECK(objects[0] == LoggedObject{"table", {"app", "orders"}});
  CHECK(objects[1] == LoggedObject{"type", {"public", "status"}});
  const auto read = latest_changes_read(objects);
  CHECK(read.params == std::vector<std::string>{"{\"table\",\"type\"}", "{\"app\",\"public\"}",
                                                "{\"orders\",\"status\"}"});
  // Only the log's own columns and pg_catalog's functions: nothing anyone else defined.
  CHECK(read.sql.find("FROM enumwatch.ddl_log d") != std::string::npos);
  CHECK(read.sql.find("pg_catalog.unnest($1::text[])") != std::string::npos);
}

TEST_CASE("the newest logged change of an item's object is its changed_by") {
  const auto changes =
      latest_changes_read(std::vector<LoggedObject>{})
          .decode(
              Rows{change_row("7", "type", "public", "status", "ALTER TYPE status ADD VALUE 'x'"),
                   change_row("9", "type", "public", "status", "ALTER TYPE status ADD VALUE 'y'"),
                   change_row("8", "table", "app", "orders", "ALTER TABLE orders ADD CHECK (...)"),
                   change_row("10", "type", "app", "orders", "CREATE TYPE app.orders AS ENUM ()")});
  REQUIRE(changes.size() == 4);
  CHECK(changes[0].txid == 731);
  CHECK(changes[0].who.application_name == "alembic");
  CHECK_FALSE(changes[0].who.current_role.has_value());
  std::vector<DriftItem> items{item("public", "status"), item("app", "orders.channel", "orders"),
                               item("public", "other"), item("", "")};
  attach_changed_by(items, changes);
  REQUIRE(items[0].changed_by.has_value());
  CHECK(items[0].changed_by->statement == "ALTER TYPE status ADD VALUE 'y'");
  // A check's table, not the type of the same name.
  REQUIRE(items[1].changed_by.has_value());
  CHECK(items[1].changed_by->statement == "ALTER TABLE orders ADD CHECK (...)");
  CHECK_FALSE(items[2].changed_by.has_value());
  CHECK_FALSE(items[3].changed_by.has_value());
  CHECK_THROWS_AS((void)latest_changes_read(std::vector<LoggedObject>{}).decode(Rows{Row{"1"}}),
                  Error);
}

TEST_CASE("password literals are never shown, whatever their quoting") {
  CHECK(shown_statement("ALTER ROLE a PASSWORD 'hunter2'; ALTER TYPE t ADD VALUE 'x'") ==
        "ALTER ROLE a PASSWORD '[redacted]'; ALTER TYPE t ADD VALUE 'x'");
  CHECK(shown_statement("alter role a password\n  'it''s'") ==
        "alter role a password\n  '[redacted]'");
  CHECK(shown_statement("CREATE USER MAPPING ... OPTIONS (password E'a\\'b''c') x") ==
        "CREATE USER MAPPING ... OPTIONS (password '[redacted]') x");
  CHECK(shown_statement("ALTER ROLE a PASSWORD 'cut off at 4 KiB") ==
        "ALTER ROLE a PASSWORD '[redacted]'");
  CHECK(shown_statement("ALTER ROLE a PASSWORD NULL") == "ALTER ROLE a PASSWORD NULL");
  CHECK(shown_statement("-- no password here") == "-- no password here");
  // Bounded, between characters.
  const std::string long_text(5000, 'x');
  CHECK(shown_statement(long_text).size() == 4096);
  CHECK(shown_statement("ab\xc3\xbc", 3) == "ab");
}

TEST_CASE("changed_by reads as one line: statement, role, SET ROLE, application, address, time") {
  ChangedBy who{"2026-12-05T14:02:11Z",
                "deploy",
                std::string("Mig \"rator\""),
                std::string("alembic"),
                std::string("10.0.3.7"),
                "ALTER TYPE",
                "ALTER TYPE public.s\n  ADD VALUE 'x';\x1b[2J"};
  CHECK(changed_by_text(who) ==
        "\"ALTER TYPE public.s ADD VALUE 'x';\\x1b[2J\" by role deploy (as Mig \"rator\") "
        "(application_name alembic) from 10.0.3.7 at 2026-12-05 14:02:11 UTC");
  who.current_role.reset();
  who.application_name.reset();
  who.client_addr.reset();
  who.statement = std::string(300, 'y');
  const std::string text = changed_by_text(who);
  CHECK(text.starts_with("\"" + std::string(kShownStatementChars, 'y') + "…\" by role deploy"));
  CHECK(text.ends_with(" over a unix socket at 2026-12-05 14:02:11 UTC"));
  const auto json = to_json(ChangedBy{who}).as_object();
  CHECK(json.size() == 7);
  CHECK(json.at("current_role").is_null());
  CHECK(json.at("client_addr").is_null());
  CHECK(json.at("at") == "2026-12-05T14:02:11Z");
}

TEST_CASE("the changelog keeps the newest 100, newest first, each row once") {
  auto change = [](long long id) {
    LoggedChange c;
    c.id = id;
    return c;
  };
  std::vector<LoggedChange> kept;
  std::vector<LoggedChange> first;
  for (long long id = 150; id >= 1; --id) first.push_back(change(id));
  merge_changelog(kept, first);
  REQUIRE(kept.size() == kChangelogSize);
  CHECK(kept.front().id == 150);
  CHECK(kept.back().id == 51);
  // A read after 150 that overlaps what is kept (the log's rows are read again): no row twice.
  merge_changelog(kept, {change(152), change(151), change(150)});
  REQUIRE(kept.size() == kChangelogSize);
  CHECK(kept[0].id == 152);
  CHECK(kept[2].id == 150);
  CHECK(kept[3].id == 149);
  merge_changelog(kept, {});
  CHECK(kept[0].id == 152);
  Scope scope;
  scope.schemas = {"app"};
  const auto read = recent_changes_read(152, scope);
  CHECK(read.params == std::vector<std::string>{"{\"app\"}", "{}", "152"});
  CHECK(read.sql.find("l.id > $3::bigint") != std::string::npos);
  CHECK(read.sql.find("LIMIT 100") != std::string::npos);
}
