// The diff engine: compares what a database holds with the snapshots a target is checked against
// and explains every difference as a drift item (docs/drift-kinds.md).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/config/scope.hpp"
#include "enumwatch/core/drift.hpp"
#include "enumwatch/core/model.hpp"
#include "enumwatch/snapshot/snapshot.hpp"

namespace enumwatch {

// A snapshot as a target uses it; `snapshot` is null until an API-managed one is registered.
struct NamedSnapshot {
  std::string name;
  std::shared_ptr<const Snapshot> snapshot;
};

struct DiffOptions {
  bool check_order = true;
  bool report_unexpected = true;
  NamingPolicy naming = NamingPolicy::none;
  Scope scope;
  bool checks = true;  // compare the snapshots' [[check]] entries (the target reads them)
  // SET LOCAL lock_timeout of the create-swap-drop recipe (diff --lock-timeout).
  std::chrono::milliseconds lock_timeout{5000};
  // When set (the daemon: kMaxServedRemediationBytes), a recreate recipe whose re-created
  // definitions alone exceed it is not built: its items carry oversized_recipe_notice instead
  // (docs/remediation.md, "Large recipes"). 0: every recipe whole (the CLI).
  std::size_t max_recipe_bytes = 0;
};

// The types whose fix recreates them (a removal or a reorder), once each: the reader then
// fetches their dependents (dependents.hpp) and diffs again, so that the recipe keeps them.
[[nodiscard]] std::vector<TypeName> types_to_recreate(std::span<const DriftItem> items);

// Items come out in a deterministic order: per snapshot (as given), revision first, then enums by
// (schema, name) and kinds in a fixed order; unexpected types last.
[[nodiscard]] std::vector<DriftItem> diff(std::string_view target,
                                          std::span<const NamedSnapshot> snapshots,
                                          const DatabaseState& database,
                                          const DiffOptions& options);

// One snapshot_conflict item per type (or check column) that two or more of the snapshots name
// with different values, whatever the database holds. diff() includes them; `check
// --snapshots-only` and `diff --against` call this alone.
[[nodiscard]] std::vector<DriftItem> snapshot_conflicts(std::string_view target,
                                                        std::span<const NamedSnapshot> snapshots,
                                                        const DiffOptions& options);

// "PendingPayment", "pending-payment" and "pending payment" all fold to "pendingpayment".
[[nodiscard]] std::string fold_spelling(std::string_view value);
[[nodiscard]] bool is_snake_case(std::string_view value);
[[nodiscard]] std::string to_snake_case(std::string_view value);

}  // namespace enumwatch
