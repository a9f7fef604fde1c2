// Writes the daemon's catalog queries to DIR: enum_types.sql and column_usage.sql (the full read),
// fingerprint.sql and fingerprint_alembic.sql (the fingerprint, without and with an
// alembic_version table). bench/run's floor and the fingerprint integration test run them.
#include <fstream>
#include <iostream>

#include "enumwatch/catalog/catalog_query.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: catalog_sql_dump DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  std::ofstream(dir + "/enum_types.sql") << enumwatch::enum_types_sql();
  std::ofstream(dir + "/column_usage.sql") << enumwatch::column_usage_sql();
  std::ofstream(dir + "/check_constraints.sql") << enumwatch::check_constraints_sql();
  using enumwatch::MigrationTool;
  std::ofstream(dir + "/fingerprint.sql")
      << enumwatch::fingerprint_sql("", MigrationTool::alembic, true);
  std::ofstream(dir + "/fingerprint_alembic.sql")
      << enumwatch::fingerprint_sql("alembic_version", MigrationTool::alembic, true);
  return 0;
}
