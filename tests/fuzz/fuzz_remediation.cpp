// Remediation generation from hostile catalogs and snapshots. The input drives a generator
// (FuzzedDataProvider) that builds a database enum, the columns using it (direct, array, domain,
// with defaults as PostgreSQL deparses them), the objects depending on it (views, indexes,
// policies, functions with dollar-quoted bodies, grants, owners, comments, as PostgreSQL prints
// them) and a snapshot that differs from it, with names
// made of hostile pieces (quotes, backslashes, newlines, $$, --, /*, terminal escapes, U+2028,
// non-ASCII, 63-byte limits). Every name carries the marker "Zq", which no SQL keyword holds.
//
// Property: the SQL of `diff --format sql` and of each item lexes as PostgreSQL reads it; the
// marker never appears outside a literal, a quoted identifier or a comment (catalog text is
// never bare SQL); no comment, literal or identifier holds a raw control character; dollar-quoted
// bodies obey the same rules inside.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <boost/json.hpp>
#include <memory>

#include "enumwatch/core/error.hpp"
#include "enumwatch/core/text.hpp"
#include "enumwatch/core/utf8.hpp"
#include "enumwatch/diff/diff.hpp"
#include "enumwatch/report/report.hpp"
#include "enumwatch/snapshot/snapshot.hpp"
#include "enumwatch/sql/remediation.hpp"
#include "enumwatch/sql/sql_lexer.hpp"
#include "fuzz_support.hpp"

using namespace enumwatch;

namespace {

constexpr std::string_view kMarker = "Zq";

constexpr std::string_view kPieces[] = {"\n",
                                        "\r\n",
                                        "'",
                                        "\"",
                                        "\\",
                                        "$$",
                                        "$a$",
                                        "--",
                                        "/*",
                                        "*/",
                                        ";",
                                        " ",
                                        "\t",
                                        "\x1b[31m",
                                        "\u2028",
                                        "\u009b",
                                        "DROP TABLE sentinel; --",
                                        "U&",
                                        "E'",
                                        "é",
                                        "ß",
                                        "Ω",
                                        "😀",
                                        "Ж",
                                        "a",
                                        "B",
                                        "_",
                                        "%s",
                                        "{}",
                                        "$1",
                                        "\\u0041",
                                        "\\x41",
                                        "zQ"};

// A PostgreSQL name (at most 63 bytes, no NUL, valid UTF-8) holding the marker.
std::string hostile_name(FuzzedDataProvider& in) {
  std::string name(kMarker);
  const int pieces = in.ConsumeIntegralInRange(0, 6);
  for (int i = 0; i < pieces; ++i) {
    if (in.ConsumeBool()) {
      name += kPieces[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kPieces) - 1)];
    } else {
      std::string raw = in.ConsumeRandomLengthString(8);
      std::erase(raw, '\0');
      if (is_valid_utf8(raw)) name += raw;
    }
  }
  if (in.ConsumeBool()) name += std::string(63, 'n');  // right at the limit after the cut
  return utf8_prefix(std::move(name), 63);
}

std::vector<std::string> distinct_values(FuzzedDataProvider& in, int count) {
  std::vector<std::string> values;
  while (static_cast<int>(values.size()) < count && in.remaining_bytes() > 0) {
    std::string v = hostile_name(in);
    if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
  }
  if (values.empty()) values.push_back(std::string(kMarker));
  return values;
}

