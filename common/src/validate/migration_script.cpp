#include "enumwatch/validate/migration_script.hpp"

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <memory>
#include <tuple>

#include "enumwatch/core/error.hpp"
#include "enumwatch/core/text.hpp"
#include "enumwatch/core/utf8.hpp"

namespace enumwatch {
namespace {

// libpg_query's results, each freed by its own function.
struct ParseResult {
  PgQueryParseResult result;
  explicit ParseResult(const char* sql) : result(pg_query_parse(sql)) {}
  ~ParseResult() { pg_query_free_parse_result(result); }
  ParseResult(const ParseResult&) = delete;
  ParseResult& operator=(const ParseResult&) = delete;
};

struct ScanResult {
  PgQueryScanResult result;
  PgQuery__ScanResult* tokens = nullptr;
  explicit ScanResult(const char* sql) : result(pg_query_scan(sql)) {
    if (!result.error) {
      tokens = pg_query__scan_result__unpack(nullptr, result.pbuf.len,
                                             reinterpret_cast<const uint8_t*>(result.pbuf.data));
    }
  }
  ~ScanResult() {
    if (tokens) pg_query__scan_result__free_unpacked(tokens, nullptr);
    pg_query_free_scan_result(result);
  }
  ScanResult(const ScanResult&) = delete;
  ScanResult& operator=(const ScanResult&) = delete;
};

// PostgreSQL counts the error cursor in characters from 1; the text is UTF-8.
std::size_t byte_offset_of_character(std::string_view text, int cursor) {
  std::size_t offset = 0;
  for (int seen = 1; seen < cursor && offset < text.size(); ++seen) {
    ++offset;
    while (offset < text.size() && (static_cast<unsigned char>(text[offset]) & 0xC0) == 0x80)
      ++offset;
  }
  return offset;
}

[[noreturn]] void throw_parse_error(const std::string& file, std::string_view sql,
                                    const PgQueryError& error) {
  SourceLocation where{file, {}, {}};
  if (error.cursorpos > 0) {
    const auto [line, column] = line_column(sql, byte_offset_of_character(sql, error.cursorpos));
    where.line = line;
    where.column = column;
  }
  throw Error(located(where, std::string("the migration does not parse: ") + error.message));
}

TransactionControl control_of(const boost::json::object& node) {
  const auto* kind = node.if_contains("kind");
  const std::string_view k = kind && kind->is_string() ? std::string_view(kind->get_string()) : "";
  if (k == "TRANS_STMT_BEGIN" || k == "TRANS_STMT_START") return TransactionControl::begin;
  if (k == "TRANS_STMT_COMMIT") return TransactionControl::commit;
  if (k == "TRANS_STMT_ROLLBACK") return TransactionControl::rollback;
  return TransactionControl::other;
}

bool is_comment(const PgQuery__ScanToken& token) {
  return token.token == PG_QUERY__TOKEN__SQL_COMMENT || token.token == PG_QUERY__TOKEN__C_COMMENT;
}

std::string_view string_of(const boost::json::object& node, std::string_view key) {
  const auto* value = node.if_contains(key);
  return value && value->is_string() ? std::string_view(value->get_string()) : std::string_view();
}

// [{"String": {"sval": "s"}}, {"String": {"sval": "t"}}] -> s.t: the last name and the one before
// it (a catalog before them is left out).
std::optional<WrittenName> written_name(const boost::json::value* items) {
  if (!items || !items->is_array()) return std::nullopt;
  std::vector<std::string> parts;
  for (const auto& item : items->as_array()) {
    const auto* string = item.is_object() ? item.as_object().if_contains("String") : nullptr;
    if (!string || !string->is_object()) return std::nullopt;
    parts.emplace_back(string_of(string->as_object(), "sval"));
  }
  if (parts.empty()) return std::nullopt;
  WrittenName name{std::nullopt, parts.back()};
  if (parts.size() >= 2) name.schema = parts[parts.size() - 2];
  return name;
}

// {"List": {"items": [...]}} -> its items.
const boost::json::value* list_items(const boost::json::value& node) {
  const auto* list = node.is_object() ? node.as_object().if_contains("List") : nullptr;
  return list && list->is_object() ? list->as_object().if_contains("items") : nullptr;
}

// The objects a DROP statement names, each as pg_describe_object words its kind.
void read_drop(const boost::json::object& drop, std::vector<RemovedObject>& removes) {
  static const std::vector<std::pair<std::string_view, std::string_view>> kinds{
      {"OBJECT_TABLE", "table"},
      {"OBJECT_VIEW", "view"},
      {"OBJECT_MATVIEW", "materialized view"},
      {"OBJECT_INDEX", "index"},
      {"OBJECT_SEQUENCE", "sequence"},
      {"OBJECT_FOREIGN_TABLE", "foreign table"},
      {"OBJECT_TYPE", "type"},
      {"OBJECT_DOMAIN", "type"},
      {"OBJECT_FUNCTION", "function"},
      {"OBJECT_ROUTINE", "function"},
      {"OBJECT_PROCEDURE", "procedure"},
      {"OBJECT_SCHEMA", "schema"},
      {"OBJECT_TRIGGER", "trigger"},
      {"OBJECT_POLICY", "policy"},
  };
  const std::string_view remove_type = string_of(drop, "removeType");
  const auto kind = std::find_if(kinds.begin(), kinds.end(),
                                 [&](const auto& k) { return k.first == remove_type; });
  const auto* objects = drop.if_contains("objects");
  if (kind == kinds.end() || !objects || !objects->is_array()) return;
  for (const auto& object : objects->as_array()) {
    if (!object.is_object()) continue;
    const auto& o = object.as_object();
    std::optional<WrittenName> name;
    if (const auto* type = o.if_contains("TypeName"); type && type->is_object()) {
      name = written_name(type->as_object().if_contains("names"));
    } else if (const auto* function = o.if_contains("ObjectWithArgs");
               function && function->is_object()) {
      name = written_name(function->as_object().if_contains("objname"));
    } else if (const auto* string = o.if_contains("String"); string && string->is_object()) {
      name = WrittenName{std::nullopt, std::string(string_of(string->as_object(), "sval"))};
    } else {
      name = written_name(list_items(object));
    }
    if (!name) continue;
    RemovedObject removed{std::string(kind->second), *name, {}};
    if (removed.kind == "trigger" || removed.kind == "policy") {
      // [schema,] table, trigger: the member is the last name, the table the ones before it.
      const auto* items = list_items(object);
      if (!items || items->as_array().size() < 2) continue;
      boost::json::array table(items->as_array().begin(), items->as_array().end() - 1);
      const boost::json::value table_value(std::move(table));
      const auto on = written_name(&table_value);
      if (!on) continue;
      removed.member = removed.name.name;
      removed.name = *on;
    }
    removes.push_back(std::move(removed));
  }
}

// ALTER TABLE's commands that drop a part of the table or end a column's use of its type.
void read_alter_table(const boost::json::object& alter, MigrationStatement& statement) {
  const auto* relation = alter.if_contains("relation");
  const auto* cmds = alter.if_contains("cmds");
  if (!relation || !relation->is_object() || !cmds || !cmds->is_array()) return;
  WrittenName table{std::nullopt, std::string(string_of(relation->as_object(), "relname"))};
  if (const auto schema = string_of(relation->as_object(), "schemaname"); !schema.empty())
    table.schema = std::string(schema);
  for (const auto& entry : cmds->as_array()) {
    const auto* cmd = entry.is_object() ? entry.as_object().if_contains("AlterTableCmd") : nullptr;
    if (!cmd || !cmd->is_object()) continue;
    const auto& c = cmd->as_object();
    const std::string_view subtype = string_of(c, "subtype");
    const std::string member(string_of(c, "name"));
    if (subtype == "AT_DropColumn") {
      statement.removes.push_back({"column", table, member});
    } else if (subtype == "AT_DropConstraint") {
      statement.removes.push_back({"constraint", table, member});
    } else if (subtype == "AT_ColumnDefault" && !c.contains("def")) {
      statement.removes.push_back({"default value", table, member});
    } else if (subtype == "AT_AlterColumnType") {
      statement.removes.push_back({"column", table, member});
      statement.retyped_columns.emplace_back(table, member);
    }
  }
}

// "V1.2__x.sql" -> {1, 2}; "V2_1__x.sql" -> {2, 1}; nothing when not a Flyway versioned name.
std::optional<std::vector<long>> flyway_version(std::string_view name) {
  if (name.size() < 2 || name[0] != 'V' || !std::isdigit(static_cast<unsigned char>(name[1])))
    return std::nullopt;
  const auto end = name.find("__");
  if (end == std::string_view::npos) return std::nullopt;
  std::vector<long> parts;
  long part = 0;
  bool digits = false;
  for (const char c : name.substr(1, end - 1)) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      part = part * 10 + (c - '0');
      digits = true;
    } else if ((c == '.' || c == '_') && digits) {
      parts.push_back(part);
      part = 0;
      digits = false;
    } else {
      return std::nullopt;
    }
  }
  if (!digits) return std::nullopt;
  parts.push_back(part);
  return parts;
}

