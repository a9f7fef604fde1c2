#include "enumwatch/snapshot/snapshot.hpp"

#include "enumwatch/core/sha256.hpp"

#include <toml++/toml.h>
#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <memory>

#include "enumwatch/core/error.hpp"
#include "enumwatch/core/file_io.hpp"
#include "enumwatch/core/text.hpp"
#include "enumwatch/core/utf8.hpp"

namespace enumwatch {
namespace {

constexpr std::size_t kMaxLabelBytes = 63;  // PostgreSQL's NAMEDATALEN - 1

struct Position {
  std::optional<int> line, column;
};

// Where each part of a parsed enum came from, so validation can point at it.
struct EnumPositions {
  Position table, name;
  std::vector<Position> values;
};

struct Parsed {
  Snapshot snapshot;
  std::vector<EnumPositions> positions;        // parallel to snapshot.enums, before sorting
  std::vector<EnumPositions> check_positions;  // parallel to snapshot.checks
};

class Reporter {
 public:
  explicit Reporter(std::string_view origin) : origin_(origin) {}
  [[noreturn]] void fail(const Position& at, std::string_view message) const {
    throw Error(located({origin_, at.line, at.column}, message));
  }

 private:
  std::string origin_;
};

Position position_of(const toml::node& node) {
  const auto& begin = node.source().begin;
  if (begin.line == 0) return {};
  return {static_cast<int>(begin.line), static_cast<int>(begin.column)};
}

// Labels in messages are escaped, so a NUL or newline cannot cut or split the one-line error.
std::string quoted_for_message(std::string_view s) {
  return toml_quote(s);
}

// ---- TOML -------------------------------------------------------------------------------------

std::string toml_string(const toml::node& node, std::string_view key, const Reporter& report) {
  if (const auto* s = node.as_string()) return s->get();
  report.fail(position_of(node), std::string(key) + " must be a string");
}

// A TOML array of strings, each with where it stands (for messages about one value).
void toml_strings(const toml::node& node, std::string_view key, std::string_view each,
                  const Reporter& report, std::vector<std::string>& values,
                  std::vector<Position>& positions) {
  const auto* list = node.as_array();
  if (!list) report.fail(position_of(node), std::string(key) + " must be an array of strings");
  for (const auto& v : *list) {
    values.push_back(toml_string(v, each, report));
    positions.push_back(position_of(v));
  }
}

void read_toml_meta(const toml::node& node, Snapshot& snapshot, const Reporter& report) {
  const auto* meta = node.as_table();
  if (!meta) report.fail(position_of(node), "[snapshot] must be a table");
  for (const auto& [key, value] : *meta) {
    if (key == "revision") {
      snapshot.revision = toml_string(value, "snapshot.revision", report);
    } else if (key == "source") {
      snapshot.source = toml_string(value, "snapshot.source", report);
    } else {
      report.fail(position_of(value), "unknown key snapshot." + std::string(key.str()) +
                                          " (allowed: revision, source)");
    }
  }
}

// One [[enum]] entry.
void read_toml_enum(const toml::node& item, Parsed& out, const Reporter& report) {
  const auto* table = item.as_table();
  if (!table) report.fail(position_of(item), "each [[enum]] entry must be a table");
  EnumType type{{"public", ""}, {}};
  EnumPositions where{position_of(item), position_of(item), {}};
  bool has_name = false, has_values = false;
  for (const auto& [key, node] : *table) {
    if (key == "schema") {
      type.type.schema = toml_string(node, "enum.schema", report);
    } else if (key == "name") {
      type.type.name = toml_string(node, "enum.name", report);
      where.name = position_of(node);
      has_name = true;
    } else if (key == "values") {
      toml_strings(node, "enum.values", "each enum value", report, type.values, where.values);
      has_values = true;
    } else {
      report.fail(position_of(node), "unknown key enum." + std::string(key.str()) +
                                         " (allowed: schema, name, values)");
    }
  }
  if (!has_name) report.fail(where.table, "[[enum]] without name");
  if (!has_values) report.fail(where.table, "enum " + type.type.display() + " has no values key");
  out.snapshot.enums.push_back(std::move(type));
  out.positions.push_back(std::move(where));
}

// One [[check]] entry.
void read_toml_check(const toml::node& item, Parsed& out, const Reporter& report) {
  const auto* table = item.as_table();
  if (!table) report.fail(position_of(item), "each [[check]] entry must be a table");
  CheckColumn check;
  EnumPositions where{position_of(item), position_of(item), {}};
  bool has_table = false, has_column = false, has_values = false;
  for (const auto& [key, node] : *table) {
    if (key == "schema") {
      check.schema = toml_string(node, "check.schema", report);
    } else if (key == "table") {
      check.table = toml_string(node, "check.table", report);
      where.name = position_of(node);
      has_table = true;
    } else if (key == "column") {
      check.column = toml_string(node, "check.column", report);
      has_column = true;
    } else if (key == "values") {
      toml_strings(node, "check.values", "each check value", report, check.values, where.values);
      has_values = true;
    } else {
      report.fail(position_of(node), "unknown key check." + std::string(key.str()) +
                                         " (allowed: schema, table, column, values)");
    }
  }
  if (!has_table || !has_column) report.fail(where.table, "[[check]] needs both table and column");
  if (!has_values) report.fail(where.table, "check " + check.display() + " has no values key");
  out.snapshot.checks.push_back(std::move(check));
  out.check_positions.push_back(std::move(where));
}

// Every [[NAME]] entry of an array of tables, read by `read_one`.
template <typename ReadOne>
void read_toml_entries(const toml::node& node, std::string_view name, Parsed& out,
                       const Reporter& report, ReadOne read_one) {
  const auto* list = node.as_array();
  if (!list) {
    report.fail(position_of(node), std::string(name) + " must be an array of tables: write [[" +
                                       std::string(name) + "]]");
  }
  for (const auto& item : *list) read_one(item, out, report);
}

Parsed read_toml(std::string_view text, const Reporter& report, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    report.fail({static_cast<int>(b.line), static_cast<int>(b.column)},
                "invalid TOML: " + std::string(e.description()));
  }
  Parsed out;
  for (const auto& [key, node] : root) {
    if (key == "snapshot") {
      read_toml_meta(node, out.snapshot, report);
    } else if (key == "enum") {
      read_toml_entries(node, "enum", out, report, read_toml_enum);
    } else if (key == "check") {
      read_toml_entries(node, "check", out, report, read_toml_check);
    } else {
      report.fail(position_of(node), "unknown top-level key " + quoted_for_message(key.str()) +
                                         " (allowed: snapshot, enum, check)");
    }
  }
  return out;
}

// ---- JSON -------------------------------------------------------------------------------------

std::string json_string(const boost::json::value& v, std::string_view key, const Reporter& report) {
  if (const auto* s = v.if_string()) return std::string(*s);
  report.fail({}, std::string(key) + " must be a string");
}

Parsed read_json_value(const boost::json::value& root, const Reporter& report);

Parsed read_json(std::string_view text, const Reporter& report) {
  boost::json::stream_parser parser;
  boost::system::error_code ec;
  std::size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    auto [line, column] = line_column(text, consumed);
    report.fail({line, column}, "invalid JSON: " + ec.message());
  }
  return read_json_value(parser.release(), report);
}

