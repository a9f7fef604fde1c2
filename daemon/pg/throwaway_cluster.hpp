// A PostgreSQL server of enumwatch's own for `validate` (docs/validate.md, "The throwaway copy"):
// initdb into a private temporary directory, a server listening only on a unix socket there,
// fsync off; stopped and removed when the object goes, whatever happened. As root the server runs
// as the `postgres` user (PostgreSQL refuses root).
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

#include "enumwatch/config/dsn.hpp"

namespace enumwatch {

class ThrowawayCluster {
 public:
  // Finds initdb (PATH, then the newest /usr/lib/postgresql/*/bin), makes the cluster and starts
  // it. Throws Error saying what is missing or what failed (initdb's or the server's last log
  // line), after removing what it made.
  [[nodiscard]] static std::unique_ptr<ThrowawayCluster> start();
  ~ThrowawayCluster();
  ThrowawayCluster(const ThrowawayCluster&) = delete;
  ThrowawayCluster& operator=(const ThrowawayCluster&) = delete;

  // Connection parameters for `dbname` as the cluster's superuser, over the unix socket.
  [[nodiscard]] ConnParams params(const std::string& dbname) const;
  [[nodiscard]] const std::string& bin_dir() const { return bin_; }

 private:
  ThrowawayCluster() = default;
  void stop() noexcept;

  std::string bin_;  // the directory holding initdb, pg_ctl and postgres
  std::string dir_;  // the temporary directory: data/, the socket, the server log
  std::optional<std::pair<uid_t, gid_t>> run_as_;
  bool started_ = false;
};

}  // namespace enumwatch
