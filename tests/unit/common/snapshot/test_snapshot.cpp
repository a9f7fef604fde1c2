#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "enumwatch/core/error.hpp"
#include "enumwatch/snapshot/snapshot.hpp"

using namespace enumwatch;

namespace {

Snapshot toml(std::string_view text) {
  return parse_snapshot(text, SnapshotFormat::toml, "s.toml");
}

std::string toml_error(std::string_view text) {
  try {
    (void)toml(text);
  } catch (const Error& e) {
    return e.what();
  }
  FAIL("expected an error");
  return {};
}

std::string json_error(std::string_view text) {
  try {
    (void)parse_snapshot(text, SnapshotFormat::json, "s.json");
  } catch (const Error& e) {
    return e.what();
  }
  FAIL("expected an error");
  return {};
}

const char* kOrders = R"(
[snapshot]
revision = "4f2a9c1"
source = "backend/app/models"

[[enum]]
schema = "public"
name = "order_status"
values = ["pending_payment", "paid", "cancelled", "refunded"]

[[enum]]
name = "currency"
values = ["eur", "usd"]
)";

}  // namespace

TEST_CASE("a TOML snapshot loads with revision, source, default schema and value order") {
  Snapshot s = toml(kOrders);
  CHECK(s.revision == "4f2a9c1");
  CHECK(s.source == "backend/app/models");
  REQUIRE(s.enums.size() == 2);
  // Sorted by (schema, name): currency before order_status.
  CHECK(s.enums[0].type == TypeName{"public", "currency"});
  CHECK(s.enums[1].values ==
        std::vector<std::string>{"pending_payment", "paid", "cancelled", "refunded"});
}

TEST_CASE("the same snapshot in JSON loads identically") {
  Snapshot s = parse_snapshot(
      R"({"snapshot":{"revision":"4f2a9c1","source":"backend/app/models"},
          "enum":[{"schema":"public","name":"order_status","values":["pending_payment","paid","cancelled","refunded"]},
                  {"name":"currency","values":["eur","usd"]}]})",
      SnapshotFormat::json, "s.json");
  CHECK(s == toml(kOrders));
}

TEST_CASE("awkward labels survive a TOML and a JSON round trip") {
  Snapshot s;
  s.revision = "r\"1";
  s.enums.push_back({{"Odd \"Schema\"", "type with space"},
                     {"it's", "back\\slash", "tab\there", "Ünïcödé", "UPPER", std::string(63, 'x'),
                      "new\nline"}});
  CHECK(parse_snapshot(to_toml(s), SnapshotFormat::toml, "rt.toml") == s);
  CHECK(parse_snapshot(to_json(s), SnapshotFormat::json, "rt.json") == s);
}

TEST_CASE(
    "a snapshot embedded in a state file reads as its JSON text would, checks and errors too") {
  Snapshot s = toml(kOrders);
  CheckColumn channel;
  channel.schema = "public";
  channel.table = "orders";
  channel.column = "channel";
  channel.values = {"api", "web"};
  s.checks.push_back(channel);
  const boost::json::object embedded{{"name", "app"}, {"snapshot", to_json_value(s)}};
  CHECK(snapshot_from_json(embedded.at("snapshot"), "current.json") == s);
  CHECK(boost::json::serialize(to_json_value(s)) + "\n" == to_json(s));
  const boost::json::value broken =
      boost::json::parse(R"({"enum":[{"name":"t","values":["a","a"]}]})");
  CHECK_THROWS_WITH_AS(static_cast<void>(snapshot_from_json(broken, "current.json")),
                       doctest::Contains("current.json"), Error);
}

TEST_CASE("the digest ignores enum order in the file, revision and source, but not value order") {
  Snapshot a = toml(kOrders);
  Snapshot b = a;
  std::swap(b.enums[0], b.enums[1]);
  b.revision = "other";
  b.source.reset();
  CHECK(digest(a) == digest(b));
  CHECK(digest(a).size() == 64);
  Snapshot c = a;
  std::swap(c.enums[1].values[0], c.enums[1].values[1]);
  CHECK(digest(a) != digest(c));
}

