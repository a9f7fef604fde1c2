#include <doctest/doctest.h>

#include "enumwatch/diff/migration_attribution.hpp"

using namespace enumwatch;

namespace {

DriftItem missing(const std::string& value) {
  DriftItem item;
  item.snapshot = "app";
  item.schema = "public";
  item.enum_name = "order_status";
  item.kind = DriftKind::missing_value;
  item.expected = value;
  item.message = "value '" + value + "' is missing";
  return item;
}

std::vector<DriftItem> poll(MigrationAttribution& a, std::vector<DriftItem> drift,
                            std::optional<std::string> revision) {
  a.annotate(drift, revision);
  return drift;
}

constexpr std::string_view kNote = " (appeared after migration to revision r2)";

}  // namespace

TEST_CASE("drift that comes with a new migration revision names it, and keeps the note") {
  MigrationAttribution a;
  CHECK(poll(a, {}, "r1").empty());
  auto drift = poll(a, {missing("refunded")}, "r2");
  REQUIRE(drift.size() == 1);
  CHECK(drift[0].message == "value 'refunded' is missing" + std::string(kNote));
  // Still there polls later: still attributed, exactly once.
  for (int i = 0; i < 5; ++i) drift = poll(a, {missing("refunded")}, "r2");
  CHECK(drift[0].message == "value 'refunded' is missing" + std::string(kNote));
}

TEST_CASE("drift already there when the daemon starts is not blamed on a migration") {
  MigrationAttribution a;
  CHECK(poll(a, {missing("refunded")}, "r1")[0].message == "value 'refunded' is missing");
  CHECK(poll(a, {missing("refunded")}, "r1")[0].message == "value 'refunded' is missing");
}

TEST_CASE("drift seen a few polls after the revision changed is still attributed, later not") {
  MigrationAttribution a;
  (void)poll(a, {}, "r1");
  (void)poll(a, {}, "r2");
  CHECK(poll(a, {missing("a")}, "r2")[0].message.ends_with(kNote));
  for (int i = 0; i < kPollsAttributedToMigration; ++i) (void)poll(a, {missing("a")}, "r2");
  auto later = poll(a, {missing("a"), missing("b")}, "r2");
  CHECK(later[0].message.ends_with(kNote));
  CHECK(later[1].message == "value 'b' is missing");
}

TEST_CASE("drift that goes away and comes back without a migration loses the note") {
  MigrationAttribution a;
  (void)poll(a, {}, "r1");
  (void)poll(a, {missing("a")}, "r2");
  for (int i = 0; i < kPollsAttributedToMigration; ++i) (void)poll(a, {}, "r2");
  CHECK(poll(a, {missing("a")}, "r2")[0].message == "value 'a' is missing");
}

TEST_CASE("revision_mismatch items carry no note: they are about the revision already") {
  MigrationAttribution a;
  (void)poll(a, {}, "r1");
  DriftItem mismatch;
  mismatch.kind = DriftKind::revision_mismatch;
  mismatch.message = "the database is at migration revision 'r2'";
  CHECK(poll(a, {mismatch}, "r2")[0].message == mismatch.message);
}

TEST_CASE("unchanged polls count toward the window like any other") {
  // Polls whose fingerprint did not move are not diffed again, but they are polls: drift that
  // shows up after them is not the migration's.
  MigrationAttribution a;
  CHECK(poll(a, {}, "r1").empty());
  CHECK(poll(a, {}, "r2").empty());
  for (int i = 0; i < kPollsAttributedToMigration; ++i) a.unchanged_poll();
  CHECK(poll(a, {missing("refunded")}, "r2")[0].message == "value 'refunded' is missing");
  // Within the window, one unchanged poll leaves room for drift to be attributed.
  MigrationAttribution b;
  CHECK(poll(b, {}, "r1").empty());
  CHECK(poll(b, {}, "r2").empty());
  b.unchanged_poll();
  CHECK(poll(b, {missing("refunded")}, "r2")[0].message ==
        "value 'refunded' is missing" + std::string(kNote));
}
