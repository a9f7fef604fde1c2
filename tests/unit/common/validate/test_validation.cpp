#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <map>

#include "enumwatch/validate/validation.hpp"

using namespace enumwatch;

namespace {

StatementRun alter_table(std::vector<LockTaken> locks, bool lock_timeout_set = false) {
  return {"m.sql",
          4,
          "ALTER TABLE public.orders ALTER COLUMN status TYPE x\nUSING y",
          "ALTER TABLE",
          std::move(locks),
          std::nullopt,
          lock_timeout_set};
}

}  // namespace

TEST_CASE("a rewrite under ACCESS EXCLUSIVE without lock_timeout is two findings at its line") {
  const auto findings =
      statement_findings(alter_table({{"public.orders", "AccessExclusiveLock", true}}));
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].kind == FindingKind::table_rewrite);
  CHECK(findings[0].severity == Severity::warning);  // no production size known
  CHECK(findings[0].line == 4);
  CHECK(findings[0].message.find("public.orders") != std::string::npos);
  CHECK(findings[0].message.find("\n") == std::string::npos);
  CHECK(findings[1].kind == FindingKind::lock_without_timeout);
  CHECK(findings[1].fix->find("lock_timeout") != std::string::npos);

  auto big = alter_table({{"public.orders", "AccessExclusiveLock", true}}, true);
  big.rows = 2'000'000;
  const auto with_timeout = statement_findings(big);
  REQUIRE(with_timeout.size() == 1);  // lock_timeout set: the lock is no finding
  CHECK(with_timeout[0].severity == Severity::critical);
  CHECK(with_timeout[0].message.find("2.0 M rows") != std::string::npos);

  // SHARE (CREATE INDEX) counts; SHARE UPDATE EXCLUSIVE (CONCURRENTLY) does not.
  CHECK(statement_findings(alter_table({{"t", "ShareLock", false}})).size() == 1);
  CHECK(statement_findings(alter_table({{"t", "ShareUpdateExclusiveLock", false}})).empty());
}

TEST_CASE("55P04 points at the ADD VALUE it trips over and says how to commit between them") {
  const auto script =
      parse_migration("m.sql",
                      "ALTER TYPE s.t ADD VALUE 'x';\nALTER TYPE s.t ADD VALUE 'new\nline';\n"
                      "UPDATE s.o SET v = 'new\nline';");
  const auto finding = migration_failed(script, script.statements[2], "55P04",
                                        "unsafe use of new value \"new\nline\" of enum type t");
  CHECK(finding.kind == FindingKind::migration_failed);
  CHECK(finding.severity == Severity::critical);
  CHECK(finding.line == 4);
  CHECK(finding.message.find("SQLSTATE 55P04") != std::string::npos);
  CHECK(finding.message.find("added at line 2") != std::string::npos);
  CHECK(finding.message.find('\n') == std::string::npos);  // names escaped: one line
  CHECK(finding.fix->find("autocommit_block") != std::string::npos);
  const auto other = migration_failed(script, script.statements[0], "42P01", "no such table");
  CHECK_FALSE(other.fix);
}

TEST_CASE("a reorder of the values a type keeps is order_changed; additions are not") {
  Catalog before, after;
  before.enums = {{{"public", "a"}, {"x", "y", "z"}}, {{"public", "b"}, {"x", "y"}}};
  after.enums = {{{"public", "a"}, {"x", "w", "y", "z"}}, {{"public", "b"}, {"y", "x"}}};
  const auto findings = order_changes(before, after);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].message.starts_with("public.b:"));
  CHECK(findings[0].severity == Severity::info);
  CHECK_FALSE(findings[0].line);
}

TEST_CASE("the JSON has the documented shape; --fail-on thresholds") {
  ValidationReport report;
  report.shadow = "initdb";
  report.statements.push_back(alter_table({{"public.orders", "AccessExclusiveLock", true}}));
  report.findings = statement_findings(report.statements[0]);
  const auto json = to_json(report).as_object();
  CHECK(json.at("shadow") == "initdb");
  const auto& statement = json.at("statements").as_array().at(0).as_object();
  CHECK(statement.at("tag") == "ALTER TABLE");
  CHECK(statement.at("rows").is_null());
  CHECK(statement.at("locks").as_array().at(0).as_object().at("rewrite") == true);
  const auto& finding = json.at("findings").as_array().at(0).as_object();
  CHECK(finding.at("kind") == "table_rewrite");
  CHECK(finding.at("line") == 4);
  CHECK(json.at("drift").as_array().empty());
  CHECK(has_findings_at(report, Severity::warning));
  CHECK_FALSE(has_findings_at(report, Severity::critical));
  const auto markdown = render_validation_markdown(report);
  CAPTURE(markdown);
  CHECK(markdown.find("| warning | table_rewrite | m.sql:4 |") != std::string::npos);
  CHECK(render_validation_text(report).find("m.sql:4: warning table_rewrite: ") == 0);
}

