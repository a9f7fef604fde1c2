// The snapshots a config names, loaded: file-managed ones from their files, API-managed ones
// from the store (absent until first registered).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "enumwatch/config/config.hpp"
#include "enumwatch/diff/diff.hpp"
#include "snapshots/store.hpp"

namespace enumwatch {

struct LoadedSnapshot {
  std::string name;
  bool file_managed = false;
  std::optional<StoredSnapshot> current;  // nothing: API-managed and not registered yet
};

using SnapshotSet = std::map<std::string, LoadedSnapshot>;

// Throws Error naming the file and what is wrong in it.
[[nodiscard]] SnapshotSet load_snapshots(const Config& config, const SnapshotStore& store);

// The snapshots one target is checked against, in the order the target lists them.
[[nodiscard]] std::vector<NamedSnapshot> snapshots_for(const TargetConfig& target,
                                                       const SnapshotSet& set);

// A password file's first line; throws Error (never showing the content) when unreadable.
[[nodiscard]] std::optional<std::string> read_password(const TargetConfig& target);

}  // namespace enumwatch
