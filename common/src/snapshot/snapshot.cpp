#include "enumwatch/snapshot/snapshot.hpp"

#include "enumwatch/core/sha256.hpp"

#include <toml++/toml.h>
#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <sstream>

#include "enumwatch/core/error.hpp"
#include "enumwatch/core/fields.hpp"
#include "enumwatch/core/file_io.hpp"
#include "enumwatch/core/text.hpp"
#include "enumwatch/core/utf8.hpp"

namespace enumwatch {
namespace {

constexpr std::size_t kMaxLabelBytes = 63;  // PostgreSQL's NAMEDATALEN - 1

// Where the parts of one [[enum]] or [[check]] stand, so validation can point at them. A tree
// built from JSON has empty regions: its messages name no line.
struct EntryPlaces {
  toml::source_region entry, name;
  std::vector<toml::source_region> values;
};

struct Parsed {
  Snapshot snapshot;
  std::vector<EntryPlaces> enum_places;   // parallel to snapshot.enums, before sorting
  std::vector<EntryPlaces> check_places;  // parallel to snapshot.checks
};

class Reporter {
 public:
  explicit Reporter(std::string_view origin) : origin_(origin) {}
  [[noreturn]] void fail(const toml::source_region& at, std::string_view message) const {
    throw Error(located(location_of(origin_, at), message));
  }
  const std::string& origin() const { return origin_; }