TEST_CASE("a rolling deploy: a renamed value the running code uses breaks it, at the RENAME") {
  Catalog before, after;
  before.enums = {{{"public", "status"}, {"pending", "shipped"}}, {{"public", "gone"}, {"x"}}};
  after.enums = {{{"public", "status"}, {"pending", "dispatched", "refunded"}}};
  sort_enums(before.enums);  // as the reader returns them
  auto snapshot = [](std::vector<EnumType> enums) {
    auto s = std::make_shared<Snapshot>();
    s->enums = std::move(enums);
    return s;
  };
  const std::vector<NamedSnapshot> previous{
      {"api-v1",
       snapshot({{{"public", "status"}, {"pending", "shipped"}}, {{"public", "gone"}, {"x"}}})}};
  const std::vector<NamedSnapshot> next{
      {"api-v2", snapshot({{{"public", "status"}, {"pending", "dispatched"}}})}};
  const std::vector<MigrationScript> scripts{
      parse_migration("m.sql",
                      "DROP TYPE public.gone;\nALTER TYPE public.status RENAME VALUE 'shipped' TO "
                      "'dispatched';\nALTER TYPE public.status ADD VALUE 'refunded';")};
  const auto findings = rolling_deploy_findings(before, after, previous, next, scripts);
  // sorted by type: gone (dropped), status (renamed); then the added value the new code writes
  REQUIRE(findings.size() == 3);
  CHECK(findings[0].kind == FindingKind::rename_breaks_running_code);
  CHECK(findings[0].message.starts_with("public.gone is dropped"));
  CHECK(findings[1].kind == FindingKind::rename_breaks_running_code);
  CHECK(findings[1].line == 2);
  CHECK(findings[1].message.find("renamed to 'dispatched'") != std::string::npos);
  CHECK(findings[1].message.find("api-v1") != std::string::npos);
  CHECK(findings[2].kind == FindingKind::unreadable_by_running_code);
  CHECK(findings[2].severity == Severity::warning);
  CHECK(findings[2].message.starts_with("value 'dispatched'"));
  // 'refunded' is added but the new code does not write it: nothing to say. Without a previous
  // snapshot, nothing at all.
  CHECK(rolling_deploy_findings(before, after, {}, next, scripts).empty());
}

TEST_CASE("a dependent present before and absent after is lost; one re-created is not") {
  const TypeDependentNames before{
      {"public.status",
       {"column status of table public.orders", "column status of view public.open_orders"}}};
  const TypeDependentNames after{{"public.status", {"column status of table public.orders"}}};
  const auto findings = lost_dependents(before, after);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].kind == FindingKind::dependents_lost);
  CHECK(findings[0].severity == Severity::critical);
  CHECK(
      findings[0].message.starts_with("column status of view public.open_orders depended on "
                                      "public.status"));
  CHECK(lost_dependents(before, before).empty());
  CHECK(lost_dependents(before, {}).size() == 2);  // the type dropped, CASCADE
}

TEST_CASE("values the migration takes away are weighed by production's rows") {
  Catalog before, after;
  before.enums = {{{"public", "status"}, {"pending", "shipped", "lost"}},
                  {{"public", "dropped"}, {"x"}}};
  after.enums = {{{"public", "status"}, {"pending", "dispatched"}}};
  sort_enums(before.enums);  // as the reader returns them
  auto items = removed_value_items(before, after);
  REQUIRE(items.size() == 3);  // x (its type dropped), shipped, lost
  CHECK(items[0].enum_name == "dropped");
  CHECK(items[1].actual == DriftSide{std::string("shipped")});
  CHECK(items[1].kind == DriftKind::unexpected_value);
  items[0].impact = {{"x", 0.0, true, "pg_stats"}};  // no rows: nothing to say
  items[1].impact = {{"shipped", 667000.0, true, "pg_stats"}};
  items[2].impact = {{"lost", std::nullopt, true, "no statistics"}};
  const auto findings = rows_remain_findings(items);
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].severity == Severity::critical);
  CHECK(findings[0].message.find("'shipped' of public.status") != std::string::npos);
  CHECK(findings[0].message.find("667.0 k rows") != std::string::npos);
  CHECK(findings[1].severity == Severity::warning);
  CHECK(findings[1].fix->find("ANALYZE") != std::string::npos);
}

