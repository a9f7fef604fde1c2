#include <doctest/doctest.h>

#include "enumwatch/catalog/catalog_query.hpp"
#include "enumwatch/catalog/ddl_trigger.hpp"
#include "enumwatch/catalog/schema_fingerprint.hpp"
#include "enumwatch/core/error.hpp"

using namespace enumwatch;

namespace {

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

Row row(std::optional<std::string> part, std::optional<std::string> schema,
        std::optional<std::string> hash) {
  return {std::move(part), std::move(schema), std::move(hash)};
}

SchemaHashes hashes(std::initializer_list<std::tuple<char, std::string, std::string>> entries,
                    bool checks = true) {
  SchemaHashes out;
  out.checks = checks;
  for (const auto& [part, schema, hash] : entries) out.hashes[{part, schema}] = hash;
  return out;
}

Scope schemas(std::vector<std::string> include, std::vector<std::string> exclude = {}) {
  Scope scope;
  scope.schemas = std::move(include);
  scope.exclude_schemas = std::move(exclude);
  return scope;
}

const RevisionSeen kNoTable{};

}  // namespace

TEST_CASE("the schema hashes are built from the full read's own queries, whole") {
  const std::string with_checks = schema_hashes_sql(true);
  CHECK(contains(with_checks, enum_types_sql()));
  CHECK(contains(with_checks, column_usage_sql()));
  CHECK(contains(with_checks, check_constraints_sql()));
  CHECK(contains(with_checks, ddl_trigger_installed_expression()));
  // A standby's copy of the trigger never fires: it does not count.
  CHECK(contains(std::string(ddl_trigger_installed_expression()),
                 "AND NOT pg_catalog.pg_is_in_recovery()"));
  CHECK_FALSE(contains(schema_hashes_sql(false), check_constraints_sql()));
  // Rows keep the order of their query within a schema: reordered values change the hash.
  CHECK(contains(with_checks, "ORDER BY n"));
  const auto read = schema_hashes_read(schemas({"app"}, {"audit"}), false);
  CHECK(read.sql == schema_hashes_sql(false));
  CHECK(read.params == std::vector<std::string>{"{\"app\"}", "{\"audit\"}"});
  CHECK(read.params == enum_types_read(schemas({"app"}, {"audit"})).params);
}

TEST_CASE("schema hash rows decode, and rows of another shape are errors") {
  const std::string h(64, 'a');
  const SchemaHashes read = decode_schema_hashes(
      {row("e", "app", h), row("u", "app", h), row("c", "we\"ird\nschema", h), row("-", {}, "t")},
      true);
  CHECK(read.hashes.size() == 3);
  CHECK(read.hashes.at({'c', "we\"ird\nschema"}) == h);
  CHECK(read.ddl_trigger_installed);
  CHECK(read.checks);
  CHECK_FALSE(decode_schema_hashes({row("-", {}, "f")}, false).ddl_trigger_installed);
  CHECK(decode_schema_hashes({row("-", {}, "f")}, false).hashes.empty());
  CHECK_THROWS_AS((void)decode_schema_hashes({}, true), Error);  // no trigger row
  CHECK_THROWS_AS((void)decode_schema_hashes({row("-", {}, "t"), row("-", {}, "t")}, true), Error);
  CHECK_THROWS_AS(
      (void)decode_schema_hashes({row("e", "app", h), row("e", "app", h), row("-", {}, "t")}, true),
      Error);
  CHECK_THROWS_AS((void)decode_schema_hashes({row("x", "app", h), row("-", {}, "t")}, true), Error);
  CHECK_THROWS_AS((void)decode_schema_hashes({row("e", {}, h), row("-", {}, "t")}, true), Error);
  CHECK_THROWS_AS((void)decode_schema_hashes({row("e", "app", {}), row("-", {}, "t")}, true),
                  Error);
  // CHECK hashes where none were asked for: the SQL is not the one sent.
  CHECK_THROWS_AS((void)decode_schema_hashes({row("c", "app", h), row("-", {}, "t")}, false),
                  Error);
  CHECK_THROWS_AS((void)decode_schema_hashes({{std::string("e"), std::string("app")}}, true),
                  Error);
}

