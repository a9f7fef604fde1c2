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
