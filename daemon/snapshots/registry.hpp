// The daemon's live view of its snapshots: file-managed ones reloaded on SIGHUP, API-managed
// ones registered over HTTP and persisted in the SnapshotStore.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <string>
#include <vector>

#include "snapshots/snapshot_set.hpp"
#include "snapshots/store.hpp"

namespace enumwatch {

class SnapshotRegistry {
 public:
  SnapshotRegistry(std::string state_dir, SnapshotSet initial)
      : store_(std::move(state_dir)), set_(std::move(initial)) {}

  [[nodiscard]] const SnapshotSet& all() const { return set_; }
  [[nodiscard]] const SnapshotStore& store() const { return store_; }
  [[nodiscard]] const LoadedSnapshot* find(const std::string& name) const;
  [[nodiscard]] std::vector<NamedSnapshot> snapshots_for(const TargetConfig& target) const {
    return enumwatch::snapshots_for(target, set_);
  }

  void replace(SnapshotStore store, SnapshotSet set) {
    store_ = std::move(store);
    set_ = std::move(set);
  }

  // Persists durably (on a worker thread: fsync must not stall the loop), then makes it current.
  boost::asio::awaitable<StoredSnapshot> register_version(const std::string& name,
                                                          Snapshot snapshot);

 private:
  SnapshotStore store_;
  SnapshotSet set_;
  boost::asio::thread_pool disk_{1};
};

}  // namespace enumwatch
