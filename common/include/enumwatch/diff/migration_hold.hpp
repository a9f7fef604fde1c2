// Drift held back while a migration is in flight (docs/migration-locks.md, "Holding drift"): a
// deploy that runs several scripts leaves the schema half-changed between two of them, and the
// drift seen then may be gone after the next one. While a migration tool holds its lock, drift
// that was not there before the lock is marked migrating and does not alert; the hold ends when
// the lock has been gone for a moment (a second look, kSettle later, still finds none), or when
// migration_grace has passed since the lock was first seen (the migration seems stuck). One per
// target, fed every look at the locks and every poll's drift, in order. Pure: the caller brings
// the clock.
#pragma once

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "enumwatch/core/drift.hpp"
#include "enumwatch/core/duration.hpp"

namespace enumwatch {

class MigrationHold {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // How long a released lock must stay away before the hold ends: Flyway takes its lock per
  // migration, in each migration's transaction, so between two migrations of one deploy it is
  // briefly not held.
  static constexpr std::chrono::milliseconds kSettle{1000};

  // What a look changed.
  enum class Change {
    none,
    began,     // a lock is held and nothing was held before
    released,  // no lock now, after one: the hold lasts until a look kSettle later
    ended,     // no lock for kSettle: the drift found now is judged as it is
    stuck,     // held for migration_grace: the drift alerts although the lock is still held
  };

  // A look at the locks: the tools whose lock is held now (docs/migration-locks.md names them).
  Change look(const std::vector<std::string>& tools_held, TimePoint now, Duration grace);
  // Sets `migrating` on each item of a poll's drift: true while the hold lasts (and is not stuck)
  // for items that were not in the drift before it began. Every poll's drift must come here,
  // also while no lock is held: it is what "before" means.
  void annotate(std::vector<DriftItem>& drift);

  // Whether a drift annotated before may now be judged otherwise: only when holding() changed
  // since the last annotate() (within one hold, what was there before it is fixed). A poll that
  // found the same drift re-annotates only then.
  [[nodiscard]] bool judgement_changed() const { return holding() != judged_holding_; }
  // A lock held or settling, and the grace not passed: new drift is held back.
  [[nodiscard]] bool holding() const { return since_.has_value() && !stuck_; }
  // The grace passed with the lock still held (until the hold ends).
  [[nodiscard]] bool stuck() const { return stuck_; }
  // Whether a hold is under way at all (held, settling or stuck): the locks are worth looking at
  // between polls.
  [[nodiscard]] bool active() const { return since_.has_value(); }
  // The tools holding their lock at the last look (empty while settling).
  [[nodiscard]] const std::vector<std::string>& tools() const { return tools_; }
  // When the lock was first seen held, for this hold.
  [[nodiscard]] std::optional<TimePoint> since() const { return since_; }
  // When the hold ends if no lock comes back (while settling).
  [[nodiscard]] std::optional<TimePoint> settles_at() const;

 private:
  std::vector<std::string> tools_;
  std::optional<TimePoint> since_;
  std::optional<TimePoint> released_at_;
  bool stuck_ = false;
  std::set<std::string> before_;  // identities of the drift there when the hold began
  std::set<std::string> last_;    // identities of the last poll's drift
  bool judged_holding_ = false;   // holding() at the last annotate()
};

}  // namespace enumwatch
