// One read of a database's catalog: a statement (its SQL and parameters) with the decoder of its
// rows, as one unit. A reader adds reads to a pipeline (daemon/pg/read_pipeline.hpp) and takes
// each one's typed result back: nobody counts positions among the statements. Pure.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace enumwatch {

// Rows as libpq returns them in text format; nullopt is SQL NULL.
using Row = std::vector<std::optional<std::string>>;
using Rows = std::vector<Row>;

// Field i of a row as text ("" for NULL), and as a whole number (0 for NULL or ""; Error naming
// `query` and the column when it is something else).
[[nodiscard]] std::string row_text(const Row& row, std::size_t i);
[[nodiscard]] long long row_number(const Row& row, std::size_t i, std::string_view query);

template <typename T>
struct CatalogRead {
  std::string sql;
  std::vector<std::string> params;
  // Throws Error when the rows do not have the shape the SQL promises.
  std::function<T(const Rows&)> decode;
};

}  // namespace enumwatch
