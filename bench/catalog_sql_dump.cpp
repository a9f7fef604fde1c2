// Writes the daemon's catalog queries to DIR: enum_types.sql, column_usage.sql and
// check_constraints.sql (the full read), schema_hashes.sql and alembic_revision.sql (what a
// fingerprint is made of: the schemas' hashes, and an alembic_version table's revision). The
// fingerprint integration test runs them.
#include <fstream>
#include <iostream>

#include "enumwatch/catalog/catalog_query.hpp"
#include "enumwatch/catalog/schema_fingerprint.hpp"

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
  std::ofstream(dir + "/schema_hashes.sql") << enumwatch::schema_hashes_sql(true);
  std::ofstream(dir + "/alembic_revision.sql")
      << enumwatch::migration_revision_sql("alembic_version", MigrationTool::alembic);
  return 0;
}