TEST_CASE("the digest is stable across releases for a known snapshot") {
  Snapshot s;
  s.enums.push_back({{"public", "order_status"}, {"pending_payment", "paid"}});
  // printf %s '[{"schema":"public","name":"order_status","values":["pending_payment","paid"]}]' |
  // sha256sum
  CHECK(digest(s) == "ecb394c6638e45c405258c858631ef26191797dbd68fb54fb1361824b8c17db5");
}

TEST_CASE("invalid TOML is reported with file, line and column") {
  std::string e = toml_error("[[enum]]\nname = \"x\nvalues = []\n");
  CHECK(e.rfind("s.toml:2:", 0) == 0);
  CHECK(e.find("invalid TOML") != std::string::npos);
}

TEST_CASE("unknown keys are errors that name the key and its line") {
  std::string e = toml_error("[[enum]]\nname = \"x\"\nvalues = [\"a\"]\nvalus = [\"b\"]\n");
  CHECK(e.rfind("s.toml:4:", 0) == 0);
  CHECK(e.find("enum.valus") != std::string::npos);
  CHECK(toml_error("[snapshot]\nrev = \"1\"\n").find("snapshot.rev") != std::string::npos);
  CHECK(toml_error("enums = []\n").find("unknown top-level key") != std::string::npos);
}

TEST_CASE("duplicate values are rejected, naming the enum, the value and its line") {
  std::string e =
      toml_error("[[enum]]\nname = \"s\"\nvalues = [\n  \"a\",\n  \"b\",\n  \"a\",\n]\n");
  CHECK(e.rfind("s.toml:6:", 0) == 0);
  CHECK(e.find("public.s") != std::string::npos);
  CHECK(e.find("duplicate value \"a\"") != std::string::npos);
}

TEST_CASE("duplicate enums are rejected, pointing at the first one") {
  std::string e = toml_error(
      "[[enum]]\nname = \"s\"\nvalues = []\n[[enum]]\nschema = \"public\"\nname = \"s\"\nvalues = "
      "[]\n");
  CHECK(e.rfind("s.toml:6:", 0) == 0);
  CHECK(e.find("first at line 2") != std::string::npos);
}

TEST_CASE("names and values must be non-empty and at most 63 bytes") {
  CHECK(toml_error("[[enum]]\nname = \"\"\nvalues = []\n").find("must not be empty") !=
        std::string::npos);
  std::string long_value = "[[enum]]\nname = \"s\"\nvalues = [\"" + std::string(64, 'v') + "\"]\n";
  CHECK(toml_error(long_value).find("64 bytes") != std::string::npos);
  // 63 bytes of multi-byte UTF-8 is fine: 21 three-byte characters.
  std::string ok;
  for (int i = 0; i < 21; ++i) ok += "\xE2\x82\xAC";
  CHECK_NOTHROW(toml("[[enum]]\nname = \"s\"\nvalues = [\"" + ok + "\"]\n"));
}

TEST_CASE("wrong types are reported") {
  CHECK(toml_error("[[enum]]\nname = 3\nvalues = []\n").find("enum.name must be a string") !=
        std::string::npos);
  CHECK(toml_error("[[enum]]\nname = \"s\"\nvalues = [1]\n").find("must be a string") !=
        std::string::npos);
  CHECK(toml_error("[[enum]]\nname = \"s\"\n").find("has no values") != std::string::npos);
}

TEST_CASE("malformed JSON is reported with line and column") {
  std::string e = json_error("{\"enum\": [\n  {\"name\": \"x\",, }\n]}");
  CHECK(e.rfind("s.json:2:", 0) == 0);
  CHECK(json_error("[]").find("must be an object") != std::string::npos);
  CHECK(json_error(R"({"enum":[{"name":"x","values":["a","a"]}]})").find("duplicate value") !=
        std::string::npos);
  CHECK(json_error(R"({"enum":[{"name":"x","values":[],"extra":1}]})").find("enum.extra") !=
        std::string::npos);
}