Parsed read_json_value(const boost::json::value& root, const Reporter& report) {
  if (!root.is_object()) report.fail({}, "a JSON snapshot must be an object");
  Parsed out;
  for (const auto& [key, node] : root.get_object()) {
    if (key == "snapshot") {
      if (!node.is_object()) report.fail({}, "\"snapshot\" must be an object");
      for (const auto& [mkey, mnode] : node.get_object()) {
        if (mkey == "revision") {
          out.snapshot.revision = json_string(mnode, "snapshot.revision", report);
        } else if (mkey == "source") {
          out.snapshot.source = json_string(mnode, "snapshot.source", report);
        } else {
          report.fail({},
                      "unknown key snapshot." + std::string(mkey) + " (allowed: revision, source)");
        }
      }
    } else if (key == "enum" || key == "enums") {
      if (!node.is_array()) report.fail({}, "\"enum\" must be an array of objects");
      for (const auto& item : node.get_array()) {
        if (!item.is_object()) report.fail({}, "each entry of \"enum\" must be an object");
        EnumType type{{"public", ""}, {}};
        bool has_name = false, has_values = false;
        for (const auto& [ekey, enode] : item.get_object()) {
          if (ekey == "schema") {
            type.type.schema = json_string(enode, "enum.schema", report);
          } else if (ekey == "name") {
            type.type.name = json_string(enode, "enum.name", report);
            has_name = true;
          } else if (ekey == "values") {
            if (!enode.is_array()) report.fail({}, "enum.values must be an array of strings");
            for (const auto& v : enode.get_array()) {
              type.values.push_back(json_string(v, "each enum value", report));
            }
            has_values = true;
          } else {
            report.fail(
                {}, "unknown key enum." + std::string(ekey) + " (allowed: schema, name, values)");
          }
        }
        if (!has_name) report.fail({}, "an enum entry without \"name\"");
        if (!has_values) report.fail({}, "enum " + type.type.display() + " has no \"values\"");
        out.snapshot.enums.push_back(std::move(type));
        out.positions.emplace_back();
      }
    } else if (key == "check" || key == "checks") {
      if (!node.is_array()) report.fail({}, "\"check\" must be an array of objects");
      for (const auto& item : node.get_array()) {
        if (!item.is_object()) report.fail({}, "each entry of \"check\" must be an object");
        CheckColumn check;
        bool has_table = false, has_column = false, has_values = false;
        for (const auto& [ckey, cnode] : item.get_object()) {
          if (ckey == "schema") {
            check.schema = json_string(cnode, "check.schema", report);
          } else if (ckey == "table") {
            check.table = json_string(cnode, "check.table", report);
            has_table = true;
          } else if (ckey == "column") {
            check.column = json_string(cnode, "check.column", report);
            has_column = true;
          } else if (ckey == "values") {
            if (!cnode.is_array()) report.fail({}, "check.values must be an array of strings");
            for (const auto& v : cnode.get_array())
              check.values.push_back(json_string(v, "each check value", report));
            has_values = true;
          } else {
            report.fail({}, "unknown key check." + std::string(ckey) +
                                " (allowed: schema, table, column, values)");
          }
        }
        if (!has_table || !has_column)
          report.fail({}, "a check entry needs \"table\" and \"column\"");
        if (!has_values) report.fail({}, "check " + check.display() + " has no \"values\"");
        out.snapshot.checks.push_back(std::move(check));
        out.check_positions.emplace_back();
      }
    } else {
      report.fail({}, "unknown top-level key " + quoted_for_message(key) +
                          " (allowed: snapshot, enum, check)");
    }
  }
  return out;
}