// How PostgreSQL's deparser quotes (quote_identifier, simple_quote_literal): control
// characters stay raw, which is what remediation must requote.
std::string pg_ident(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string pg_literal(std::string_view value) {
  std::string out = value.find('\\') == std::string_view::npos ? "'" : "E'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  return out + '\'';
}

std::string json_string(std::string_view text) {
  return boost::json::serialize(boost::json::value(boost::json::string(text)));
}

// Dependents as the reader would decode them from a hostile catalog: every name and value from
// the generator, every definition quoted the way PostgreSQL prints it.
TypeDependents hostile_dependents(FuzzedDataProvider& in, const TypeName& type,
                                  const std::vector<std::string>& values) {
  TypeDependents deps;
  const std::string type_ref = pg_ident(type.schema) + "." + pg_ident(type.name);
  auto value = [&] { return values[in.ConsumeIntegralInRange<std::size_t>(0, values.size() - 1)]; };
  const int count = in.ConsumeIntegralInRange(0, 6);
  for (int i = 0; i < count; ++i) {
    Dependent d;
    d.kind = static_cast<Dependent::Kind>(
        in.ConsumeIntegralInRange(0, static_cast<int>(Dependent::Kind::inherited)));
    d.depth = in.ConsumeIntegralInRange(1, 3);
    d.schema = hostile_name(in);
    d.name = hostile_name(in);
    d.table_schema = hostile_name(in);
    d.table = hostile_name(in);
    d.column = hostile_name(in);
    const std::string column = pg_ident(d.column),
                      table = pg_ident(d.table_schema) + "." + pg_ident(d.table);
    const std::string test = column + " <> " + pg_literal(value()) + "::" + type_ref;
    switch (d.kind) {
      case Dependent::Kind::view:
      case Dependent::Kind::materialized_view:
        d.definition = " SELECT t." + column + "\n   FROM " + table + " t\n  WHERE (" + test + ");";
        break;
      case Dependent::Kind::index:
        d.definition = "CREATE INDEX " + pg_ident(d.name) + " ON ONLY " + table + " USING btree (" +
                       column + ") WHERE (" + test + ")";
        break;
      case Dependent::Kind::policy:
        d.definition = "{\"permissive\": false, \"command\": \"r\", \"roles\": [" +
                       json_string(pg_ident(hostile_name(in))) +
                       "], \"using\": " + json_string("(" + test + ")") + ", \"check\": null}";
        break;
      case Dependent::Kind::function:
      case Dependent::Kind::procedure: {
        const std::string body = " SELECT x = " + pg_literal(value()) + " ";
        std::string tag = "$function$";
        for (int n = 1; body.find(tag) != std::string::npos; ++n)
          tag = "$function" + std::to_string(n) + "$";
        d.identity = "x " + type_ref;
        d.definition = "CREATE OR REPLACE FUNCTION " + pg_ident(d.schema) + "." + pg_ident(d.name) +
                       "(x " + type_ref + ")\n RETURNS boolean\n LANGUAGE sql\nAS " + tag + body +
                       tag + "\n";
        break;
      }
      case Dependent::Kind::domain:
        d.definition =
            "{\"base\": " + json_string(type_ref) +
            ", \"default\": " + json_string(pg_literal(value()) + "::" + type_ref) +
            ", \"not_null\": true, \"constraints\": [{\"name\": " + json_string(hostile_name(in)) +
            ", \"definition\": " +
            json_string("CHECK ((VALUE <> " + pg_literal(value()) + "::" + type_ref + "))") +
            ", \"comment\": " + json_string(hostile_name(in)) + "}]}";
        break;
      case Dependent::Kind::composite:
        d.definition = "{\"attributes\": [{\"name\": " + json_string(hostile_name(in)) +
                       ", \"type\": " + json_string(type_ref + "[]") + "}]}";
        d.column_comments =
            "{" + json_string(hostile_name(in)) + ": " + json_string(hostile_name(in)) + "}";
        break;
      case Dependent::Kind::column:
        d.definition = type_ref;
        if (in.ConsumeBool()) {
          d.convert_to = pg_ident(d.schema) + "." + pg_ident(hostile_name(in));
          d.convert_default = pg_literal(value()) + "::" + type_ref;
        }
        break;
      default:
        d.definition = "CHECK ((" + test + "))";
    }
    if (in.ConsumeBool()) d.owner = hostile_name(in);
    if (in.ConsumeBool())
      d.grants = "[{\"grantee\": " + json_string(pg_ident(hostile_name(in))) +
                 ", \"privilege\": \"SELECT\", \"grantable\": true}]";
    if (in.ConsumeBool()) d.comment = hostile_name(in);
    if (in.ConsumeBool()) d.options = "security_barrier=true";
    if (d.kind == Dependent::Kind::unsupported && in.ConsumeBool()) d.kind = Dependent::Kind::view;
    if (d.kind == Dependent::Kind::unsupported)
      d.why = "type " + type_ref + " " + hostile_name(in) + " depends on it";
    deps.objects.push_back(std::move(d));
  }
  deps.tables.push_back(
      {type.schema, hostile_name(in), in.ConsumeIntegral<long long>() & 0xFFFFFFFFFF, 42});
  return deps;
}

void check_sql(std::string_view sql, int depth = 0) {
  std::vector<SqlToken> tokens;
  try {
    tokens = lex_sql(sql);
  } catch (const Error& e) {
    fuzz::require(false, "remediation SQL lexes: every quote and comment is closed",
                  std::string(e.what()) + "\n" + std::string(sql));
  }
  for (const auto& token : tokens) {
    switch (token.kind) {
      case SqlToken::Kind::bare: {
        std::string lower(token.text);
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        fuzz::require(lower.find("zq") == std::string::npos,
                      "catalog text never appears unquoted in remediation SQL", sql);
        std::string without_layout(token.text);
        std::erase(without_layout, '\n');
        fuzz::require(!has_control(without_layout),
                      "bare SQL holds no control character but line ends", sql);
        break;
      }
      case SqlToken::Kind::dollar:
        fuzz::require(depth < 4, "dollar quotes nest a bounded number of times", sql);
        check_sql(token_value(token), depth + 1);
        break;
      case SqlToken::Kind::comment:
      case SqlToken::Kind::literal:
      case SqlToken::Kind::identifier:
        fuzz::require(!has_control(token.text),
                      "comments, literals and quoted names hold no raw control character", sql);
        break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const TypeName type{hostile_name(in), hostile_name(in)};

  // The database side: the enum's values, and columns that use it.
  std::vector<std::string> db_values = distinct_values(in, in.ConsumeIntegralInRange(1, 6));
  std::vector<ColumnUse> uses;
  const int columns = in.ConsumeIntegralInRange(0, 4);
  for (int i = 0; i < columns; ++i) {
    ColumnUse use{hostile_name(in), hostile_name(in), hostile_name(in),
                  static_cast<ColumnUse::Via>(in.ConsumeIntegralInRange(0, 2)), std::nullopt};
    if (in.ConsumeBool()) {
      // As pg_get_expr prints a default: a literal cast to the schema-qualified type.
      const std::string& value =
          db_values[in.ConsumeIntegralInRange<std::size_t>(0, db_values.size() - 1)];
      use.default_expr = quote_literal(value) + "::" + quote_type(type);
    }
    uses.push_back(std::move(use));
  }

  // The snapshot side: a reorder, a subset, extra values, a case change, or another type.
  std::vector<std::string> snap_values = db_values;
  if (in.ConsumeBool()) std::reverse(snap_values.begin(), snap_values.end());
  if (in.ConsumeBool() && snap_values.size() > 1) snap_values.erase(snap_values.begin());
  for (auto& extra : distinct_values(in, in.ConsumeIntegralInRange(0, 3))) {
    if (std::find(snap_values.begin(), snap_values.end(), extra) == snap_values.end())
      snap_values.insert(
          snap_values.begin() + in.ConsumeIntegralInRange<std::size_t>(0, snap_values.size()),
          extra);
  }
  if (in.ConsumeBool() && !snap_values.empty()) {
    std::string& v = snap_values.front();
    std::transform(v.begin(), v.end(), v.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (std::count(snap_values.begin(), snap_values.end(), v) > 1)
      snap_values.erase(snap_values.begin());
  }

  auto snapshot = std::make_shared<Snapshot>();
  snapshot->enums.push_back({type, snap_values});
  if (in.ConsumeBool()) snapshot->enums.push_back({{hostile_name(in), hostile_name(in)}, {"v"}});
  sort_enums(snapshot->enums);
  if (std::adjacent_find(snapshot->enums.begin(), snapshot->enums.end(),
                         [](const auto& a, const auto& b) { return a.type == b.type; }) !=
      snapshot->enums.end())
    return 0;

  DatabaseState database;
  database.catalog.enums.push_back({type, db_values});
  if (in.ConsumeBool())
    database.catalog.enums.push_back({{hostile_name(in), hostile_name(in)}, {"x"}});
  sort_enums(database.catalog.enums);
  if (std::adjacent_find(database.catalog.enums.begin(), database.catalog.enums.end(),
                         [](const auto& a, const auto& b) { return a.type == b.type; }) !=
      database.catalog.enums.end())
    return 0;
  database.catalog.used_by[type] = uses;
  if (in.ConsumeBool()) database.catalog.dependents[type] = hostile_dependents(in, type, db_values);

  const std::vector<NamedSnapshot> snapshots{{"app", snapshot}};
  const auto items = diff("fuzz", snapshots, database, DiffOptions{});
  check_sql(remediation_script(items));
  for (const auto& item : items) {
    if (item.remediation_sql) check_sql(*item.remediation_sql);
  }
  std::string text = render_items_text(items, false);
  std::erase(text, '\n');
  fuzz::require(!has_control(text), "the text report escapes control characters", text);
  return 0;
}
