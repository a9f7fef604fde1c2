#include <doctest/doctest.h>

#include "enumwatch/diff/migration_hold.hpp"

using namespace enumwatch;
using namespace std::chrono_literals;

namespace {

using TimePoint = MigrationHold::TimePoint;
const TimePoint kStart = TimePoint{} + 1000h;
constexpr Duration kGrace = 15min;
const std::vector<std::string> kNone;
const std::vector<std::string> kSqitch{"sqitch"};

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

// A poll: its look at the locks, then its drift; the migrating flags it ends with.
std::vector<bool> poll(MigrationHold& hold, const std::vector<std::string>& tools, TimePoint at,
                       std::vector<DriftItem> drift) {
  (void)hold.look(tools, at, kGrace);
  hold.annotate(drift);
  std::vector<bool> out;
  for (const auto& item : drift) out.push_back(item.migrating);
  return out;
}

}  // namespace

TEST_CASE("no lock, no hold: drift is judged as it is") {
  MigrationHold hold;
  CHECK(poll(hold, kNone, kStart, {missing("refunded")}) == std::vector<bool>{false});
  CHECK_FALSE(hold.active());
  CHECK(hold.look(kNone, kStart + 1s, kGrace) == MigrationHold::Change::none);
}

TEST_CASE("drift that appears while a lock is held is migrating; drift from before is not") {
  MigrationHold hold;
  CHECK(poll(hold, kNone, kStart, {missing("old")}) == std::vector<bool>{false});
  CHECK(hold.look(kSqitch, kStart + 1s, kGrace) == MigrationHold::Change::began);
  CHECK(hold.holding());
  CHECK(hold.tools() == kSqitch);
  CHECK(hold.since() == kStart + 1s);
  std::vector<DriftItem> drift{missing("old"), missing("new")};
  hold.annotate(drift);
  CHECK_FALSE(drift[0].migrating);  // it alerted before the deploy and keeps alerting
  CHECK(drift[1].migrating);
  // Later polls of the same deploy: still held.
  CHECK(poll(hold, kSqitch, kStart + 20s, {missing("old"), missing("new")}) ==
        std::vector<bool>{false, true});
}

TEST_CASE("a released lock holds for kSettle more: Flyway's gap between two migrations") {
  MigrationHold hold;
  (void)poll(hold, kNone, kStart, {});
  CHECK(poll(hold, kSqitch, kStart + 1s, {missing("new")}) == std::vector<bool>{true});
  // The lock is gone between two migrations: the drift seen in the gap is still held.
  CHECK(hold.look(kNone, kStart + 2s, kGrace) == MigrationHold::Change::released);
  CHECK(hold.settles_at() == kStart + 2s + MigrationHold::kSettle);
  CHECK(hold.tools().empty());
  std::vector<DriftItem> gap{missing("new")};
  hold.annotate(gap);
  CHECK(gap[0].migrating);
  // The next migration takes the lock again: the same hold goes on, its start unchanged.
  CHECK(hold.look(kSqitch, kStart + 2500ms, kGrace) == MigrationHold::Change::none);
  CHECK(hold.since() == kStart + 1s);
  CHECK_FALSE(hold.settles_at());
  // Released for good: a look within kSettle keeps holding, the one after ends it.
  CHECK(hold.look(kNone, kStart + 3s, kGrace) == MigrationHold::Change::released);
  CHECK(hold.look(kNone, kStart + 3500ms, kGrace) == MigrationHold::Change::none);
  CHECK(hold.holding());
  CHECK(hold.look(kNone, kStart + 4s, kGrace) == MigrationHold::Change::ended);
  CHECK_FALSE(hold.active());
  // The end state is judged: what still drifts alerts.
  std::vector<DriftItem> after{missing("new")};
  hold.annotate(after);
  CHECK_FALSE(after[0].migrating);
}

TEST_CASE("a lock held past migration_grace releases the drift: the migration seems stuck") {
  MigrationHold hold;
  (void)poll(hold, kNone, kStart, {});
  CHECK(poll(hold, kSqitch, kStart, {missing("new")}) == std::vector<bool>{true});
  CHECK(hold.look(kSqitch, kStart + kGrace - 1s, kGrace) == MigrationHold::Change::none);
  CHECK(hold.look(kSqitch, kStart + kGrace, kGrace) == MigrationHold::Change::stuck);
  CHECK(hold.stuck());
  CHECK_FALSE(hold.holding());
  CHECK(hold.active());
  std::vector<DriftItem> drift{missing("new"), missing("newer")};
  hold.annotate(drift);
  CHECK_FALSE(drift[0].migrating);
  CHECK_FALSE(drift[1].migrating);  // nothing is held while stuck, not even what comes later
  // Said once.
  CHECK(hold.look(kSqitch, kStart + kGrace + 1min, kGrace) == MigrationHold::Change::none);
  // The stuck migration ends at last: the next one is held again, with its own grace.
  CHECK(hold.look(kNone, kStart + 20min, kGrace) == MigrationHold::Change::released);
  CHECK(hold.look(kNone, kStart + 21min, kGrace) == MigrationHold::Change::ended);
  CHECK_FALSE(hold.stuck());
  CHECK(poll(hold, kSqitch, kStart + 22min, {missing("new"), missing("third")}) ==
        std::vector<bool>{false, true});
}

TEST_CASE("an item fixed during the hold and back after it is judged again") {
  MigrationHold hold;
  (void)poll(hold, kNone, kStart, {missing("old")});
  CHECK(poll(hold, kSqitch, kStart + 1s, {}).empty());
  // "old" was there before the hold began: it stays judged, also when it comes back.
  CHECK(poll(hold, kSqitch, kStart + 2s, {missing("old")}) == std::vector<bool>{false});
}

TEST_CASE("a poll that found the same drift needs judging again only when the hold moved") {
  MigrationHold hold;
  (void)poll(hold, kNone, kStart, {missing("old")});
  CHECK_FALSE(hold.judgement_changed());
  (void)hold.look(kSqitch, kStart + 1s, kGrace);  // began: what was there stays judged
  CHECK(hold.judgement_changed());
  (void)poll(hold, kSqitch, kStart + 2s, {missing("old"), missing("new")});
  CHECK_FALSE(hold.judgement_changed());        // within the hold nothing moves
  (void)hold.look(kNone, kStart + 3s, kGrace);  // released, still settling: still holding
  CHECK_FALSE(hold.judgement_changed());
  (void)hold.look(kNone, kStart + 4s, kGrace);  // ended: the held item is judged now
  CHECK(hold.judgement_changed());
}