// "20240101_add.up.sql" -> 20240101 (golang-migrate); nothing otherwise.
std::optional<long long> leading_number(std::string_view name) {
  std::size_t digits = 0;
  while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
  if (digits == 0 || digits > 18 || digits == name.size() || name[digits] != '_')
    return std::nullopt;
  return std::stoll(std::string(name.substr(0, digits)));
}

}  // namespace

bool MigrationScript::manages_transactions() const {
  return std::any_of(statements.begin(), statements.end(), [](const MigrationStatement& s) {
    return s.control != TransactionControl::none;
  });
}

MigrationScript parse_migration(std::string file, std::string_view sql) {
  MigrationScript script;
  script.file = std::move(file);
  if (sql.find('\0') != std::string_view::npos)
    throw Error(located({script.file, {}, {}}, "the migration holds a NUL byte: not SQL text"));
  // PostgreSQL (UTF8) refuses such text too; the parser would pass the bytes into its JSON.
  if (!is_valid_utf8(sql)) {
    std::size_t bad = 0;
    while (bad < sql.size() && utf8_sequence_length(sql, bad) > 0)
      bad += utf8_sequence_length(sql, bad);
    const auto [line, column] = line_column(sql, bad);
    throw Error(located({script.file, line, column}, "the migration is not valid UTF-8 here"));
  }
  const std::string text(sql);
  const ParseResult parsed(text.c_str());
  if (parsed.result.error) throw_parse_error(script.file, sql, *parsed.result.error);
  const ScanResult scanned(text.c_str());
  if (scanned.result.error) throw_parse_error(script.file, sql, *scanned.result.error);
  if (!scanned.tokens) throw Error(located({script.file, {}, {}}, "the parser's scan failed"));

  boost::system::error_code ec;
  const auto tree = boost::json::parse(parsed.result.parse_tree, ec);
  if (ec || !tree.is_object())
    throw Error(located({script.file, {}, {}}, "the parser's tree is not JSON: " + ec.message()));
  const auto* stmts = tree.as_object().if_contains("stmts");
  if (!stmts || !stmts->is_array()) return script;  // only comments: nothing to run

  std::size_t token = 0;
  const std::size_t token_count = scanned.tokens->n_tokens;
  for (const auto& entry : stmts->as_array()) {
    const auto& raw = entry.as_object();
    const auto* location = raw.if_contains("stmt_location");
    const auto* length = raw.if_contains("stmt_len");
    const auto begin = static_cast<std::size_t>(location ? location->to_number<long long>() : 0);
    // A length of 0 is "to the end of the text" (the last statement, without a ';').
    std::size_t end = length && length->to_number<long long>() > 0
                          ? begin + static_cast<std::size_t>(length->to_number<long long>())
                          : text.size();
    end = std::min(end, text.size());
    while (token < token_count &&
           (static_cast<std::size_t>(scanned.tokens->tokens[token]->start) < begin ||
            is_comment(*scanned.tokens->tokens[token])))
      ++token;
    const std::size_t first = token < token_count
                                  ? static_cast<std::size_t>(scanned.tokens->tokens[token]->start)
                                  : begin;

    MigrationStatement statement;
    statement.line = line_column(sql, first).first;
    statement.sql = text.substr(first, end > first ? end - first : 0);
    const auto& stmt = raw.at("stmt").as_object();
    if (!stmt.empty()) {
      const auto& [node, body] = *stmt.begin();
      statement.node = std::string(node);
      if (node == "TransactionStmt" && body.is_object()) {
        statement.control = control_of(body.as_object());
      } else if (node == "AlterEnumStmt" && body.is_object()) {
        const auto& alter = body.as_object();
        const auto* new_value = alter.if_contains("newVal");
        const auto* old_value = alter.if_contains("oldVal");
        if (new_value && new_value->is_string()) {
          if (old_value && old_value->is_string()) {
            statement.renamed_value.emplace(std::string(old_value->get_string()),
                                            std::string(new_value->get_string()));
          } else {
            statement.added_value = std::string(new_value->get_string());
          }
        }
        statement.type = written_name(alter.if_contains("typeName"));
      } else if (node == "CreateEnumStmt" && body.is_object()) {
        statement.type = written_name(body.as_object().if_contains("typeName"));
      } else if (node == "RenameStmt" && body.is_object()) {
        const auto& rename = body.as_object();
        const auto* object = rename.if_contains("object");
        if (string_of(rename, "renameType") == "OBJECT_TYPE" && object) {
          statement.type = written_name(list_items(*object));
          statement.type_renamed_to = std::string(string_of(rename, "newname"));
        }
      } else if (node == "DropStmt" && body.is_object()) {
        read_drop(body.as_object(), statement.removes);
      } else if (node == "AlterTableStmt" && body.is_object()) {
        read_alter_table(body.as_object(), statement);
      }
    }
    script.statements.push_back(std::move(statement));
    while (token < token_count &&
           static_cast<std::size_t>(scanned.tokens->tokens[token]->start) < end)
      ++token;
  }
  return script;
}