TEST_CASE("a lost dependent points at the statement that dropped it, else at its type's DROP") {
  const TypeDependentNames before{
      {"public.order_status",
       {"column status of table public.orders", "column status of view public.open_orders",
        "rule _RETURN on view public.open_orders", "function public.label(public.order_status)",
        "constraint Status ok on table public.\"Order Log\""}}};
  const TypeDependentNames after{{"public.order_status", {"column status of table public.orders"}}};
  // The usual recreate: rename, create, convert, drop the old type; the view dropped by hand and
  // not re-created, the CHECK dropped with a column. The function goes with the old type.
  const std::vector<MigrationScript> scripts{parse_migration(
      "0006.sql",
      "DROP VIEW open_orders;\n"
      "ALTER TYPE order_status RENAME TO order_status_old;\n"
      "CREATE TYPE order_status AS ENUM ('pending', 'paid');\n"
      "ALTER TABLE orders ALTER COLUMN status TYPE order_status USING status::text::order_status;\n"
      "ALTER TABLE \"Order Log\" DROP CONSTRAINT \"Status ok\";\n"
      "DROP TYPE order_status_old CASCADE;")};
  const auto findings = lost_dependents(before, after, scripts);
  REQUIRE(findings.size() == 4);
  std::map<std::string, std::optional<int>> line_of;
  for (const auto& f : findings) {
    CHECK(f.file == "0006.sql");
    line_of[f.message.substr(0, f.message.find(" depended on "))] = f.line;
  }
  CHECK(line_of["column status of view public.open_orders"] == 1);
  CHECK(line_of["rule _RETURN on view public.open_orders"] == 1);
  CHECK(line_of["constraint Status ok on table public.\"Order Log\""] == 5);
  CHECK(line_of["function public.label(public.order_status)"] == 6);  // the renamed type's DROP
  // A view of another schema, or another object of the same name, is not the one dropped.
  const TypeDependentNames other{
      {"public.order_status",
       {"column status of view audit.open_orders_2", "column status of table public.open_orders"}}};
  const auto unrelated = lost_dependents(
      other, {},
      std::vector<MigrationScript>{parse_migration("m.sql", "DROP VIEW audit.open_orders;")});
  REQUIRE(unrelated.size() == 2);
  CHECK_FALSE(unrelated[0].line);
  CHECK_FALSE(unrelated[1].line);
  CHECK(unrelated[0].file.empty());
  // DROP TYPE ... CASCADE takes everything with it: every lost dependent points at it.
  const auto cascade =
      lost_dependents(before, {},
                      std::vector<MigrationScript>{parse_migration(
                          "c.sql",
                          "SELECT 1;\nDROP TYPE public.order_status CASCADE;\nCREATE TYPE "
                          "public.order_status AS ENUM ('x');")});
  REQUIRE(cascade.size() == 5);
  for (const auto& f : cascade) CHECK(f.line == 2);
}

TEST_CASE("a reorder points at the CREATE TYPE that re-created the type, through a RENAME TO") {
  Catalog before, after;
  before.enums = {{{"public", "status"}, {"a", "b", "c"}}};
  after.enums = {{{"public", "status"}, {"c", "b", "a"}}};
  // Create under another name, convert, drop the old, rename into place.
  const std::vector<MigrationScript> scripts{parse_migration(
      "m.sql",
      "CREATE TYPE public.status_new AS ENUM ('c', 'b', 'a');\n"
      "ALTER TABLE t ALTER COLUMN s TYPE public.status_new USING s::text::public.status_new;\n"
      "DROP TYPE public.status;\n"
      "ALTER TYPE public.status_new RENAME TO status;")};
  const auto findings = order_changes(before, after, scripts);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].line == 1);
  CHECK(findings[0].file == "m.sql");
  CHECK(to_json(ValidationReport{"initdb", {}, findings, {}})
            .at("findings")
            .as_array()
            .at(0)
            .at("line") == 1);
  // Without a statement that re-created it (an UPDATE of pg_enum, say): no line.
  CHECK_FALSE(order_changes(before, after, {})[0].line);
}

