// API-managed snapshots on disk under state_dir: the current version of each, plus the last 20
// versions as history. Writes are durable before they return (temp file, fsync, rename, fsync dir).
//
// Layout: <state_dir>/snapshots/<name>/current.json and .../history/<ms>-<digest>.json, each
// {"name","digest","registered_at","snapshot":{...docs/snapshot-format.md as JSON...}}.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "enumwatch/snapshot/snapshot.hpp"

#include "http/page/status_page.hpp"

namespace enumwatch {

struct StoredSnapshot {
  std::shared_ptr<const Snapshot> snapshot;
  std::string digest;
  std::chrono::system_clock::time_point registered_at;
  // Set when current.json was unreadable or corrupt and this is the newest valid version from
  // history/: what was wrong and which file stands in. The daemon logs and counts it.
  std::optional<std::string> recovered_from_history;
};

class SnapshotStore {
 public:
  static constexpr std::size_t kHistoryVersions = 20;

  explicit SnapshotStore(std::string state_dir) : state_dir_(std::move(state_dir)) {}

  // Nothing when never registered. A truncated or garbled current.json falls back to the newest
  // valid version in history/ (saying so in recovered_from_history). Throws Error when the
  // state cannot be read at all (permission denied is never "not registered") or no version is
  // valid.
  [[nodiscard]] std::optional<StoredSnapshot> load(const std::string& name) const;
  // The stored versions of an API-managed snapshot, newest first, from the names in history/
  // (digests shortened to 12 characters); empty when there are none or they cannot be listed.
  [[nodiscard]] std::vector<SnapshotVersion> history(const std::string& name) const;
  // Blocking file I/O with fsync: call it off the event loop.
  StoredSnapshot save(const std::string& name, const Snapshot& snapshot,
                      std::chrono::system_clock::time_point now) const;

 private:
  std::string state_dir_;
};

}  // namespace enumwatch
