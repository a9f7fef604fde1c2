#include "enumwatch/catalog/catalog_read.hpp"

#include <charconv>

#include "enumwatch/core/error.hpp"

namespace enumwatch {

std::string row_text(const Row& row, std::size_t i) {
  return row[i].value_or(std::string());
}

long long row_number(const Row& row, std::size_t i, std::string_view query) {
  const std::string text = row_text(row, i);
  if (text.empty()) return 0;
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw Error("unexpected number \"" + text + "\" in the " + std::string(query) +
                " query (column " + std::to_string(i + 1) + ")");
  }
  return value;
}

}  // namespace enumwatch