std::string postgres_quote_identifier(std::string_view identifier) {
  const bool bare = !identifier.empty() &&
                    ((identifier[0] >= 'a' && identifier[0] <= 'z') || identifier[0] == '_') &&
                    std::all_of(identifier.begin(), identifier.end(), [](char c) {
                      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                    });
  bool keyword = false;
  if (bare) {
    // As quote_identifier: an unreserved keyword may stay bare, any other keyword may not.
    const std::string text(identifier);
    const ScanResult scanned(text.c_str());
    keyword = scanned.tokens && scanned.tokens->n_tokens == 1 &&
              scanned.tokens->tokens[0]->keyword_kind != PG_QUERY__KEYWORD_KIND__NO_KEYWORD &&
              scanned.tokens->tokens[0]->keyword_kind != PG_QUERY__KEYWORD_KIND__UNRESERVED_KEYWORD;
  }
  if (bare && !keyword) return std::string(identifier);
  std::string out = "\"";
  for (const char c : identifier) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::vector<std::string> migration_order(std::vector<std::string> names) {
  std::vector<std::string> kept;
  for (auto& name : names) {
    if (!name.ends_with(".sql") || name.ends_with(".down.sql")) continue;
    if (name.starts_with("U") && flyway_version("V" + name.substr(1))) continue;  // undo
    if (name.starts_with("R__")) continue;  // repeatable: not part of a versioned history
    kept.push_back(std::move(name));
  }
  // Flyway versions first, then golang-migrate numbers, then names.
  auto key = [](const std::string& name) {
    const auto version = flyway_version(name);
    const auto number = leading_number(name);
    return std::make_tuple(version  ? 0
                           : number ? 1
                                    : 2,
                           version.value_or(std::vector<long>{}), number.value_or(0), name);
  };
  std::sort(kept.begin(), kept.end(),
            [&](const std::string& a, const std::string& b) { return key(a) < key(b); });
  return kept;
}

}  // namespace enumwatch
