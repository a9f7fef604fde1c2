// The catalog row decoder: rows exactly as libpq hands them over (any bytes, NULLs, short rows)
// become a Catalog or one Error; what is decoded then renders for a terminal without a raw
// control character and as valid JSON, whatever the names hold.
//
// Input layout: the enum-type rows, a 0x1E byte, the column-usage rows; rows end with a newline,
// fields with a tab; a field that is exactly \N is SQL NULL.
#include <boost/json.hpp>
#include <memory>

#include "enumwatch/catalog/catalog_query.hpp"
#include "enumwatch/core/error.hpp"
#include "enumwatch/diff/diff.hpp"
#include "enumwatch/report/report.hpp"
#include "fuzz_support.hpp"

using namespace enumwatch;

namespace {

Rows to_rows(std::string_view text) {
  Rows rows;
  if (text.empty()) return rows;
  for (std::string_view line : fuzz::split(text, '\n')) {
    Row row;
    for (std::string_view field : fuzz::split(line, '\t')) {
      if (field == "\\N") {
        row.push_back(std::nullopt);
      } else {
        row.push_back(std::string(field));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  const auto split_at = text.find('\x1e');
  const Rows enum_rows = to_rows(text.substr(0, split_at));
  const Rows usage_rows =
      to_rows(split_at == std::string_view::npos ? std::string_view{} : text.substr(split_at + 1));
  const Scope scope{{}, {"excluded"}, {"*.ignored"}};

  Catalog catalog;
  try {
    catalog = decode_catalog(enum_rows, usage_rows, scope);
  } catch (const Error& e) {
    fuzz::require_one_line(e.what());
    return 0;
  }
  for (std::size_t i = 0; i < catalog.enums.size(); ++i) {
    const auto& type = catalog.enums[i].type;
    fuzz::require(scope.includes(type), "only types in scope are decoded", type.display());
    fuzz::require(!catalog.enums[i].values.empty(), "a decoded type has its values");
    if (i > 0) fuzz::require(catalog.enums[i - 1].type < type, "types come out sorted, once each");
  }
  for (const auto& [type, uses] : catalog.used_by)
    fuzz::require(scope.includes(type), "only uses of types in scope are kept", type.display());

  // Against an empty snapshot every decoded type is unexpected: the report must stay one item
  // per line, and the JSON must be JSON, whatever the names hold.
  auto empty = std::make_shared<const Snapshot>();
  const std::vector<NamedSnapshot> snapshots{{"app", empty}};
  DatabaseState database;
  database.catalog = catalog;
  const auto items = diff("fuzz", snapshots, database, DiffOptions{.scope = scope});
  const std::string text_report = render_items_text(items, false);
  std::string without_layout = text_report;
  std::erase(without_layout, '\n');
  fuzz::require(!has_control(without_layout), "the text report escapes control characters",
                text_report);
  const std::string json = boost::json::serialize(drift_json(items));
  boost::system::error_code ec;
  (void)boost::json::parse(json, ec);
  fuzz::require(!ec, "the JSON report is JSON", json);
  return 0;
}
