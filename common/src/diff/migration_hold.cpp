#include "enumwatch/diff/migration_hold.hpp"

namespace enumwatch {

MigrationHold::Change MigrationHold::look(const std::vector<std::string>& tools_held, TimePoint now,
                                          Duration grace) {
  tools_ = tools_held;
  if (!tools_held.empty()) {
    released_at_.reset();
    if (!since_) {
      since_ = now;
      before_ = last_;  // what drifted before the migration is not the migration's
      return Change::began;
    }
    if (!stuck_ && now - *since_ >= grace) {
      stuck_ = true;
      return Change::stuck;
    }
    return Change::none;
  }
  if (!since_) return Change::none;
  if (!released_at_) {
    released_at_ = now;
    return Change::released;
  }
  if (now - *released_at_ < kSettle) return Change::none;
  since_.reset();
  released_at_.reset();
  stuck_ = false;
  before_.clear();
  return Change::ended;
}

void MigrationHold::annotate(std::vector<DriftItem>& drift) {
  judged_holding_ = holding();
  last_.clear();
  for (auto& item : drift) {
    std::string id = drift_identity(item);
    item.migrating = holding() && !before_.contains(id);
    last_.insert(std::move(id));
  }
}

std::optional<MigrationHold::TimePoint> MigrationHold::settles_at() const {
  if (!released_at_) return std::nullopt;
  return *released_at_ + kSettle;
}

}  // namespace enumwatch
