#include "enumwatch/core/drift.hpp"

namespace enumwatch {

std::string_view to_string(DriftKind kind) {
  switch (kind) {
    case DriftKind::missing_type:
      return "missing_type";
    case DriftKind::missing_value:
      return "missing_value";
    case DriftKind::case_mismatch:
      return "case_mismatch";
    case DriftKind::unexpected_value:
      return "unexpected_value";
    case DriftKind::order_mismatch:
      return "order_mismatch";
    case DriftKind::unexpected_type:
      return "unexpected_type";
    case DriftKind::naming_violation:
      return "naming_violation";
    case DriftKind::revision_mismatch:
      return "revision_mismatch";
    case DriftKind::default_mismatch:
      return "default_mismatch";
    case DriftKind::snapshot_conflict:
      return "snapshot_conflict";
  }
  return "unknown";
}

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::info:
      return "info";
    case Severity::warning:
      return "warning";
    case Severity::critical:
      return "critical";
  }
  return "unknown";
}

Severity severity_of(DriftKind kind) {
  switch (kind) {
    case DriftKind::missing_type:
    case DriftKind::missing_value:
    case DriftKind::case_mismatch:
    case DriftKind::default_mismatch:
    case DriftKind::snapshot_conflict:
      return Severity::critical;
    case DriftKind::unexpected_value:
    case DriftKind::naming_violation:
    case DriftKind::revision_mismatch:
      return Severity::warning;
    case DriftKind::order_mismatch:
    case DriftKind::unexpected_type:
      return Severity::info;
  }
  return Severity::info;
}

namespace {

std::string flatten_side(const DriftSide& side) {
  if (const auto* one = std::get_if<std::string>(&side)) return "1" + *one;
  std::string out = std::holds_alternative<std::monostate>(side) ? "0" : "n";
  if (const auto* list = std::get_if<std::vector<std::string>>(&side)) {
    for (const auto& v : *list) out += v + '\x1f';
  }
  return out;
}

}  // namespace

std::string drift_identity(const DriftItem& item) {
  const char sep = '\x1e';
  return item.snapshot + sep + item.schema + sep + item.enum_name + sep +
         std::string(to_string(item.kind)) + sep + flatten_side(item.expected) + sep +
         flatten_side(item.actual);
}

}  // namespace enumwatch