// ---- validation -------------------------------------------------------------------------------

// revision and source become a metric label, a log line and an alert annotation: bounded, and
// free of anything that could end a line or drive a terminal.
void validate_header(const Snapshot& snapshot, const Reporter& report) {
  auto check = [&](const std::optional<std::string>& text, std::string_view key, std::size_t max) {
    if (!text) return;
    if (text->size() > max) {
      report.fail({}, "snapshot." + std::string(key) + " is " + std::to_string(text->size()) +
                          " bytes; at most " + std::to_string(max) + " are allowed");
    }
    if (!is_valid_utf8(*text) || escape_control(*text) != *text ||
        text->find('\\') != std::string::npos) {
      report.fail({}, "snapshot." + std::string(key) + " " + quoted_for_message(*text) +
                          " holds control characters or backslashes: use plain text");
    }
  };
  check(snapshot.revision, "revision", kMaxRevisionBytes);
  check(snapshot.source, "source", kMaxSourceBytes);
}

void validate_checks(const Parsed& parsed, const Reporter& report) {
  std::map<TypeName, Position> seen;
  for (std::size_t i = 0; i < parsed.snapshot.checks.size(); ++i) {
    const auto& check = parsed.snapshot.checks[i];
    const auto& where = parsed.check_positions[i];
    for (const auto& [part, text] :
         {std::pair<std::string_view, const std::string&>{"schema", check.schema},
          {"table", check.table},
          {"column", check.column}}) {
      if (auto problem = label_problem(text))
        report.fail(where.name, "check " + std::string(part) + " " + quoted_for_message(text) +
                                    ": " + *problem);
    }
    auto [it, inserted] = seen.emplace(check.key(), where.name);
    if (!inserted) {
      std::string first =
          it->second.line ? " (first at line " + std::to_string(*it->second.line) + ")" : "";
      report.fail(where.name, "duplicate check " + check.display() + first +
                                  ": each (schema, table, column) may appear once");
    }
    std::map<std::string_view, std::size_t> seen_values;
    for (std::size_t v = 0; v < check.values.size(); ++v) {
      const auto& value = check.values[v];
      Position at = v < where.values.size() ? where.values[v] : where.name;
      if (auto problem = label_problem(value))
        report.fail(at, "check " + check.display() + ": value " + quoted_for_message(value) + ": " +
                            *problem);
      if (!seen_values.emplace(value, v).second)
        report.fail(at, "check " + check.display() + ": duplicate value " +
                            quoted_for_message(value) + ": each value may appear once");
    }
  }
}