TEST_CASE("invalid UTF-8 and NUL are not valid labels") {
  CHECK(label_problem("ok") == std::nullopt);
  CHECK(label_problem(std::string("a\xFF", 2)) == "is not valid UTF-8");
  CHECK(label_problem(std::string("a\0b", 3)) == "contains a NUL character");
  CHECK(json_error(R"({"enum":[{"name":"x","values":["a\u0000b"]}]})").find("NUL") !=
        std::string::npos);
}

TEST_CASE("revision and source are plain, bounded text") {
  auto error_of = [](const std::string& text) {
    try {
      (void)parse_snapshot(text, SnapshotFormat::json, "put");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(error_of(R"({"snapshot":{"revision":"4f2a9c1","source":"backend/app models"},"enum":[]})")
            .empty());
  CHECK(error_of(R"({"snapshot":{"revision":"a\nb"},"enum":[]})").find("control characters") !=
        std::string::npos);
  CHECK(error_of(R"({"snapshot":{"source":"\u001b[2Jx"},"enum":[]})").find("control characters") !=
        std::string::npos);
  CHECK(error_of(R"({"snapshot":{"revision":"a\\b"},"enum":[]})").find("backslashes") !=
        std::string::npos);
  CHECK(error_of(R"({"snapshot":{"revision":")" + std::string(201, 'x') + R"("},"enum":[]})")
            .find("at most 200") != std::string::npos);
}

TEST_CASE("an error naming an enum keeps to one line whatever the name holds (found by fuzzing)") {
  std::string e = toml_error("[[enum]]\nschema = \"a\\tb\"\nname = \"x\\ny\\u001b[31m\"\n");
  CHECK(e.find("has no values key") != std::string::npos);
  CHECK(e.find("a\\tb.x\\ny\\x1b[31m") != std::string::npos);
  CHECK(e.find('\n') == std::string::npos);
  CHECK(e.find('\x1b') == std::string::npos);
}

TEST_CASE(
    "[[check]] entries load as sets, default to public, and round-trip through TOML and JSON") {
  const Snapshot s = toml(R"(
[[check]]
table = "orders"
column = "channel"
values = ["web", "store", "phone"]

[[check]]
schema = "Sales \"EU\""
table = "tab\nle"
column = "it's"
values = ["b", "a\\z"]
)");
  REQUIRE(s.checks.size() == 2);
  CHECK(s.checks[0].schema == "Sales \"EU\"");
  CHECK(s.checks[0].table == "tab\nle");
  CHECK(s.checks[0].values == std::vector<std::string>{"a\\z", "b"});
  CHECK(s.checks[1].display() == "public.orders.channel");
  CHECK(s.checks[1].values == std::vector<std::string>{"phone", "store", "web"});
  CHECK(toml(to_toml(s)) == s);
  CHECK(parse_snapshot(to_json(s), SnapshotFormat::json, "s.json") == s);
}

TEST_CASE("the digest covers checks as sets, and a snapshot without checks keeps its digest") {
  Snapshot enums_only = toml(kOrders);
  const std::string before = digest(enums_only);
  Snapshot with_check = enums_only;
  with_check.checks.push_back(
      toml("[[check]]\ntable = \"t\"\ncolumn = \"c\"\nvalues = [\"a\", \"b\"]\n").checks[0]);
  CHECK(digest(with_check) != before);
  Snapshot reordered = toml("[[check]]\ntable = \"t\"\ncolumn = \"c\"\nvalues = [\"b\", \"a\"]\n");
  Snapshot ordered = toml("[[check]]\ntable = \"t\"\ncolumn = \"c\"\nvalues = [\"a\", \"b\"]\n");
  CHECK(digest(reordered) == digest(ordered));
  CHECK(digest(toml(kOrders)) == before);
}

TEST_CASE("a malformed [[check]] is an error that says what is wrong and where") {
  CHECK(toml_error("[[check]]\ntable = \"t\"\nvalues = [\"a\"]\n")
            .find("needs both table and column") != std::string::npos);
  const std::string duplicate =
      toml_error("[[check]]\ntable = \"t\"\ncolumn = \"c\"\nvalues = [\"a\", \"a\"]\n");
  CHECK(duplicate.rfind("s.toml:4:", 0) == 0);
  CHECK(duplicate.find("duplicate value") != std::string::npos);
  CHECK(toml_error("[[check]]\ntable = \"t\"\ncolumn = \"c\"\nvalues = [\"a\"]\n"
                   "[[check]]\ntable = \"t\"\ncolumn = \"c\"\nvalues = [\"b\"]\n")
            .find("duplicate check public.t.c (first at line 2)") != std::string::npos);
  CHECK(toml_error("[[check]]\ntable = \"t\"\ncolumn = \"c\"\nvalues = [\"a\"]\norder = 1\n")
            .find("check.order") != std::string::npos);
  CHECK(toml_error("[[check]]\ntable = \"\"\ncolumn = \"c\"\nvalues = [\"a\"]\n")
            .find("must not be empty") != std::string::npos);
  CHECK(json_error(R"({"check":[{"table":"t","column":"c","values":"a"}]})")
            .find("check.values must be an array") != std::string::npos);
}

TEST_CASE(
    "labels full of quotes, backslashes, line breaks, tabs and unicode read back as written") {
  Snapshot s;  // no revision, no source: the optional fields stay absent
  s.enums.push_back(
      {{"Sch\"ema\\", "tab\tand\nnewline"},
       {"\"", "\\", "\\\"", "'", "''", "'''", "\"\"\"", "a\r\nb", "\t", "\x01\x1f\x7f",
        "\u2028\u2029", "Ünïcödé ✓ 𝄞", "#not a comment", "[[enum]]", "= x", " "}});
  CheckColumn check;
  check.schema = "\\\\server";
  check.table = "multi\nline\ntable";
  check.column = "it's \"quoted\"";
  check.values = {"\n", "\\n", "é\te"};  // sorted, as a check's values read back
  s.checks.push_back(check);
  const std::string written = to_toml(s);
  CHECK(toml(written) == s);
  CHECK(parse_snapshot(to_json(s), SnapshotFormat::json, "rt.json") == s);
  // An empty revision is a value, not an absence, and an empty snapshot writes nothing at all.
  Snapshot empty_revision;
  empty_revision.revision = "";
  CHECK(toml(to_toml(empty_revision)) == empty_revision);
  CHECK(to_toml(Snapshot{}).empty());
  CHECK(toml(to_toml(Snapshot{})) == Snapshot{});
}

TEST_CASE("a written snapshot keeps one line per key and per values list") {
  Snapshot s;
  s.revision = "abc123";
  s.enums.push_back({{"public", "stage"}, {"a", "d", "perdu à jamais", "back\\slash", "it's"}});
  CheckColumn check;
  check.table = "orders";
  check.column = "channel";
  check.values = {"web"};
  s.checks.push_back(check);
  CHECK(to_toml(s) ==
        "[snapshot]\n"
        "revision = \"abc123\"\n"
        "\n"
        "[[enum]]\n"
        "schema = \"public\"\n"
        "name = \"stage\"\n"
        "values = [\"a\", \"d\", \"perdu à jamais\", \"back\\\\slash\", \"it's\"]\n"
        "\n"
        "[[check]]\n"
        "schema = \"public\"\n"
        "table = \"orders\"\n"
        "column = \"channel\"\n"
        "values = [\"web\"]\n");
}

TEST_CASE("TOML and JSON snapshots are held to the same rules, in the same words") {
  const auto same = [](std::string_view toml_text, std::string_view json_text,
                       std::string_view message) {
    const std::string from_toml = toml_error(toml_text);
    const std::string from_json = json_error(json_text);
    CHECK(from_toml.find(message) != std::string::npos);
    CHECK(from_json.find(message) != std::string::npos);
    CHECK(from_json.rfind("s.json: ", 0) == 0);  // a JSON tree has no positions past its syntax
  };
  same("[[enum]]\nvalues = []\n", R"({"enum":[{"values":[]}]})", "an enum entry has no name key");
  same("[[enum]]\nname = \"s\"\n", R"({"enum":[{"name":"s"}]})", "enum public.s has no values key");
  same("[[check]]\ncolumn = \"c\"\nvalues = []\n", R"({"check":[{"column":"c","values":[]}]})",
       "a check entry needs both table and column");
  same("[[check]]\ntable = \"t\"\ncolumn = \"c\"\n", R"({"check":[{"table":"t","column":"c"}]})",
       "check public.t.c has no values key");
  same("[snapshot]\nrevision = 1\n", R"({"snapshot":{"revision":1}})",
       "snapshot.revision must be a string");
  same("snapshot = 1\n", R"({"snapshot":[]})",
       "snapshot must be a table: write [snapshot] (an object in JSON)");
  same("enum = 1\n", R"({"enum":{}})",
       "enum must be an array of tables: write [[enum]] (an array of objects in JSON)");
  same("enum = [1]\n", R"({"enum":[1]})",
       "each enum entry must be a table: write [[enum]] (an object in JSON)");
  same("check = [\"t\"]\n", R"({"check":["t"]})",
       "each check entry must be a table: write [[check]] (an object in JSON)");
  same("[[enum]]\nname = \"s\"\nvalues = \"a\"\n", R"({"enum":[{"name":"s","values":"a"}]})",
       "enum.values must be an array of strings");
  same("[[check]]\ntable = \"t\"\ncolumn = \"c\"\nvalues = [true]\n",
       R"({"check":[{"table":"t","column":"c","values":[true]}]})",
       "each check value must be a string");
  same("[[check]]\ntable = \"t\"\ncolumn = \"c\"\nvalues = []\nsort = true\n",
       R"({"check":[{"table":"t","column":"c","values":[],"sort":true}]})",
       "unknown key check.sort (allowed: schema, table, column, values)");
  same("other = 1\n", R"({"other":1})",
       "unknown top-level key \"other\" (allowed: snapshot, enum, check)");
  // JSON's null has no TOML counterpart: it is a wrong type like any other.
  CHECK(json_error(R"({"enum":[{"name":null,"values":[]}]})").find("enum.name must be a string") !=
        std::string::npos);
  CHECK(json_error(R"({"snapshot":null})").find("snapshot must be a table") != std::string::npos);
}

TEST_CASE("an unknown key is reported where the key stands") {
  CHECK(toml_error("[[enum]]\nname = \"x\"\nvalues = [\"a\"]\n  valus = [\"b\"]\n")
            .rfind("s.toml:4:3: unknown key enum.valus", 0) == 0);
  CHECK(toml_error("[snapshot]\nrevision = \"1\"\n\n[[enum]]\nname = \"x\"\nvalues = []\n\n"
                   "[extra]\n")
            .rfind("s.toml:8:", 0) == 0);
}

TEST_CASE("JSON may name the arrays enums and checks; TOML may not") {
  const Snapshot s = parse_snapshot(
      R"({"enums":[{"name":"b","values":["x"]}],"enum":[{"name":"a","values":["y"]}],
          "checks":[{"table":"t","column":"c","values":["z"]}]})",
      SnapshotFormat::json, "s.json");
  REQUIRE(s.enums.size() == 2);
  CHECK(s.enums[0].type.name == "a");
  CHECK(s.enums[1].type.name == "b");
  REQUIRE(s.checks.size() == 1);
  CHECK(s.checks[0].display() == "public.t.c");
  CHECK(json_error(R"({"enums":[{"name":"s","values":"a"}]})")
            .find("enum.values must be an array of strings") != std::string::npos);
  CHECK(json_error(R"({"enums":{}})").find("enums must be an array of tables") !=
        std::string::npos);
  CHECK(toml_error("[[checks]]\ntable = \"t\"\ncolumn = \"c\"\nvalues = []\n")
            .find("unknown top-level key \"checks\"") != std::string::npos);
}