TEST_CASE(
    "a target's fingerprint changes with every hash and revision in its scope, and nothing else") {
  const auto base =
      hashes({{'e', "sales", "1"}, {'u', "sales", "2"}, {'c', "sales", "3"}, {'e', "audit", "4"}});
  const Scope sales = schemas({"sales"});
  const RevisionSeen r1{true, "r1"};
  const std::string fingerprint = target_fingerprint(base, sales, true, r1).hash;
  CHECK(fingerprint.size() == 64);
  CHECK(target_fingerprint(base, sales, true, r1).hash == fingerprint);  // stable

  SUBCASE("a hash in scope") {
    for (char part : {'e', 'u', 'c'}) {
      auto moved = base;
      moved.hashes[{part, "sales"}] = "9";
      CHECK(target_fingerprint(moved, sales, true, r1).hash != fingerprint);
    }
  }
  SUBCASE("a schema coming into scope, or leaving it") {
    auto more = base;
    more.hashes[{'e', "sales2"}] = "1";
    CHECK(target_fingerprint(more, Scope{}, true, r1).hash !=
          target_fingerprint(base, Scope{}, true, r1).hash);
    auto fewer = base;
    fewer.hashes.erase({'u', "sales"});
    CHECK(target_fingerprint(fewer, sales, true, r1).hash != fingerprint);
  }
  SUBCASE("the revision: another, none in the table, no table") {
    CHECK(target_fingerprint(base, sales, true, RevisionSeen{true, "r2"}).hash != fingerprint);
    const auto empty_table = target_fingerprint(base, sales, true, RevisionSeen{true, {}}).hash;
    const auto no_table = target_fingerprint(base, sales, true, kNoTable).hash;
    CHECK(empty_table != fingerprint);
    CHECK(no_table != fingerprint);
    CHECK(empty_table != no_table);
    // A revision spelled like a marker is still a revision.
    CHECK(target_fingerprint(base, sales, true, RevisionSeen{true, "-"}).hash != no_table);
  }
  SUBCASE("schemas out of scope, and CHECK hashes a target without checks does not read") {
    auto elsewhere = base;
    elsewhere.hashes[{'e', "audit"}] = "5";
    elsewhere.hashes[{'e', "other"}] = "6";
    CHECK(target_fingerprint(elsewhere, sales, true, r1).hash == fingerprint);
    CHECK(target_fingerprint(elsewhere, schemas({}, {"audit", "other"}), true, r1).hash ==
          target_fingerprint(base, schemas({}, {"audit"}), true, r1).hash);
    auto check_moved = base;
    check_moved.hashes[{'c', "sales"}] = "9";
    CHECK(target_fingerprint(check_moved, sales, false, r1).hash ==
          target_fingerprint(base, sales, false, r1).hash);
    CHECK_THROWS_AS((void)target_fingerprint(hashes({}, false), sales, true, r1), Error);
  }
  SUBCASE("a schema's name cannot pass for another entry") {
    // One schema whose name holds what, written plainly ("part hash name" lines), would read as
    // the lines of two schemas "a" and "b" with the same hash.
    const auto forged = hashes({{'e', "sales", "1"}, {'u', "a\nu 2 b", "2"}});
    const auto plain = hashes({{'e', "sales", "1"}, {'u', "a", "2"}, {'u', "b", "2"}});
    CHECK(target_fingerprint(forged, Scope{}, false, kNoTable).hash !=
          target_fingerprint(plain, Scope{}, false, kNoTable).hash);
  }
  CHECK(target_fingerprint(base, sales, true, r1).ddl_trigger_installed == false);
  auto listened = base;
  listened.ddl_trigger_installed = true;
  CHECK(target_fingerprint(listened, sales, true, r1).ddl_trigger_installed);
}

TEST_CASE("one read of the schemas of all targets serves each target as its own read would") {
  const Scope a = schemas({"t1", "t2"});
  const Scope b = schemas({"t2", "t3"});
  CHECK(schemas_of_all({&a, &b}).schemas == std::vector<std::string>{"t1", "t2", "t3"});
  CHECK(schemas_of_all({&a, &b}).exclude_schemas.empty());
  // A target of every schema: all schemas, but those every such target excludes and no list
  // names.
  const Scope all_but_audit = schemas({}, {"audit", "t1", "tmp"});
  const Scope all_but_tmp = schemas({}, {"audit", "tmp", "t3"});
  const Scope joined = schemas_of_all({&a, &all_but_audit, &all_but_tmp});
  CHECK(joined.schemas.empty());
  CHECK(joined.exclude_schemas == std::vector<std::string>{"audit", "tmp"});
  CHECK(schemas_of_all({&a, &all_but_audit, &all_but_tmp, &b}).exclude_schemas ==
        std::vector<std::string>{"audit", "tmp"});
  // Each target's own scope stays inside the joined one: it finds every schema it watches.
  for (const Scope* scope : {&a, &b, &all_but_audit, &all_but_tmp}) {
    for (const std::string s : {"t1", "t2", "t3", "audit", "tmp", "app"}) {
      if (scope->includes_schema(s)) CHECK(joined.includes_schema(s));
    }
  }
  // And a fingerprint from the joined read is the one from the target's own.
  const auto all = hashes({{'e', "t1", "1"}, {'e', "t2", "2"}, {'e', "t3", "3"}, {'u', "t3", "4"}});
  const auto own_of_a = hashes({{'e', "t1", "1"}, {'e', "t2", "2"}});
  CHECK(target_fingerprint(all, a, true, kNoTable).hash ==
        target_fingerprint(own_of_a, a, true, kNoTable).hash);
}