void validate(const Parsed& parsed, const Reporter& report) {
  validate_header(parsed.snapshot, report);
  validate_checks(parsed, report);
  std::map<TypeName, Position> seen_types;
  for (std::size_t i = 0; i < parsed.snapshot.enums.size(); ++i) {
    const auto& type = parsed.snapshot.enums[i];
    const auto& where = parsed.positions[i];
    if (auto problem = label_problem(type.type.schema)) {
      report.fail(where.table,
                  "enum schema " + quoted_for_message(type.type.schema) + ": " + *problem);
    }
    if (auto problem = label_problem(type.type.name)) {
      report.fail(where.name, "enum name " + quoted_for_message(type.type.name) + ": " + *problem);
    }
    auto [it, inserted] = seen_types.emplace(type.type, where.name);
    if (!inserted) {
      std::string first =
          it->second.line ? " (first at line " + std::to_string(*it->second.line) + ")" : "";
      report.fail(where.name, "duplicate enum " + type.type.display() + first +
                                  ": each (schema, name) may appear once");
    }
    std::map<std::string_view, std::size_t> seen_values;
    for (std::size_t v = 0; v < type.values.size(); ++v) {
      const auto& value = type.values[v];
      Position at = v < where.values.size() ? where.values[v] : where.name;
      if (auto problem = label_problem(value)) {
        report.fail(at, "enum " + type.type.display() + ": value " + quoted_for_message(value) +
                            ": " + *problem);
      }
      if (!seen_values.emplace(value, v).second) {
        report.fail(at, "enum " + type.type.display() + ": duplicate value " +
                            quoted_for_message(value) + ": each value may appear once");
      }
    }
  }
}

boost::json::object check_to_json(const CheckColumn& check) {
  boost::json::object o;
  o["schema"] = check.schema;
  o["table"] = check.table;
  o["column"] = check.column;
  boost::json::array values;
  for (const auto& v : check.values) values.emplace_back(v);
  o["values"] = std::move(values);
  return o;
}

boost::json::object enum_to_json(const EnumType& type) {
  boost::json::object o;
  o["schema"] = type.type.schema;
  o["name"] = type.type.name;
  boost::json::array values;
  for (const auto& v : type.values) values.emplace_back(v);
  o["values"] = std::move(values);
  return o;
}

}  // namespace

std::optional<std::string> label_problem(std::string_view label) {
  if (label.empty()) return "must not be empty";
  if (label.size() > kMaxLabelBytes) {
    return "is " + std::to_string(label.size()) + " bytes; PostgreSQL allows at most 63";
  }
  if (!is_valid_utf8(label)) return "is not valid UTF-8";
  if (label.find('\0') != std::string_view::npos) return "contains a NUL character";
  return std::nullopt;
}

