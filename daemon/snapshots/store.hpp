// API-managed snapshots on disk under state_dir: the current version of each, plus the last 20
// versions as history. Writes are durable before they return (temp file, fsync, rename, fsync dir).
//
// Layout: <state_dir>/snapshots/<name>/current.json and .../history/<ms>-<digest>.json, each
// {"name","digest","registered_at","snapshot":{...SPEC §3 as JSON...}}.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "enumwatch/snapshot.hpp"

namespace enumwatch {

struct StoredSnapshot {
  std::shared_ptr<const Snapshot> snapshot;
  std::string digest;
  std::chrono::system_clock::time_point registered_at;
};

class SnapshotStore {
 public:
  static constexpr std::size_t kHistoryVersions = 20;

  explicit SnapshotStore(std::string state_dir) : state_dir_(std::move(state_dir)) {}

  // Nothing when never registered; throws Error when the stored file is unreadable or corrupt.
  [[nodiscard]] std::optional<StoredSnapshot> load(const std::string& name) const;
  // Blocking file I/O with fsync: call it off the event loop.
  StoredSnapshot save(const std::string& name, const Snapshot& snapshot,
                      std::chrono::system_clock::time_point now) const;

 private:
  std::string state_dir_;
};

}  // namespace enumwatch
