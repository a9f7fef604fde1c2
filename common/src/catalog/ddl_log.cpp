#include "enumwatch/catalog/ddl_log.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "enumwatch/core/error.hpp"
#include "enumwatch/core/utf8.hpp"

namespace enumwatch {
namespace {

// Run after ReadPipeline's empty search_path: every function and operator is pg_catalog's.
// DISTINCT ON keeps the newest row (the greatest id) of each object asked for.
constexpr std::string_view kLatestChanges =
    "SELECT l.id::text, l.txid::text, l.object_type, l.schema_name, l.object_name,\n"
    "       pg_catalog.to_char(l.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),\n"
    "       l.session_role, l.acting_role, l.application_name, pg_catalog.host(l.client_addr),\n"
    "       l.command_tag, l.statement\n"
    "FROM (SELECT DISTINCT ON (w.kind, d.schema_name, d.object_name) w.kind, d.*\n"
    "      FROM enumwatch.ddl_log d\n"
    "      JOIN ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[]),\n"
    "                      pg_catalog.unnest($3::text[])) AS w(kind, schema_name, object_name)\n"
    "        ON d.schema_name = w.schema_name AND d.object_name = w.object_name\n"
    "       AND (d.object_type = w.kind OR (w.kind = 'table' AND d.object_type = 'foreign "
    "table'))\n"
    "      ORDER BY w.kind, d.schema_name, d.object_name, d.id DESC) l\n"
    "ORDER BY l.id";

// The same columns, for the changelog: rows after $3 in the target's schemas, newest first.
constexpr std::string_view kRecentChanges =
    "SELECT l.id::text, l.txid::text, l.object_type, l.schema_name, l.object_name,\n"
    "       pg_catalog.to_char(l.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),\n"
    "       l.session_role, l.acting_role, l.application_name, pg_catalog.host(l.client_addr),\n"
    "       l.command_tag, l.statement\n"
    "FROM enumwatch.ddl_log l\n"
    "WHERE l.id > $3::bigint AND l.schema_name IS NOT NULL\n"
    "  AND (pg_catalog.cardinality($1::text[]) = 0 OR l.schema_name = ANY ($1::text[]))\n"
    "  AND NOT (l.schema_name = ANY ($2::text[]))\n"
    "ORDER BY l.id DESC LIMIT 100";

constexpr std::size_t kChangeColumns = 12;

// The log is there: read from the catalog, which every role may read, so that an install from
// before the log (its schema private, no table) is told from a log the role may not read.
constexpr std::string_view kLogExists =
    "SELECT EXISTS (SELECT FROM pg_catalog.pg_class c\n"
    "               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n"
    "               WHERE n.nspname = 'enumwatch' AND c.relname = 'ddl_log' AND c.relkind = 'r')";

std::vector<LoggedChange> decode_changes(const Rows& rows) {
  std::vector<LoggedChange> out;
  for (const auto& row : rows) {
    if (row.size() != kChangeColumns || !row[0] || !row[6] || !row[10])
      throw Error("unexpected row shape from the change log query");
    LoggedChange change;
    change.id = row_number(row, 0, "change log");
    change.txid = row_number(row, 1, "change log");
    change.object_type = row_text(row, 2);
    change.schema = row_text(row, 3);
    change.object = row_text(row, 4);
    change.who.at = row_text(row, 5);
    change.who.role = row_text(row, 6);
    change.who.current_role = row[7];
    change.who.application_name = row[8];
    change.who.client_addr = row[9];
    change.who.command_tag = row_text(row, 10);
    change.who.statement = shown_statement(row_text(row, 11));
    out.push_back(std::move(change));
  }
  return out;
}

LoggedObject object_of(const DriftItem& item) {
  if (item.table) return {"table", {item.schema, *item.table}};
  return {"type", {item.schema, item.enum_name}};
}

bool iequal_at(std::string_view text, std::size_t at, std::string_view word) {
  if (text.size() - at < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[at + i])) != word[i]) return false;
  }
  return true;
}

}  // namespace

