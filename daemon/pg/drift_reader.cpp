#include "pg/drift_reader.hpp"

#include "enumwatch/core/error.hpp"
#include "enumwatch/sql/remediation.hpp"
#include "pg/catalog_reader.hpp"

namespace enumwatch {

boost::asio::awaitable<DriftRead> read_drift(PgConnection& connection, const std::string& target,
                                             std::span<const NamedSnapshot> snapshots,
                                             DatabaseState& state, const DiffOptions& options,
                                             ImpactRead impact, Deadline deadline) {
  DriftRead out;
  out.items = diff(target, snapshots, state, options);
  if (auto types = types_to_recreate(out.items); !types.empty()) {
    // The recipe for these keeps every dependent: one more round trip, only while drifting.
    try {
      co_await read_dependents(connection, types, state, deadline);
      out.items = diff(target, snapshots, state, options);
    } catch (const Error& e) {
      out.failures.push_back({"dependents", e.what()});
    }
  }
  if (!out.items.empty()) {
    try {
      // Who made the change each item is about, from the event trigger's log: one more short
      // round trip, only while drifting; without it the items are right, only unattributed.
      co_await read_changed_by(connection, out.items, state.ddl_trigger_installed, deadline);
    } catch (const Error& e) {
      out.failures.push_back({"changed_by", e.what()});
    }
  }
  if (impact == ImpactRead::exact) {
    // Exact counts scan the tables, so they are asked for: a failure is the command's error.
    co_await count_impact(connection, out.items, state.catalog, deadline);
    co_return out;
  }
  try {
    // How many rows each drifting value touches, from pg_stats: one more short round trip, only
    // while drifting. Without it the items are still right, only their impact is unknown.
    co_await read_impact_estimates(connection, out.items, state.catalog, deadline);
  } catch (const Error& e) {
    out.failures.push_back({"column_stats", e.what()});
  }
  co_return out;
}

}  // namespace enumwatch