namespace {

// What every reader ends with: validated, and in the canonical order.
Snapshot finish(Parsed& parsed, const Reporter& report) {
  validate(parsed, report);
  sort_enums(parsed.snapshot.enums);
  for (auto& check : parsed.snapshot.checks) std::sort(check.values.begin(), check.values.end());
  sort_checks(parsed.snapshot.checks);
  return std::move(parsed.snapshot);
}

}  // namespace

Snapshot parse_snapshot(std::string_view text, SnapshotFormat format, std::string_view origin) {
  Reporter report(origin);
  Parsed parsed = format == SnapshotFormat::json ? read_json(text, report)
                                                 : read_toml(text, report, std::string(origin));
  return finish(parsed, report);
}

Snapshot snapshot_from_json(const boost::json::value& value, std::string_view origin) {
  Reporter report(origin);
  Parsed parsed = read_json_value(value, report);
  return finish(parsed, report);
}

SnapshotFormat snapshot_format_for_path(std::string_view path) {
  return path.ends_with(".json") ? SnapshotFormat::json : SnapshotFormat::toml;
}

Snapshot load_snapshot(const std::string& path) {
  return parse_snapshot(read_file(path, "snapshot"), snapshot_format_for_path(path), path);
}

std::string to_toml(const Snapshot& snapshot) {
  std::string out;
  if (snapshot.revision || snapshot.source) {
    out += "[snapshot]\n";
    if (snapshot.revision) out += "revision = " + toml_quote(*snapshot.revision) + "\n";
    if (snapshot.source) out += "source = " + toml_quote(*snapshot.source) + "\n";
  }
  for (const auto& type : snapshot.enums) {
    if (!out.empty()) out += '\n';
    out += "[[enum]]\n";
    out += "schema = " + toml_quote(type.type.schema) + "\n";
    out += "name = " + toml_quote(type.type.name) + "\n";
    out += "values = [";
    for (std::size_t i = 0; i < type.values.size(); ++i) {
      out += i ? ", " : "";
      out += toml_quote(type.values[i]);
    }
    out += "]\n";
  }
  for (const auto& check : snapshot.checks) {
    if (!out.empty()) out += '\n';
    out += "[[check]]\n";
    out += "schema = " + toml_quote(check.schema) + "\n";
    out += "table = " + toml_quote(check.table) + "\n";
    out += "column = " + toml_quote(check.column) + "\n";
    out += "values = [";
    for (std::size_t i = 0; i < check.values.size(); ++i) {
      out += i ? ", " : "";
      out += toml_quote(check.values[i]);
    }
    out += "]\n";
  }
  return out;
}

boost::json::object to_json_value(const Snapshot& snapshot) {
  boost::json::object root;
  boost::json::object meta;
  if (snapshot.revision) meta["revision"] = *snapshot.revision;
  if (snapshot.source) meta["source"] = *snapshot.source;
  root["snapshot"] = std::move(meta);
  boost::json::array enums;
  for (const auto& type : snapshot.enums) enums.emplace_back(enum_to_json(type));
  root["enum"] = std::move(enums);
  if (!snapshot.checks.empty()) {
    boost::json::array checks;
    for (const auto& check : snapshot.checks) checks.emplace_back(check_to_json(check));
    root["check"] = std::move(checks);
  }
  return root;
}

std::string to_json(const Snapshot& snapshot) {
  return boost::json::serialize(to_json_value(snapshot)) + "\n";
}

std::string digest(const Snapshot& snapshot) {
  std::vector<const EnumType*> sorted;
  for (const auto& type : snapshot.enums) sorted.push_back(&type);
  std::sort(sorted.begin(), sorted.end(),
            [](const EnumType* a, const EnumType* b) { return a->type < b->type; });
  boost::json::array canonical;
  for (const auto* type : sorted) canonical.emplace_back(enum_to_json(*type));
  std::vector<CheckColumn> checks = snapshot.checks;
  for (auto& check : checks) std::sort(check.values.begin(), check.values.end());
  sort_checks(checks);
  for (const auto& check : checks) canonical.emplace_back(check_to_json(check));
  const std::string text = boost::json::serialize(canonical);

  return sha256_hex(text);
}

}  // namespace enumwatch
