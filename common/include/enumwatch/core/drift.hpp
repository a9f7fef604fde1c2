// The vocabulary of drift (docs/drift-kinds.md): its kinds, their severities, and one drift item.
// Shared by the diff that finds drift and the remediation that fixes it, so neither includes the
// other.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

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
  default_mismatch,
  snapshot_conflict,
};
inline constexpr std::array kAllDriftKinds{
    DriftKind::missing_type,     DriftKind::missing_value,     DriftKind::case_mismatch,
    DriftKind::unexpected_value, DriftKind::order_mismatch,    DriftKind::unexpected_type,
    DriftKind::naming_violation, DriftKind::revision_mismatch, DriftKind::default_mismatch,
    DriftKind::snapshot_conflict};

enum class Severity { info, warning, critical };

[[nodiscard]] std::string_view to_string(DriftKind kind);
[[nodiscard]] std::string_view to_string(Severity severity);
[[nodiscard]] Severity severity_of(DriftKind kind);

// The snapshot side or the database side of an item: nothing, one value, or a list of values.
using DriftSide = std::variant<std::monostate, std::string, std::vector<std::string>>;

// How many rows hold one value an item names (docs/drift-kinds.md "impact").
struct ValueImpact {
  std::string value;
  std::optional<double> rows;  // nothing: PostgreSQL has no statistics for a column using it
  bool estimated = true;       // false: counted (diff --impact exact)
  std::string how;             // one phrase: where the figure comes from
  bool operator==(const ValueImpact&) const = default;
};

// Who made the change that explains an item, from the event trigger's log (docs/who-changed-it.md):
// the newest logged command on the item's type (or, for a check, its table).
struct ChangedBy {
  std::string at;                               // RFC 3339, UTC: 2026-12-05T14:02:11Z
  std::string role;                             // session_user
  std::optional<std::string> current_role;      // the role SET ROLE made current, if another
  std::optional<std::string> application_name;  // nothing: unset
  std::optional<std::string> client_addr;       // nothing: a unix socket
  std::string command_tag;                      // ALTER TYPE
  std::string statement;                        // at most 4096 bytes, passwords redacted
  bool operator==(const ChangedBy&) const = default;
};

struct DriftItem {
  std::string target;
  std::string snapshot;
  std::string schema;     // "" for revision_mismatch
  std::string enum_name;  // "" for revision_mismatch; "table.column" for a check
  std::optional<std::string> table,
      column;  // a check's (docs/snapshot-format.md [[check]]); nothing for enums
  DriftKind kind{};
  DriftSide expected;  // snapshot side
  DriftSide actual;    // database side
  std::string message;
  std::optional<std::string> remediation_sql;
  std::optional<std::string> code_fix;
  std::vector<std::string> used_by;
  // Value-level items only, one entry per value they name; empty until the reader filled it in.
  std::vector<ValueImpact> impact;
  // Filled in by the reader when the event trigger's log explains the item.
  std::optional<ChangedBy> changed_by{};
  // Held back while a migration tool holds its lock (docs/migration-locks.md, "Holding drift"):
  // set by the daemon, never by a one-shot check.
  bool migrating = false;

  // Derived from the kind (docs/drift-kinds.md), never stored: the two cannot disagree.
  [[nodiscard]] Severity severity() const { return severity_of(kind); }

  bool operator==(const DriftItem&) const = default;
};

// What makes an item the same drift from one poll to the next: snapshot, schema, enum, kind and
// both sides; not the message, nor what the daemon annotates.
[[nodiscard]] std::string drift_identity(const DriftItem& item);

}  // namespace enumwatch