CatalogRead<bool> ddl_log_exists_read() {
  return {std::string(kLogExists), {}, [](const Rows& rows) {
            if (rows.size() != 1 || rows[0].size() != 1 || !rows[0][0])
              throw Error("unexpected answer to whether enumwatch.ddl_log exists");
            return *rows[0][0] == "t";
          }};
}

std::vector<LoggedObject> logged_objects(std::span<const DriftItem> items) {
  std::vector<LoggedObject> out;
  for (const auto& item : items) {
    if (item.enum_name.empty()) continue;  // revision_mismatch: no object
    out.push_back(object_of(item));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

CatalogRead<std::vector<LoggedChange>> latest_changes_read(std::span<const LoggedObject> objects) {
  std::vector<std::string> kinds, schemas, names;
  for (const auto& o : objects) {
    kinds.push_back(o.kind);
    schemas.push_back(o.name.schema);
    names.push_back(o.name.name);
  }
  return {std::string(kLatestChanges),
          {pg_text_array(kinds), pg_text_array(schemas), pg_text_array(names)},
          decode_changes};
}

CatalogRead<std::vector<LoggedChange>> recent_changes_read(long long after_id, const Scope& scope) {
  static_assert(kChangelogSize == 100, "kRecentChanges' LIMIT");
  return {std::string(kRecentChanges),
          {pg_text_array(scope.schemas), pg_text_array(scope.exclude_schemas),
           std::to_string(after_id)},
          decode_changes};
}

void merge_changelog(std::vector<LoggedChange>& older, std::vector<LoggedChange> newer) {
  for (auto& change : older) {
    if (!newer.empty() && change.id >= newer.back().id) continue;  // read again: not twice
    newer.push_back(std::move(change));
  }
  if (newer.size() > kChangelogSize) newer.resize(kChangelogSize);
  older = std::move(newer);
}

void attach_changed_by(std::span<DriftItem> items, std::span<const LoggedChange> changes) {
  std::map<LoggedObject, const LoggedChange*> newest;
  for (const auto& change : changes) {
    const std::string kind = change.object_type == "foreign table" ? "table" : change.object_type;
    auto& slot = newest[LoggedObject{kind, {change.schema, change.object}}];
    if (!slot || slot->id < change.id) slot = &change;
  }
  for (auto& item : items) {
    if (item.enum_name.empty()) continue;
    const auto it = newest.find(object_of(item));
    if (it != newest.end()) item.changed_by = it->second->who;
  }
}

std::string shown_statement(std::string_view statement, std::size_t max_bytes) {
  std::string out;
  std::size_t i = 0;
  while (i < statement.size()) {
    if (!iequal_at(statement, i, "password")) {
      out += statement[i++];
      continue;
    }
    out += statement.substr(i, 8);
    i += 8;
    std::size_t j = i;
    while (j < statement.size() && std::isspace(static_cast<unsigned char>(statement[j]))) ++j;
    const bool escaped = j + 1 < statement.size() && (statement[j] == 'E' || statement[j] == 'e') &&
                         statement[j + 1] == '\'';
    if (j >= statement.size() || (statement[j] != '\'' && !escaped)) continue;
    out += statement.substr(i, j - i);
    // Skip the literal: '' is a quote inside it; in E'', so is \' (and \\ a backslash).
    std::size_t k = j + (escaped ? 2 : 1);
    while (k < statement.size()) {
      if (escaped && statement[k] == '\\') {
        k += 2;
        continue;
      }
      if (statement[k] == '\'') {
        if (k + 1 < statement.size() && statement[k + 1] == '\'') {
          k += 2;
          continue;
        }
        ++k;
        break;
      }
      ++k;
    }
    out += "'[redacted]'";
    i = std::min(k, statement.size());
  }
  return utf8_prefix(out, max_bytes);
}

}  // namespace enumwatch
