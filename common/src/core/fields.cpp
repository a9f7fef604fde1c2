#include "enumwatch/core/fields.hpp"

namespace enumwatch {

SourceLocation location_of(const std::string& origin, const toml::source_region& at) {
  SourceLocation where{origin, {}, {}};
  if (at.begin.line) {
    where.line = static_cast<int>(at.begin.line);
    where.column = static_cast<int>(at.begin.column);
  }
  return where;
}

void Fields::fail(const toml::source_region& at, std::string_view message) const {
  throw Error(located(location_of(origin_, at), message));
}

void Fields::fail_at(std::string_view key, std::string_view message) const {
  const toml::node* n = table_.get(key);
  fail(n ? n->source() : table_.source(), message);
}

const toml::node* Fields::node(std::string_view key) {
  known_.insert(std::string(key));
  return table_.get(key);
}

std::optional<std::string> Fields::string(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (const auto* s = n->as_string()) return s->get();
  fail(n->source(), key_path(key) + " must be a string");
}

std::optional<bool> Fields::boolean(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (const auto* b = n->as_boolean()) return b->get();
  fail(n->source(), key_path(key) + " must be true or false");
}

std::optional<std::int64_t> Fields::integer(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (const auto* i = n->as_integer()) return i->get();
  fail(n->source(), key_path(key) + " must be an integer");
}

std::optional<Duration> Fields::duration(std::string_view key) {
  auto text = string(key);
  if (!text) return std::nullopt;
  auto d = parse_duration(*text);
  if (!d) {
    fail_at(key, key_path(key) + " = \"" + *text +
                     "\" is not a duration (write e.g. \"500ms\", \"30s\", \"5m\", \"1h\")");
  }
  return d;
}

std::optional<std::vector<std::string>> Fields::strings(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  const auto* list = n->as_array();
  if (!list) fail(n->source(), key_path(key) + " must be an array of strings");
  std::vector<std::string> out;
  for (const auto& item : *list) {
    const auto* s = item.as_string();
    if (!s) fail(item.source(), key_path(key) + " must contain only strings");
    out.push_back(s->get());
  }
  return out;
}

const toml::table* Fields::table(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return nullptr;
  if (const auto* t = n->as_table()) return t;
  fail(n->source(), key_path(key) + " must be a table");
}

const toml::key* Fields::unknown_key() const {
  for (const auto& [key, value] : table_) {
    if (!known_.contains(std::string(key.str()))) return &key;
  }
  return nullptr;
}

void Fields::reject_unknown(std::string_view allowed_hint) const {
  if (const toml::key* key = unknown_key()) {
    fail(key->source(),
         "unknown key " + key_path(key->str()) + " (allowed: " + std::string(allowed_hint) + ")");
  }
}

}  // namespace enumwatch
