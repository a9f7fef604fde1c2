#include "enumwatch/diff/migration_attribution.hpp"

namespace enumwatch {
namespace {

std::string flatten(const DriftSide& side) {
  if (const auto* one = std::get_if<std::string>(&side)) return "1" + *one;
  std::string out = std::holds_alternative<std::monostate>(side) ? "0" : "n";
  if (const auto* list = std::get_if<std::vector<std::string>>(&side)) {
    for (const auto& v : *list) out += v + '\x1f';
  }
  return out;
}

// What makes an item the same drift from one poll to the next; the message is not part of it.
std::string identity(const DriftItem& item) {
  const char sep = '\x1e';
  return item.snapshot + sep + item.schema + sep + item.enum_name + sep +
         std::string(to_string(item.kind)) + sep + flatten(item.expected) + sep +
         flatten(item.actual);
}

}  // namespace

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
    std::string id = identity(item);
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
