#include <doctest/doctest.h>

#include "enumwatch/config/scope.hpp"

using namespace enumwatch;

TEST_CASE("an empty scope includes every non-system schema") {
  Scope s;
  CHECK(s.includes({"public", "x"}));
  CHECK(s.includes({"Odd Schema", "x"}));
  CHECK_FALSE(s.includes({"pg_catalog", "x"}));
  CHECK_FALSE(s.includes({"information_schema", "x"}));
  CHECK_FALSE(s.includes({"pg_toast_temp_1", "x"}));
}

TEST_CASE("schemas restricts, exclude_schemas removes, ignore globs match schema.enum") {
  Scope s{{"public", "sales"}, {"sales"}, {"public.tmp_*", "*.legacy?"}};
  CHECK(s.includes({"public", "order_status"}));
  CHECK_FALSE(s.includes({"other", "order_status"}));
  CHECK_FALSE(s.includes({"sales", "order_status"}));
  CHECK_FALSE(s.includes({"public", "tmp_foo"}));
  CHECK_FALSE(s.includes({"public", "legacy1"}));
  CHECK(s.includes({"public", "legacy"}));
}