TEST_CASE("a value removed points at the re-creating CREATE TYPE; rows remain at the same line") {
  Catalog before, after;
  before.enums = {{{"public", "status"}, {"pending", "shipped", "lost"}}};
  after.enums = {{{"public", "status"}, {"pending", "dispatched"}}};
  const std::vector<MigrationScript> scripts{
      parse_migration("m.sql",
                      "ALTER TYPE public.status RENAME VALUE 'shipped' TO 'dispatched';\n"
                      "ALTER TYPE public.status RENAME TO status_old;\n"
                      "CREATE TYPE public.status AS ENUM ('pending', 'dispatched');\n"
                      "DROP TYPE public.status_old;")};
  auto snapshot = [](std::vector<EnumType> enums) {
    auto s = std::make_shared<Snapshot>();
    s->enums = std::move(enums);
    return s;
  };
  const std::vector<NamedSnapshot> previous{
      {"api-v1", snapshot({{{"public", "status"}, {"pending", "shipped", "lost"}}})}};
  const auto rolling = rolling_deploy_findings(before, after, previous, {}, scripts);
  REQUIRE(rolling.size() == 2);  // shipped renamed, lost removed
  CHECK(rolling[0].line == 1);
  CHECK(rolling[0].message.find("renamed to 'dispatched'") != std::string::npos);
  CHECK(rolling[1].line == 3);
  CHECK(rolling[1].message.find("'lost' of public.status is removed") != std::string::npos);

  auto items = removed_value_items(before, after);
  REQUIRE(items.size() == 2);
  items[0].impact = {{"shipped", 10.0, true, "pg_stats"}};
  items[1].impact = {{"lost", 5.0, true, "pg_stats"}};
  const auto remain = rows_remain_findings(items, scripts);
  REQUIRE(remain.size() == 2);
  CHECK(remain[0].line == 1);
  CHECK(remain[1].line == 3);
  CHECK(remain[1].file == "m.sql");

  // The type dropped for good: at its DROP TYPE (the one of the renamed object, not the new one).
  Catalog gone;
  const auto dropped = rolling_deploy_findings(
      before, gone, previous, {},
      std::vector<MigrationScript>{parse_migration(
          "d.sql", "ALTER TYPE status RENAME TO status_old;\nDROP TYPE status_old;")});
  REQUIRE(dropped.size() == 1);
  CHECK(dropped[0].line == 2);
}

TEST_CASE("drift the migration brought points at its statement; drift it found does not") {
  Catalog before;
  before.enums = {{{"public", "order_status"}, {"pending_payment", "paid"}}};
  const std::vector<MigrationScript> scripts{parse_migration(
      "0007.sql", "BEGIN;\nCOMMIT;\nALTER TYPE order_status ADD VALUE 'AwaitingShipment';")};
  DriftItem brought;
  brought.schema = "public";
  brought.enum_name = "order_status";
  brought.kind = DriftKind::case_mismatch;
  brought.expected = std::string("awaiting_shipment");
  brought.actual = std::string("AwaitingShipment");
  DriftItem found = brought;  // a value that was there before the migration
  found.kind = DriftKind::unexpected_value;
  found.expected = std::monostate{};
  found.actual = std::string("paid");
  const std::vector<DriftItem> items{brought, found};
  const auto findings = drift_findings(items, before, scripts);
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].line == 3);
  CHECK(findings[0].file == "0007.sql");
  CHECK(findings[0].message.find("case_mismatch") != std::string::npos);
  CHECK_FALSE(findings[1].line);
}

TEST_CASE("only what took effect is pointed at: a failed transaction's statements are not") {
  const auto one_transaction =
      parse_migration("a.sql", "DROP VIEW v;\nALTER TABLE t ALTER COLUMN c TYPE x;");
  CHECK(committed_part(one_transaction, 1).statements.empty());
  // Alembic's autocommit block: its statement took effect, the block after it did not.
  const auto own = parse_migration(
      "b.sql",
      "BEGIN;\nDROP VIEW v;\nCOMMIT;\nALTER TYPE s ADD VALUE 'x';\nBEGIN;\nDROP VIEW w;\n"
      "ALTER TABLE t ALTER COLUMN c TYPE x;\nCOMMIT;");
  const auto part = committed_part(own, 6);
  REQUIRE(part.statements.size() == 2);
  CHECK(part.statements[0].line == 2);
  CHECK(part.statements[1].line == 4);
  CHECK(part.file == "b.sql");
}

TEST_CASE("an ALTER COLUMN TYPE refused because of views names them and says what to do") {
  const auto script = parse_migration(
      "m.sql", "ALTER TABLE orders ALTER COLUMN status TYPE s USING status::text::s;");
  auto failure = migration_failed(script, script.statements[0], "0A000",
                                  "cannot alter type of a column used by a view or rule");
  auto unexplained = failure;
  name_blocking_views(unexplained, {});  // no view found: the failure as the server said it
  CHECK(unexplained.message.ends_with("(SQLSTATE 0A000)"));
  CHECK_FALSE(unexplained.fix);
  CHECK(failed_with(failure, "0A000"));
  CHECK_FALSE(failed_with(failure, "55P04"));
  const std::vector<std::string> views{"public.open_orders", "audit.\"Late\nOrders\""};
  name_blocking_views(failure, views);
  CHECK(failure.message.find("(SQLSTATE 0A000): the column is used by public.open_orders, "
                             "audit.\"Late\\nOrders\"") != std::string::npos);
  CHECK(failure.message.find('\n') == std::string::npos);
  REQUIRE(failure.fix);
  CHECK(failure.fix->find("drop the views that use the column (public.open_orders") !=
        std::string::npos);
}
