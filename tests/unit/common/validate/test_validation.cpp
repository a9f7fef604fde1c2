#include <doctest/doctest.h>

#include <boost/json.hpp>

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
