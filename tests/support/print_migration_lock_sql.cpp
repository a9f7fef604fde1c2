// Prints, for psql, the statement migration_locks_read sends (common/.../migration_lock.hpp) as a
// prepared statement and its execution with the read's own parameters:
//   print_migration_lock_sql DATABASE [SCHEMA...]
// tests/integration/migration_locks_query.sh runs it as the monitoring role.
#include <iostream>
#include <string>
#include <vector>

#include "enumwatch/catalog/migration_lock.hpp"
#include "enumwatch/sql/sql_quote.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: print_migration_lock_sql DATABASE [SCHEMA...]\n";
    return 2;
  }
  enumwatch::MigrationLockTarget target;
  target.database = argv[1];
  for (int i = 2; i < argc; ++i) target.schemas.emplace_back(argv[i]);
  const auto read = enumwatch::migration_locks_read(target);
  std::cout << "PREPARE migration_locks(pg_catalog.text[], pg_catalog.text[], pg_catalog.oid[], "
               "pg_catalog.oid[]) AS\n"
            << read.sql << ";\n";
  std::cout << "EXECUTE migration_locks(";
  for (std::size_t i = 0; i < read.params.size(); ++i)
    std::cout << (i ? ", " : "") << enumwatch::quote_literal(read.params[i]);
  std::cout << ");\n";
  return 0;
}
