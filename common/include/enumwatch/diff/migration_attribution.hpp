// Ties drift to the migration that brought it: "after migration to revision X" is what an
// on-call engineer needs first, because it names the deploy to look at or roll back.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "enumwatch/diff/diff.hpp"

namespace enumwatch {

// Drift first seen within this many polls of a change of the target's migration revision is
// attributed to it. More than one: a migration that adds enum values in an autocommit block
// changes the type before it records its revision.
inline constexpr int kPollsAttributedToMigration = 3;

// One per target, fed every successful poll in order.
class MigrationAttribution {
 public:
  // Appends " (appeared after migration to revision X)" to the message of each drift item that
  // came with a migration, for as long as the item lasts.
  void annotate(std::vector<DriftItem>& drift, const std::optional<std::string>& revision);
  // A poll that found the catalog, and so the revision and the drift, as the last one did: it
  // counts toward the window all the same, and its drift keeps the notes it has.
  void unchanged_poll();

 private:
  bool seen_ = false;
  std::optional<std::string> revision_;
  int polls_since_change_ = kPollsAttributedToMigration;
  std::map<std::string, std::string> notes_;  // drift item identity -> revision
};

}  // namespace enumwatch
