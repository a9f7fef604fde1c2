#include "enumwatch/diff/migration_attribution.hpp"

namespace enumwatch {

void MigrationAttribution::unchanged_poll() {
  if (seen_ && polls_since_change_ < kPollsAttributedToMigration) ++polls_since_change_;
}

void MigrationAttribution::annotate(std::vector<DriftItem>& drift,
                                    const std::optional<std::string>& revision) {
  if (!seen_) {
    // The first revision seen is where the target stands, not a migration that just happened.
    seen_ = true;
    revision_ = revision;
  } else if (revision != revision_) {
    revision_ = revision;
    polls_since_change_ = 0;
  }
  const bool after_migration = revision_ && polls_since_change_ < kPollsAttributedToMigration;
  if (polls_since_change_ < kPollsAttributedToMigration) ++polls_since_change_;

  std::map<std::string, std::string> kept;
  for (auto& item : drift) {
    if (item.kind == DriftKind::revision_mismatch) continue;  // says so itself
    std::string id = drift_identity(item);
    auto note = notes_.find(id);
    if (note != notes_.end()) {
      kept.insert(*note);
    } else if (after_migration) {
      note = kept.emplace(std::move(id), *revision_).first;
    } else {
      continue;
    }
    item.message += " (appeared after migration to revision " + note->second + ")";
  }
  notes_ = std::move(kept);
}

}  // namespace enumwatch
