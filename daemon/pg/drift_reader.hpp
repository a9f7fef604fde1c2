// One poll's sequence after the catalog is read, for the daemon and for the CLI alike: diff, read
// the dependents of each type whose fix recreates it and diff again (so the recipe keeps them),
// then read who made the changes (docs/who-changed-it.md) and the impact of the drifting values.
// Secondary reads may fail without failing the poll: the drift is known, only the recipe, the
// attribution or the impact is poorer, and the failure is returned.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <span>
#include <string>
#include <vector>

#include "enumwatch/core/drift.hpp"
#include "enumwatch/core/model.hpp"
#include "enumwatch/diff/diff.hpp"
#include "pg/connection.hpp"
#include "pg/secondary_read_failure.hpp"

namespace enumwatch {

struct DriftRead {
  std::vector<DriftItem> items;
  std::vector<SecondaryReadFailure> failures;
};

enum class ImpactRead {
  estimate,  // pg_stats, no scan; a failure is a SecondaryReadFailure
  exact,     // counts the rows; a failure throws (the caller asked for counts)
};

// The connection is only borrowed: a read that breaks it makes the later ones fail fast (and be
// reported), never touch a connection that is gone. Throws PgError only for exact counts.
[[nodiscard]] boost::asio::awaitable<DriftRead> read_drift(
    PgConnection& connection, const std::string& target, std::span<const NamedSnapshot> snapshots,
    DatabaseState& state, const DiffOptions& options, ImpactRead impact, Deadline deadline);

}  // namespace enumwatch
