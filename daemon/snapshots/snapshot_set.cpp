#include "snapshots/snapshot_set.hpp"

#include "enumwatch/core/error.hpp"
#include "enumwatch/core/file_io.hpp"
#include "enumwatch/core/text.hpp"

namespace enumwatch {

SnapshotSet load_snapshots(const Config& config, const SnapshotStore& store) {
  SnapshotSet set;
  for (const auto& [name, source] : config.snapshots) {
    LoadedSnapshot loaded{name, source.path.has_value(), std::nullopt};
    if (source.path) {
      Snapshot snapshot = load_snapshot(*source.path);
      std::string hash = digest(snapshot);
      loaded.current =
          StoredSnapshot{std::make_shared<Snapshot>(std::move(snapshot)), std::move(hash), {}, {}};
    } else {
      loaded.current = store.load(name);
    }
    set.emplace(name, std::move(loaded));
  }
  return set;
}

std::vector<NamedSnapshot> snapshots_for(const TargetConfig& target, const SnapshotSet& set) {
  std::vector<NamedSnapshot> out;
  for (const auto& name : target.snapshots) {
    auto it = set.find(name);
    NamedSnapshot named{name, nullptr};
    if (it != set.end() && it->second.current) named.snapshot = it->second.current->snapshot;
    out.push_back(std::move(named));
  }
  return out;
}

std::optional<std::string> read_password(const TargetConfig& target) {
  if (!target.password_file) return std::nullopt;
  return read_password_file(*target.password_file, "password file of target " + target.name);
}

}  // namespace enumwatch
