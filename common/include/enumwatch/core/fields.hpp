// Reading a parsed TOML table key by key, with one-line errors that say where: the config file
// (docs/configuration.md) and snapshots (docs/snapshot-format.md) both read their tables so.
//
// toml++ is a private dependency of enumwatch_common (compiled as a shared library, with its own
// definitions): include this header from common/src only.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/core/duration.hpp"
#include "enumwatch/core/error.hpp"

namespace enumwatch {

// Where a node stands: origin always, line and column when the tree came from TOML text (a tree
// built in memory, such as a JSON snapshot's, has no positions).
[[nodiscard]] SourceLocation location_of(const std::string& origin, const toml::source_region& at);

// Reads one TOML table field by field and rejects the keys nobody asked for. Messages name a key
// by its path: prefix "daemon" and key "listen" read "daemon.listen".
class Fields {
 public:
  Fields(const toml::table& table, std::string prefix, std::string origin)
      : table_(table), prefix_(std::move(prefix)), origin_(std::move(origin)) {}

  [[noreturn]] void fail(const toml::source_region& at, std::string_view message) const;
  // At the key's value when present, else at the table.
  [[noreturn]] void fail_at(std::string_view key, std::string_view message) const;
  [[noreturn]] void fail_here(std::string_view message) const { fail(table_.source(), message); }

  [[nodiscard]] std::string key_path(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
  }

  // Each accessor marks the key as known; absent keys read as nothing, a wrong type throws.
  const toml::node* node(std::string_view key);
  std::optional<std::string> string(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key);
  std::optional<Duration> duration(std::string_view key);
  std::optional<std::vector<std::string>> strings(std::string_view key);
  const toml::table* table(std::string_view key);

  // The first key nobody asked for, or null: for a table whose message reads differently.
  [[nodiscard]] const toml::key* unknown_key() const;
  // Every key of the table must have been asked for.
  void reject_unknown(std::string_view allowed_hint) const;

  [[nodiscard]] const std::string& origin() const { return origin_; }

 private:
  const toml::table& table_;
  std::string prefix_;
  std::string origin_;
  std::set<std::string> known_;
};

}  // namespace enumwatch
