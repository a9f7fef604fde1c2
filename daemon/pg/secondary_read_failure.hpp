// A read after the catalog's that failed without failing the poll: the drift is known, only the
// recipe, the attribution or the impact is poorer. Plain data, without libpq, so that whoever
// counts it need not include the connection.
#pragma once

#include <string>
#include <string_view>

namespace enumwatch {

// `read` names it as the metric label does (docs/metrics.md): dependents, column_stats
// (pg_stats), changed_by (the trigger's log), migration_revision, migration_lock (the migration
// tools' locks, docs/migration-locks.md).
struct SecondaryReadFailure {
  std::string read;
  std::string error;
  // For messages: "reading <what> failed".
  [[nodiscard]] std::string_view what() const {
    if (read == "dependents") return "the dependents of a drifting type";
    if (read == "changed_by") return "who changed it (enumwatch.ddl_log)";
    if (read == "migration_lock") return "the migration tools' locks";
    return "the column statistics";
  }
};

}  // namespace enumwatch
