// The shared diff cases (tests/fixtures/diff_cases.json): the C++ diff must give exactly the kinds
// each case expects. tests/tools/test_enumwatch_py.py holds enumwatch-py --check to the same file.
#include <doctest/doctest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <memory>

#include "enumwatch/core/file_io.hpp"
#include "enumwatch/diff/diff.hpp"

using namespace enumwatch;

namespace {

std::vector<EnumType> enums_of(const boost::json::array& list) {
  std::vector<EnumType> out;
  for (const auto& e : list) {
    const auto& o = e.as_object();
    EnumType type{{std::string(o.at("schema").as_string()), std::string(o.at("name").as_string())},
                  {}};
    for (const auto& v : o.at("values").as_array()) type.values.emplace_back(v.as_string());
    out.push_back(std::move(type));
  }
  sort_enums(out);
  return out;
}

std::string joined(std::vector<std::string> lines) {
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("every shared diff case gives exactly the kinds it expects") {
  const auto fixture = boost::json::parse(read_file(ENUMWATCH_DIFF_CASES, "diff cases"));
  const auto& cases = fixture.at("cases").as_array();
  REQUIRE(cases.size() >= 15);
  for (const auto& c : cases) {
    const auto& o = c.as_object();
    const std::string name(o.at("name").as_string());
    CAPTURE(name);
    auto snapshot = std::make_shared<Snapshot>();
    snapshot->enums = enums_of(o.at("snapshot").as_array());
    DatabaseState database;
    database.catalog.enums = enums_of(o.at("database").as_array());
    DiffOptions options;  // naming none; order and unexpected types reported
    const std::vector<NamedSnapshot> snapshots{{"app", snapshot}};
    std::vector<std::string> got;
    for (const auto& item : diff("db", snapshots, database, options))
      got.push_back(item.schema + "." + item.enum_name + " " + std::string(to_string(item.kind)));
    std::vector<std::string> want;
    for (const auto& e : o.at("expect").as_array()) want.emplace_back(e.as_string());
    CHECK(joined(got) == joined(want));
  }
}
