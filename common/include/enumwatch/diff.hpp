// The diff engine: compares what a database holds with the snapshots a target is checked against
// and explains every difference as a drift item (SPEC §4).
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "enumwatch/model.hpp"
#include "enumwatch/scope.hpp"
#include "enumwatch/snapshot.hpp"

namespace enumwatch {

enum class DriftKind {
  missing_type,
  missing_value,
  case_mismatch,
  unexpected_value,
  order_mismatch,
  unexpected_type,
  naming_violation,
  revision_mismatch,
};
inline constexpr std::array kAllDriftKinds{
    DriftKind::missing_type,     DriftKind::missing_value,    DriftKind::case_mismatch,
    DriftKind::unexpected_value, DriftKind::order_mismatch,   DriftKind::unexpected_type,
    DriftKind::naming_violation, DriftKind::revision_mismatch};

enum class Severity { info, warning, critical };

[[nodiscard]] std::string_view to_string(DriftKind kind);
[[nodiscard]] std::string_view to_string(Severity severity);
[[nodiscard]] Severity severity_of(DriftKind kind);

// The snapshot side or the database side of an item: nothing, one value, or a list of values.
using DriftSide = std::variant<std::monostate, std::string, std::vector<std::string>>;

struct DriftItem {
  std::string target;
  std::string snapshot;
  std::string schema;     // "" for revision_mismatch
  std::string enum_name;  // "" for revision_mismatch
  DriftKind kind{};
  Severity severity{};
  DriftSide expected;  // snapshot side
  DriftSide actual;    // database side
  std::string message;
  std::optional<std::string> remediation_sql;
  std::optional<std::string> code_fix;
  std::vector<std::string> used_by;

  bool operator==(const DriftItem&) const = default;
};

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
};

// Items come out in a deterministic order: per snapshot (as given), revision first, then enums by
// (schema, name) and kinds in a fixed order; unexpected types last.
[[nodiscard]] std::vector<DriftItem> diff(std::string_view target,
                                          std::span<const NamedSnapshot> snapshots,
                                          const DatabaseState& database,
                                          const DiffOptions& options);

// "PendingPayment", "pending-payment" and "pending payment" all fold to "pendingpayment".
[[nodiscard]] std::string fold_spelling(std::string_view value);
[[nodiscard]] bool is_snake_case(std::string_view value);
[[nodiscard]] std::string to_snake_case(std::string_view value);

}  // namespace enumwatch
