#include "snapshots/registry.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace enumwatch {

const LoadedSnapshot* SnapshotRegistry::find(const std::string& name) const {
  auto it = set_.find(name);
  return it == set_.end() ? nullptr : &it->second;
}

boost::asio::awaitable<StoredSnapshot> SnapshotRegistry::register_version(const std::string& name,
                                                                          Snapshot snapshot) {
  // A named task, not a temporary inside the co_await: g++ 12 destroys such temporaries twice.
  auto save = [store = store_, name,
               snapshot = std::move(snapshot)]() -> boost::asio::awaitable<StoredSnapshot> {
    co_return store.save(name, snapshot, std::chrono::system_clock::now());
  };
  StoredSnapshot stored =
      co_await boost::asio::co_spawn(disk_, std::move(save), boost::asio::use_awaitable);
  auto it = set_.find(name);
  if (it != set_.end()) it->second.current = stored;
  co_return stored;
}

}  // namespace enumwatch
