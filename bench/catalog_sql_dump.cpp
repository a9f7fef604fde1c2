// Writes the daemon's two catalog queries to DIR/enum_types.sql and DIR/column_usage.sql.
#include <fstream>
#include <iostream>

#include "enumwatch/catalog_query.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: catalog_sql_dump DIR\n";
    return 2;
  }
  std::ofstream(std::string(argv[1]) + "/enum_types.sql") << enumwatch::enum_types_sql();
  std::ofstream(std::string(argv[1]) + "/column_usage.sql") << enumwatch::column_usage_sql();
  return 0;
}
