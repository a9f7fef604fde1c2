// Snapshots: the enum types and ordered values a target is expected to have
// (docs/snapshot-format.md).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/core/model.hpp"

namespace enumwatch {

enum class SnapshotFormat { toml, json };

// revision and source end up in a metric label, log lines and alerts: plain text, bounded.
inline constexpr std::size_t kMaxRevisionBytes = 200;
inline constexpr std::size_t kMaxSourceBytes = 1000;

struct Snapshot {
  std::optional<std::string> revision;  // the code's git sha or migration head
  std::optional<std::string> source;    // free text: where it came from
  std::vector<EnumType> enums;          // sorted by (schema, name)
  std::vector<CheckColumn> checks;      // sorted by key(), values sorted

  bool operator==(const Snapshot&) const = default;
};

// Parses and validates; throws Error naming origin, line and column where known.
[[nodiscard]] Snapshot parse_snapshot(std::string_view text, SnapshotFormat format,
                                      std::string_view origin);
// A snapshot embedded in a JSON document already parsed (the daemon's state files): read and
// validated as parse_snapshot reads JSON text, without writing it out and parsing it again.
[[nodiscard]] Snapshot snapshot_from_json(const boost::json::value& value, std::string_view origin);
// Reads a file; JSON when the name ends in .json, TOML otherwise.
[[nodiscard]] Snapshot load_snapshot(const std::string& path);
[[nodiscard]] SnapshotFormat snapshot_format_for_path(std::string_view path);

[[nodiscard]] std::string to_toml(const Snapshot& snapshot);
[[nodiscard]] std::string to_json(const Snapshot& snapshot);
// The same as a value, to embed in another document.
[[nodiscard]] boost::json::object to_json_value(const Snapshot& snapshot);

// Hex SHA-256 of the canonical form: the compact JSON array of enums sorted by (schema, name),
// each {"schema","name","values"} with values in order, followed by the checks sorted by
// (schema, table, column), each {"schema","table","column","values"} with values sorted (a
// snapshot without checks keeps the digest it always had). Revision and source are not part of
// it.
[[nodiscard]] std::string digest(const Snapshot& snapshot);

// Checks one enum name or value against docs/snapshot-format.md (non-empty, <= 63 bytes, UTF-8, no
// NUL); returns what is wrong, or nothing.
[[nodiscard]] std::optional<std::string> label_problem(std::string_view label);

}  // namespace enumwatch