 private:
  std::string origin_;
};

// Labels in messages are escaped, so a NUL or newline cannot cut or split the one-line error.
std::string quoted_for_message(std::string_view s) {
  return toml_quote(s);
}

// ---- reading: one tree, from TOML text or from JSON ---------------------------------------------

// The `values` of an entry, each with where it stands (for messages about one value); false when
// the entry has none.
bool read_values(Fields& f, std::string_view each, std::vector<std::string>& values,
                 std::vector<toml::source_region>& places) {
  const toml::node* node = f.node("values");
  if (!node) return false;
  const auto* list = node->as_array();
  if (!list) f.fail(node->source(), f.key_path("values") + " must be an array of strings");
  // Exactly as many: a daemon keeps every registered snapshot, 80 000 enums at fleet size.
  values.reserve(list->size());
  places.reserve(list->size());
  for (const auto& item : *list) {
    const auto* text = item.as_string();
    if (!text) f.fail(item.source(), std::string(each) + " must be a string");
    values.push_back(text->get());
    places.push_back(item.source());
  }
  return true;
}

void read_enum(const toml::table& table, const Reporter& report, Parsed& out) {
  Fields f(table, "enum", report.origin());
  EnumType type{{"public", ""}, {}};
  EntryPlaces places{table.source(), table.source(), {}};
  if (auto schema = f.string("schema")) type.type.schema = *schema;
  auto name = f.string("name");
  const bool has_values = read_values(f, "each enum value", type.values, places.values);
  f.reject_unknown("schema, name, values");
  if (!name) f.fail_here("an enum entry has no name key");
  type.type.name = *name;
  places.name = table.get("name")->source();
  if (!has_values) f.fail_here("enum " + type.type.display() + " has no values key");
  out.snapshot.enums.push_back(std::move(type));
  out.enum_places.push_back(std::move(places));
}

void read_check(const toml::table& table, const Reporter& report, Parsed& out) {
  Fields f(table, "check", report.origin());
  CheckColumn check;
  EntryPlaces places{table.source(), table.source(), {}};
  if (auto schema = f.string("schema")) check.schema = *schema;
  auto table_name = f.string("table");
  auto column = f.string("column");
  const bool has_values = read_values(f, "each check value", check.values, places.values);
  f.reject_unknown("schema, table, column, values");
  if (!table_name || !column) f.fail_here("a check entry needs both table and column");
  check.table = *table_name;
  check.column = *column;
  places.name = table.get("table")->source();
  if (!has_values) f.fail_here("check " + check.display() + " has no values key");
  out.snapshot.checks.push_back(std::move(check));
  out.check_places.push_back(std::move(places));
}

using ReadEntry = void (*)(const toml::table&, const Reporter&, Parsed&);

// Every entry of the array of tables under `key`: [[entry]] in TOML, a list of objects in JSON.
void read_entries(Fields& top, std::string_view key, std::string_view entry, ReadEntry read_one,
                  const Reporter& report, Parsed& out) {
  const toml::node* node = top.node(key);
  if (!node) return;
  const std::string write = "write [[" + std::string(entry) + "]]";
  const auto* list = node->as_array();
  if (!list) {
    top.fail(node->source(), std::string(key) + " must be an array of tables: " + write +
                                 " (an array of objects in JSON)");
  }
  for (const auto& item : *list) {
    const auto* table = item.as_table();
    if (!table) {
      top.fail(item.source(), "each " + std::string(entry) + " entry must be a table: " + write +
                                  " (an object in JSON)");
    }
    read_one(*table, report, out);
  }
}

// The one reader of docs/snapshot-format.md, whichever format the tree was written in.
Parsed read_tree(const toml::table& root, SnapshotFormat format, const Reporter& report) {
  Fields top(root, "", report.origin());
  Parsed out;
  if (const toml::node* node = top.node("snapshot")) {
    const auto* meta = node->as_table();
    if (!meta) {
      top.fail(node->source(), "snapshot must be a table: write [snapshot] (an object in JSON)");
    }
    Fields f(*meta, "snapshot", report.origin());
    out.snapshot.revision = f.string("revision");
    out.snapshot.source = f.string("source");
    f.reject_unknown("revision, source");
  }
  read_entries(top, "enum", "enum", read_enum, report, out);
  read_entries(top, "check", "check", read_check, report, out);
  // JSON snapshots may name the arrays in the plural, as JSON writers tend to; TOML's [[enum]]
  // names one entry, so there the plural stays an unknown key.
  if (format == SnapshotFormat::json) {
    read_entries(top, "enums", "enum", read_enum, report, out);
    read_entries(top, "checks", "check", read_check, report, out);
  }
  if (const toml::key* unknown = top.unknown_key()) {
    top.fail(unknown->source(), "unknown top-level key " + quoted_for_message(unknown->str()) +
                                    " (allowed: snapshot, enum, check)");
  }
  return out;
}

Parsed read_toml(std::string_view text, const Reporter& report) {
  toml::table root;
  try {
    root = toml::parse(text, report.origin());
  } catch (const toml::parse_error& e) {
    report.fail(e.source(), "invalid TOML: " + std::string(e.description()));
  }
  return read_tree(root, SnapshotFormat::toml, report);
}

toml::table tree_from_json(const boost::json::object& object);
toml::array tree_from_json(const boost::json::array& array);

// Hands `put` the TOML counterpart of one JSON value. JSON's null has none: it becomes a boolean,
// a type no snapshot key takes, so a null is refused as a wrong type, as in TOML.
template <typename Put>
void put_tree_of(const boost::json::value& value, Put&& put) {
  switch (value.kind()) {
    case boost::json::kind::object:
      put(tree_from_json(value.get_object()));
      return;
    case boost::json::kind::array:
      put(tree_from_json(value.get_array()));
      return;
    case boost::json::kind::string:
      put(std::string(value.get_string()));
      return;
    case boost::json::kind::int64:
      put(value.get_int64());
      return;
    case boost::json::kind::uint64:  // above TOML's integers; still a number
      put(static_cast<double>(value.get_uint64()));
      return;
    case boost::json::kind::double_:
      put(value.get_double());
      return;
    case boost::json::kind::bool_:
      put(value.get_bool());
      return;
    case boost::json::kind::null:
      put(false);
      return;
  }
}

toml::table tree_from_json(const boost::json::object& object) {
  toml::table table;
  for (const auto& member : object) {
    // Not a structured binding: clang 15 cannot capture one in a lambda.
    const std::string key(member.key());
    put_tree_of(member.value(), [&](auto&& node) {
      table.insert_or_assign(key, std::forward<decltype(node)>(node));
    });
  }
  return table;
}

toml::array tree_from_json(const boost::json::array& array) {
  toml::array list;
  for (const auto& value : array) {
    put_tree_of(value, [&](auto&& node) { list.push_back(std::forward<decltype(node)>(node)); });
  }
  return list;
}

Parsed read_json_value(const boost::json::value& root, const Reporter& report) {
  if (!root.is_object()) report.fail({}, "a JSON snapshot must be an object");
  return read_tree(tree_from_json(root.get_object()), SnapshotFormat::json, report);
}

Parsed read_json(std::string_view text, const Reporter& report) {
  boost::json::stream_parser parser;
  boost::system::error_code ec;
  std::size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    auto [line, column] = line_column(text, consumed);
    throw Error(located({report.origin(), line, column}, "invalid JSON: " + ec.message()));
  }
  return read_json_value(parser.release(), report);
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

// " (first at line N)" when the first one has a line (TOML), else nothing (JSON).
std::string first_at(const toml::source_region& first) {
  return first.begin.line ? " (first at line " + std::to_string(first.begin.line) + ")" : "";
}

// The values of one enum or check (`owner` names it, as "enum public.s"): labels, each once.
void validate_values(std::string_view owner, const std::vector<std::string>& values,
                     const EntryPlaces& places, const Reporter& report) {
  std::map<std::string_view, std::size_t> seen;
  for (std::size_t v = 0; v < values.size(); ++v) {
    const auto& value = values[v];
    if (auto problem = label_problem(value)) {
      report.fail(places.values[v],
                  std::string(owner) + ": value " + quoted_for_message(value) + ": " + *problem);
    }
    if (!seen.emplace(value, v).second) {
      report.fail(places.values[v], std::string(owner) + ": duplicate value " +
                                        quoted_for_message(value) + ": each value may appear once");
    }
  }
}

void validate_checks(const Parsed& parsed, const Reporter& report) {
  std::map<TypeName, toml::source_region> seen;
  for (std::size_t i = 0; i < parsed.snapshot.checks.size(); ++i) {
    const auto& check = parsed.snapshot.checks[i];
    const auto& places = parsed.check_places[i];
    for (const auto& [part, text] :
         {std::pair<std::string_view, const std::string&>{"schema", check.schema},
          {"table", check.table},
          {"column", check.column}}) {
      if (auto problem = label_problem(text))
        report.fail(places.name, "check " + std::string(part) + " " + quoted_for_message(text) +
                                     ": " + *problem);
    }
    auto [it, inserted] = seen.emplace(check.key(), places.name);
    if (!inserted) {
      report.fail(places.name, "duplicate check " + check.display() + first_at(it->second) +
                                   ": each (schema, table, column) may appear once");
    }
    validate_values("check " + check.display(), check.values, places, report);
  }
}

void validate_enums(const Parsed& parsed, const Reporter& report) {
  std::map<TypeName, toml::source_region> seen;
  for (std::size_t i = 0; i < parsed.snapshot.enums.size(); ++i) {
    const auto& type = parsed.snapshot.enums[i];
    const auto& places = parsed.enum_places[i];
    if (auto problem = label_problem(type.type.schema)) {
      report.fail(places.entry,
                  "enum schema " + quoted_for_message(type.type.schema) + ": " + *problem);
    }
    if (auto problem = label_problem(type.type.name)) {
      report.fail(places.name, "enum name " + quoted_for_message(type.type.name) + ": " + *problem);
    }
    auto [it, inserted] = seen.emplace(type.type, places.name);
    if (!inserted) {
      report.fail(places.name, "duplicate enum " + type.type.display() + first_at(it->second) +
                                   ": each (schema, name) may appear once");
    }
    validate_values("enum " + type.type.display(), type.values, places, report);
  }
}

void validate(const Parsed& parsed, const Reporter& report) {
  validate_header(parsed.snapshot, report);
  validate_checks(parsed, report);
  validate_enums(parsed, report);
}

// One label as toml++ writes a TOML basic string: escapes where TOML needs them (quotes,
// backslashes, control characters, line separators), other non-ASCII kept as UTF-8. Only
// allow_unicode_strings: literal and multi-line strings would change how a label reads in the file
// ('back\slash', a value over two lines) for no gain.
std::string toml_string(std::string_view text) {
  std::ostringstream out;
  out << toml::toml_formatter{toml::value<std::string>{std::string(text)},
                              toml::format_flags::allow_unicode_strings};
  return std::move(out).str();
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
  // Kept as long as the snapshot is registered: without the slack of the vectors' growth.
  parsed.snapshot.enums.shrink_to_fit();
  parsed.snapshot.checks.shrink_to_fit();
  return std::move(parsed.snapshot);
}

}  // namespace

Snapshot parse_snapshot(std::string_view text, SnapshotFormat format, std::string_view origin) {
  Reporter report(origin);
  Parsed parsed =
      format == SnapshotFormat::json ? read_json(text, report) : read_toml(text, report);
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
  auto key_value = [&](std::string_view key, std::string_view text) {
    out.append(key).append(" = ").append(toml_string(text)).append("\n");
  };
  // One line per list, as the files people diff and scripts edit have always had it.
  auto key_values = [&](const std::vector<std::string>& values) {
    out += "values = [";
    for (std::size_t i = 0; i < values.size(); ++i)
      out.append(i ? ", " : "").append(toml_string(values[i]));
    out += "]\n";
  };
  if (snapshot.revision || snapshot.source) {
    out += "[snapshot]\n";
    if (snapshot.revision) key_value("revision", *snapshot.revision);
    if (snapshot.source) key_value("source", *snapshot.source);
  }
  for (const auto& type : snapshot.enums) {
    out += out.empty() ? "[[enum]]\n" : "\n[[enum]]\n";
    key_value("schema", type.type.schema);
    key_value("name", type.type.name);
    key_values(type.values);
  }
  for (const auto& check : snapshot.checks) {
    out += out.empty() ? "[[check]]\n" : "\n[[check]]\n";
    key_value("schema", check.schema);
    key_value("table", check.table);
    key_value("column", check.column);
    key_values(check.values);
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
