#include <doctest/doctest.h>

#include <algorithm>

#include "enumwatch/diff/diff.hpp"
#include "enumwatch/sql/remediation.hpp"

using namespace enumwatch;

namespace {

using Values = std::vector<std::string>;

struct Fixture {
  Snapshot snapshot;
  DatabaseState database;
  DiffOptions options;

  Fixture& expect(std::string name, Values values, std::string schema = "public") {
    snapshot.enums.push_back({{std::move(schema), std::move(name)}, std::move(values)});
    sort_enums(snapshot.enums);
    return *this;
  }
  Fixture& have(std::string name, Values values, std::string schema = "public") {
    database.catalog.enums.push_back({{std::move(schema), std::move(name)}, std::move(values)});
    sort_enums(database.catalog.enums);
    return *this;
  }
  std::vector<DriftItem> run() const {
    std::vector<NamedSnapshot> snaps{{"app", std::make_shared<Snapshot>(snapshot)}};
    return diff("prod", snaps, database, options);
  }
};

std::vector<DriftKind> kinds(const std::vector<DriftItem>& items) {
  std::vector<DriftKind> out;
  for (const auto& i : items) out.push_back(i.kind);
  return out;
}

}  // namespace

TEST_CASE("identical snapshot and database report no drift") {
  Fixture f;
  f.expect("order_status", {"pending_payment", "paid"})
      .have("order_status", {"pending_payment", "paid"});
  CHECK(f.run().empty());
}

TEST_CASE("a type the database lacks is a critical missing_type with CREATE TYPE") {
  Fixture f;
  f.expect("order_status", {"a", "b"});
  auto items = f.run();
  REQUIRE(items.size() == 1);
  CHECK(items[0].kind == DriftKind::missing_type);
  CHECK(items[0].severity() == Severity::critical);
  CHECK(items[0].expected == DriftSide{Values{"a", "b"}});
  CHECK(std::holds_alternative<std::monostate>(items[0].actual));
  CHECK(items[0].remediation_sql == R"(CREATE TYPE "public"."order_status" AS ENUM ('a', 'b');)");
  CHECK(items[0].used_by.empty());
  CHECK(items[0].target == "prod");
  CHECK(items[0].snapshot == "app");
}

TEST_CASE("a value the database lacks is a critical missing_value placed by BEFORE its successor") {
  Fixture f;
  f.expect("s", {"a", "b", "c"}).have("s", {"a", "c"});
  auto items = f.run();
  REQUIRE(items.size() == 1);
  CHECK(items[0].kind == DriftKind::missing_value);
  CHECK(items[0].severity() == Severity::critical);
  CHECK(items[0].expected == DriftSide{std::string("b")});
  CHECK(items[0].remediation_sql ==
        R"(ALTER TYPE "public"."s" ADD VALUE IF NOT EXISTS 'b' BEFORE 'c';)");
}

TEST_CASE(
    "consecutive and trailing missing values are placed so that applying them in order gives the "
    "snapshot's order") {
  Fixture f;
  f.expect("s", {"x", "a", "b", "c", "d", "y", "z"}).have("s", {"a", "d"});
  auto items = f.run();
  std::vector<std::string> sql;
  for (const auto& i : items) sql.push_back(*i.remediation_sql);
  CHECK(sql == std::vector<std::string>{
                   R"(ALTER TYPE "public"."s" ADD VALUE IF NOT EXISTS 'x' BEFORE 'a';)",
                   R"(ALTER TYPE "public"."s" ADD VALUE IF NOT EXISTS 'b' BEFORE 'd';)",
                   R"(ALTER TYPE "public"."s" ADD VALUE IF NOT EXISTS 'c' BEFORE 'd';)",
                   R"(ALTER TYPE "public"."s" ADD VALUE IF NOT EXISTS 'y' AFTER 'd';)",
                   R"(ALTER TYPE "public"."s" ADD VALUE IF NOT EXISTS 'z' AFTER 'y';)",
               });
}

TEST_CASE("the post-mortem's PascalCase value pairs with the snake_case one as a case_mismatch") {
  Fixture f;
  f.expect("order_status", {"PendingPayment", "paid"})
      .have("order_status", {"pending_payment", "paid"});
  auto items = f.run();
  REQUIRE(kinds(items) == std::vector<DriftKind>{DriftKind::case_mismatch});
  CHECK(items[0].severity() == Severity::critical);
  CHECK(items[0].expected == DriftSide{std::string("PendingPayment")});
  CHECK(items[0].actual == DriftSide{std::string("pending_payment")});
  CHECK(
      items[0].remediation_sql ==
      R"(ALTER TYPE "public"."order_status" RENAME VALUE 'pending_payment' TO 'PendingPayment';)");
  REQUIRE(items[0].code_fix);
  CHECK(items[0].code_fix->find("\"pending_payment\"") != std::string::npos);
}

TEST_CASE("case_mismatch ignores case, underscores, hyphens and spaces, pairing each value once") {
  Fixture f;
  f.expect("s", {"in-progress", "On Hold", "done"}).have("s", {"IN_PROGRESS", "on_hold", "other"});
  auto items = f.run();
  CHECK(kinds(items) == std::vector<DriftKind>{DriftKind::case_mismatch, DriftKind::case_mismatch,
                                               DriftKind::missing_value,
                                               DriftKind::unexpected_value});
}

TEST_CASE(
    "a database value the snapshot lacks is an unexpected_value warning fixed by recreating the "
    "type") {
  Fixture f;
  f.expect("s", {"a", "b"}).have("s", {"a", "b", "legacy"});
  f.database.catalog.used_by[{"public", "s"}] = {
      {"public", "orders", "status", ColumnUse::Via::direct, std::nullopt}};
  auto items = f.run();
  REQUIRE(items.size() == 1);
  CHECK(items[0].kind == DriftKind::unexpected_value);
  CHECK(items[0].severity() == Severity::warning);
  CHECK(items[0].actual == DriftSide{std::string("legacy")});
  CHECK(items[0].used_by == std::vector<std::string>{"public.orders.status"});
  REQUIRE(items[0].remediation_sql);
  CHECK(items[0].remediation_sql->find("CREATE TYPE \"public\".\"s\" AS ENUM ('a', 'b');") !=
        std::string::npos);
}

TEST_CASE("same values in another order are an info order_mismatch, unless check_order is off") {
  Fixture f;
  f.expect("s", {"a", "b", "c"}).have("s", {"b", "a", "c"});
  auto items = f.run();
  REQUIRE(kinds(items) == std::vector<DriftKind>{DriftKind::order_mismatch});
  CHECK(items[0].severity() == Severity::info);
  CHECK(items[0].expected == DriftSide{Values{"a", "b", "c"}});
  CHECK(items[0].actual == DriftSide{Values{"b", "a", "c"}});
  f.options.check_order = false;
  CHECK(f.run().empty());
}

TEST_CASE("order is compared only on the values both sides have") {
  Fixture f;
  f.expect("s", {"a", "new", "b"}).have("s", {"a", "b"});
  CHECK(kinds(f.run()) == std::vector<DriftKind>{DriftKind::missing_value});
}

TEST_CASE(
    "a database enum no snapshot names is an info unexpected_type, only when report_unexpected") {
  Fixture f;
  f.expect("s", {"a"}).have("s", {"a"}).have("mood", {"happy"}, "other");
  auto items = f.run();
  REQUIRE(kinds(items) == std::vector<DriftKind>{DriftKind::unexpected_type});
  CHECK(items[0].severity() == Severity::info);
  CHECK(items[0].schema == "other");
  CHECK(items[0].actual == DriftSide{Values{"happy"}});
  CHECK(items[0].remediation_sql == R"(DROP TYPE "other"."mood";)");
  f.options.report_unexpected = false;
  CHECK(f.run().empty());
}

TEST_CASE("values that are not snake_case are naming violations under the snake_case policy") {
  Fixture f;
  f.options.naming = NamingPolicy::snake_case;
  f.expect("s", {"ok_value", "BadOne"}).have("s", {"ok_value", "BadOne", "Legacy-Value"});
  auto items = f.run();
  REQUIRE(kinds(items) == std::vector<DriftKind>{DriftKind::unexpected_value,
                                                 DriftKind::naming_violation,
                                                 DriftKind::naming_violation});
  CHECK(items[1].severity() == Severity::warning);
  CHECK(items[1].actual == DriftSide{std::string("BadOne")});
  CHECK(items[1].code_fix->find("\"bad_one\"") != std::string::npos);
  f.options.naming = NamingPolicy::none;
  CHECK(f.run().size() == 1);
}

TEST_CASE("a snapshot revision that differs from the database's migration revision is a warning") {
  Fixture f;
  f.expect("s", {"a"}).have("s", {"a"});
  f.snapshot.revision = "abc";
  CHECK(f.run().empty());  // no migration_table: nothing to compare
  f.database.migration_revision = "def";
  auto items = f.run();
  REQUIRE(kinds(items) == std::vector<DriftKind>{DriftKind::revision_mismatch});
  CHECK(items[0].severity() == Severity::warning);
  CHECK(items[0].expected == DriftSide{std::string("abc")});
  CHECK(items[0].actual == DriftSide{std::string("def")});
  CHECK(items[0].enum_name.empty());
}

TEST_CASE("ignore globs and schema filters apply to both sides") {
  Fixture f;
  f.expect("audit_kind", {"a"}).have("audit_kind", {"b"}).have("x", {"a"}, "internal");
  f.options.scope.ignore = {"public.audit_*"};
  f.options.scope.exclude_schemas = {"internal"};
  CHECK(f.run().empty());
}

TEST_CASE("an unregistered snapshot reports nothing and suppresses unexpected_type") {
  DatabaseState db;
  db.catalog.enums.push_back({{"public", "s"}, {"a"}});
  std::vector<NamedSnapshot> snaps{{"api-managed", nullptr}};
  CHECK(diff("prod", snaps, db, DiffOptions{}).empty());
}

TEST_CASE("diff output is deterministic across snapshots and kinds") {
  Fixture f;
  f.expect("b", {"x", "y"}).expect("a", {"1"}).have("b", {"y", "x", "z"}).have("zz", {"q"});
  auto first = f.run();
  CHECK(first == f.run());
  CHECK(kinds(first) == std::vector<DriftKind>{DriftKind::missing_type, DriftKind::unexpected_value,
                                               DriftKind::order_mismatch,
                                               DriftKind::unexpected_type});
}

TEST_CASE("spelling helpers fold and convert the way the post-mortem needs") {
  CHECK(fold_spelling("PendingPayment") == fold_spelling("pending_payment"));
  CHECK(fold_spelling("pending-payment") == fold_spelling("Pending Payment"));
  CHECK(is_snake_case("pending_payment"));
  CHECK(is_snake_case("v2"));
  CHECK_FALSE(is_snake_case("PendingPayment"));
  CHECK_FALSE(is_snake_case("double__underscore"));
  CHECK_FALSE(is_snake_case("_leading"));
  CHECK(to_snake_case("PendingPayment") == "pending_payment");
  CHECK(to_snake_case("In-Progress now") == "in_progress_now");
}

namespace {

CheckColumn check_of(std::string table, std::string column, Values values,
                     std::string schema = "public") {
  CheckColumn c;
  c.schema = std::move(schema);
  c.table = std::move(table);
  c.column = std::move(column);
  std::sort(values.begin(), values.end());
  c.values = std::move(values);
  return c;
}

const DriftItem& only(const std::vector<DriftItem>& items, DriftKind kind) {
  auto it = std::find_if(items.begin(), items.end(), [&](const auto& i) { return i.kind == kind; });
  REQUIRE(it != items.end());
  return *it;
}

}  // namespace

TEST_CASE("a CHECK enum drifts by value like a native one, but never by order") {
  Fixture f;
  f.options.naming = NamingPolicy::none;
  f.snapshot.checks.push_back(check_of("orders", "channel", {"web", "store", "Phone"}));
  auto have = check_of("orders", "channel", {"store", "web", "phone", "fax"});
  have.constraints = {"orders_channel_check"};
  f.database.catalog.checks.push_back(have);
  const auto items = f.run();
  CHECK(kinds(items) ==
        std::vector<DriftKind>{DriftKind::case_mismatch, DriftKind::unexpected_value});
  const auto& item = only(items, DriftKind::unexpected_value);
  CHECK(item.enum_name == "orders.channel");
  CHECK(item.table == "orders");
  CHECK(item.column == "channel");
  CHECK(item.used_by == std::vector<std::string>{"public.orders.channel"});
  CHECK(std::get<std::string>(item.actual) == "fax");
  REQUIRE(item.remediation_sql);
  CHECK(item.remediation_sql->find("NOT VALID") != std::string::npos);
  CHECK(item.remediation_sql->find("VALIDATE CONSTRAINT \"orders_channel_check_enumwatch_new\"") !=
        std::string::npos);
  CHECK(item.remediation_sql->find("DROP CONSTRAINT \"orders_channel_check\"") !=
        std::string::npos);
  CHECK(item.remediation_sql->find("RENAME CONSTRAINT") != std::string::npos);

  // Same set in another order: no drift at all.
  Fixture same;
  same.snapshot.checks.push_back(check_of("orders", "channel", {"b", "a"}));
  same.database.catalog.checks.push_back(check_of("orders", "channel", {"a", "b"}));
  CHECK(same.run().empty());
}

TEST_CASE("a check the database lacks is missing_type; one no snapshot names is unexpected_type") {
  Fixture f;
  f.snapshot.checks.push_back(check_of("orders", "channel", {"web"}));
  f.database.catalog.checks.push_back(check_of("orders", "legacy", {"x"}));
  const auto items = f.run();
  CHECK(kinds(items) ==
        std::vector<DriftKind>{DriftKind::missing_type, DriftKind::unexpected_type});
  CHECK(items[0].remediation_sql->find("ADD CONSTRAINT \"orders_channel_check\"") !=
        std::string::npos);
  CHECK(items[1].enum_name == "orders.legacy");
  f.options.checks = false;  // checks = false: neither side's checks count
  CHECK(f.run().empty());
}

TEST_CASE("a column default the snapshot lacks is default_mismatch, fixed by case-folding") {
  Fixture f;
  f.expect("status", {"pending_payment", "paid"})
      .have("status", {"pending_payment", "paid", "PAID_LEGACY"});
  ColumnUse use{"public", "orders", "status", ColumnUse::Via::direct,
                "'PAID_LEGACY'::public.status"};
  f.database.catalog.used_by[{"public", "status"}].push_back(use);
  f.options.naming = NamingPolicy::none;
  auto items = f.run();
  const auto& item = only(items, DriftKind::default_mismatch);
  CHECK(item.severity() == Severity::critical);
  CHECK(std::get<std::string>(item.actual) == "PAID_LEGACY");
  CHECK(std::holds_alternative<std::monostate>(item.expected));
  CHECK(item.used_by == std::vector<std::string>{"public.orders.status"});
  CHECK(item.remediation_sql->rfind("-- ", 0) == 0);  // no match: a comment saying to choose

  use.default_expr = "'Paid'::public.status";
  f.database.catalog.used_by[{"public", "status"}] = {use};
  f.database.catalog.enums[0].values.push_back("Paid");
  items = f.run();
  const auto& matched = only(items, DriftKind::default_mismatch);
  CHECK(std::get<std::string>(matched.expected) == "paid");
  CHECK(matched.remediation_sql ==
        "ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"status\" SET DEFAULT 'paid';");

  Fixture checked;
  auto have = check_of("orders", "channel", {"web", "fax"});
  have.default_expr = "'fax'::character varying";
  checked.snapshot.checks.push_back(check_of("orders", "channel", {"web"}));
  checked.database.catalog.checks.push_back(have);
  CHECK(std::get<std::string>(only(checked.run(), DriftKind::default_mismatch).actual) == "fax");
}

namespace {

// A database with `values` in public.status, the snapshot with `want`, and one column using it.
struct DefaultFixture : Fixture {
  DefaultFixture(Values want, Values values) {
    expect("status", std::move(want)).have("status", std::move(values));
    options.naming = NamingPolicy::none;
  }
  DefaultFixture& column(std::string table, std::string name, ColumnUse::Via via,
                         std::optional<std::string> own,
                         std::optional<ColumnUse::DomainDefault> domain = std::nullopt) {
    database.catalog.used_by[{"public", "status"}].push_back(
        {"public", std::move(table), std::move(name), via, std::move(own),
         domain ? std::make_shared<const ColumnUse::DomainDefault>(*domain) : nullptr});
    return *this;
  }
  std::vector<DriftItem> defaults() const {
    std::vector<DriftItem> out;
    for (auto& item : run())
      if (item.kind == DriftKind::default_mismatch) out.push_back(std::move(item));
    return out;
  }
};

ColumnUse::DomainDefault domain_default(std::string name, std::string expr,
                                        std::string schema = "public") {
  return {{std::move(schema), std::move(name)}, std::move(expr)};
}

// Every line a comment: safe to pipe into psql, and no raw control character in it.
void expect_only_comments(const std::string& sql) {
  CAPTURE(sql);
  for (std::size_t start = 0; start < sql.size();) {
    CHECK(sql.compare(start, 3, "-- ") == 0);
    const auto nl = sql.find('\n', start);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  CHECK(std::count(sql.begin(), sql.end(), '\n') == 1);
  CHECK(std::none_of(sql.begin(), sql.end(),
                     [](char c) { return c != '\n' && static_cast<unsigned char>(c) < 0x20; }));
}

}  // namespace

TEST_CASE("an array column's literal default is read element by element") {
  // A lacking element with a case-folded match: SET DEFAULT the same array with the match.
  DefaultFixture f({"new", "paid"}, {"new", "paid", "Paid"});
  f.column("orders", "tags", ColumnUse::Via::array, "'{new,Paid,NULL}'::public.status[]");
  auto items = f.defaults();
  REQUIRE(items.size() == 1);
  CHECK(items[0].severity() == Severity::critical);
  CHECK(items[0].used_by == Values{"public.orders.tags"});
  CHECK(std::get<std::string>(items[0].actual) == "Paid");  // a string, as for any value kind
  CHECK(std::get<std::string>(items[0].expected) == "paid");
  CHECK(items[0].message ==
        "column public.orders.tags defaults to {new,Paid,NULL}, whose element \"Paid\" the "
        "snapshot lacks: inserts that rely on the default write a value the code cannot read");
  CHECK(items[0].remediation_sql ==
        "ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"tags\" SET DEFAULT '{new,paid,NULL}';");

  // ARRAY[...]: several lacking, one item each (each element once), one with no match: every
  // item's fix is the same comment, no statement.
  DefaultFixture g({"new", "paid"}, {"new", "paid", "Paid", "gone"});
  g.column("orders", "tags", ColumnUse::Via::array,
           "ARRAY['Paid'::public.status, 'gone'::public.status, 'Paid'::public.status]");
  items = g.defaults();
  REQUIRE(items.size() == 2);
  CHECK(std::get<std::string>(items[0].actual) == "Paid");
  CHECK(std::get<std::string>(items[0].expected) == "paid");
  CHECK(std::get<std::string>(items[1].actual) == "gone");
  CHECK(std::holds_alternative<std::monostate>(items[1].expected));
  CHECK(items[1].message.find("defaults to {Paid,gone,Paid}, whose element \"gone\" "
                              "the snapshot lacks") != std::string::npos);
  expect_only_comments(*items[0].remediation_sql);
  CHECK(items[0].remediation_sql == items[1].remediation_sql);
  CHECK(*items[0].remediation_sql ==
        "-- public.orders.tags defaults to '{Paid,gone,Paid}', whose elements \"Paid\", \"gone\" "
        "the snapshot lacks: choose which of the snapshot's values it should hold, then run\n"
        "-- ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"tags\" SET DEFAULT '{<values>}';");
  CHECK(items[1].code_fix->find("add \"gone\" to the code's enum") != std::string::npos);

  // Nested arrays keep their shape, lower bounds theirs.
  DefaultFixture h({"new", "paid"}, {"new", "paid", "NEW"});
  h.column("t", "grid", ColumnUse::Via::array, "'{{NEW,paid},{paid,NEW}}'::public.status[]")
      .column("t", "shifted", ColumnUse::Via::array, "'[0:1]={NEW,paid}'::public.status[]");
  items = h.defaults();
  REQUIRE(items.size() == 2);
  CHECK(
      items[0].remediation_sql ==
      "ALTER TABLE \"public\".\"t\" ALTER COLUMN \"grid\" SET DEFAULT '{{new,paid},{paid,new}}';");
  CHECK(items[1].remediation_sql ==
        "ALTER TABLE \"public\".\"t\" ALTER COLUMN \"shifted\" SET DEFAULT '[0:1]={new,paid}';");
}

TEST_CASE("array defaults the snapshot can read, or that are not literal arrays, are no drift") {
  DefaultFixture f({"new", "paid"}, {"new", "paid", "gone"});
  f.column("t", "a", ColumnUse::Via::array, "'{paid,new}'::public.status[]")
      .column("t", "b", ColumnUse::Via::array, "ARRAY['paid'::public.status, NULL::public.status]")
      .column("t", "c", ColumnUse::Via::array, "'{}'::public.status[]")
      .column("t", "d", ColumnUse::Via::array, "ARRAY[]::public.status[]")
      .column("t", "e", ColumnUse::Via::array,
              "array_append('{}'::public.status[], 'gone'::public.status)")
      .column("t", "f", ColumnUse::Via::array, "NULL::public.status[]")
      .column("t", "g", ColumnUse::Via::array, "'{gone}'::public.status[] || '{}'::public.status[]")
      .column("t", "h", ColumnUse::Via::array, std::nullopt)
      .column("t", "i", ColumnUse::Via::direct, "'{gone}'::public.status");  // the value "{gone}"
  const auto items = f.defaults();
  REQUIRE(items.size() == 1);
  CHECK(items[0].used_by == Values{"public.t.i"});
  CHECK(std::get<std::string>(items[0].actual) == "{gone}");
}

TEST_CASE("a domain-typed column without a default of its own takes the domain's") {
  DefaultFixture f({"new", "paid"}, {"new", "paid", "PAID", "gone"});
  f.column("orders", "a", ColumnUse::Via::domain, std::nullopt,
           domain_default("status_domain", "'PAID'::public.status"))
      .column("orders", "b", ColumnUse::Via::domain, std::nullopt,
              domain_default("status_domain", "'PAID'::public.status"))
      .column("orders", "c", ColumnUse::Via::domain, std::nullopt,
              domain_default("legacy_domain", "'gone'::public.status"));
  const auto items = f.defaults();
  REQUIRE(items.size() == 3);
  CHECK(items[0].used_by == Values{"public.orders.a"});
  CHECK(std::get<std::string>(items[0].actual) == "PAID");
  CHECK(std::get<std::string>(items[0].expected) == "paid");
  CHECK(items[0].message ==
        "column public.orders.a takes the default of domain public.status_domain, \"PAID\", "
        "which the snapshot lacks: inserts that rely on the default write a value the code cannot "
        "read");
  CHECK(items[0].remediation_sql ==
        "ALTER DOMAIN \"public\".\"status_domain\" SET DEFAULT 'paid';");
  CHECK(items[1].used_by == Values{"public.orders.b"});
  CHECK(items[1].remediation_sql == items[0].remediation_sql);
  // No match: a comment naming the domain and the statement to run.
  CHECK(std::holds_alternative<std::monostate>(items[2].expected));
  CHECK(*items[2].remediation_sql ==
        "-- domain public.legacy_domain defaults to 'gone': choose which of the snapshot's values "
        "it should be, then run\n"
        "-- ALTER DOMAIN \"public\".\"legacy_domain\" SET DEFAULT '<value>';");
  CHECK(items[2].code_fix == "add \"gone\" to the code's enum, or change the domain's default");

  // The script sets each domain's default once, however many columns take it.
  const auto script = remediation_script(f.run());
  CAPTURE(script);
  std::size_t count = 0;
  for (auto at = script.find("ALTER DOMAIN \"public\".\"status_domain\""); at != std::string::npos;
       at = script.find("ALTER DOMAIN \"public\".\"status_domain\"", at + 1))
    ++count;
  CHECK(count == 1);
}

TEST_CASE("a domain-typed column's own default wins over the domain's") {
  DefaultFixture f({"new", "paid"}, {"new", "paid", "gone", "NEW"});
  // What PostgreSQL prints for DEFAULT 'NEW'::status_domain, DEFAULT 'NEW' and DEFAULT NULL on a
  // column of status_domain (whose own default is 'gone').
  const auto gone = domain_default("status_domain", "'gone'::public.status");
  f.column("t", "a", ColumnUse::Via::domain, "('NEW'::public.status)::public.status_domain", gone)
      .column("t", "b", ColumnUse::Via::domain, "'NEW'::public.status", gone)
      .column("t", "c", ColumnUse::Via::domain, "NULL::public.status", gone)
      .column("t", "d", ColumnUse::Via::domain, "'new'::public.status", gone);
  const auto items = f.defaults();
  REQUIRE(items.size() == 2);
  for (const auto& item : items) {
    CHECK(std::get<std::string>(item.actual) == "NEW");
    CHECK(item.message.find("defaults to \"NEW\"") != std::string::npos);
    CHECK(item.message.find("domain") == std::string::npos);
  }
  CHECK(items[0].remediation_sql ==
        "ALTER TABLE \"public\".\"t\" ALTER COLUMN \"a\" SET DEFAULT 'new';");
  CHECK(items[1].used_by == Values{"public.t.b"});
}

TEST_CASE("a domain over an array of the type has its default read as an array") {
  DefaultFixture f({"new", "paid"}, {"new", "paid", "NEW"});
  f.column("t", "a", ColumnUse::Via::domain, std::nullopt,
           domain_default("status_list", "'{paid,NEW}'::public.status[]"))
      .column("t", "b", ColumnUse::Via::domain, std::nullopt,
              domain_default("status_list2", "ARRAY['NEW'::public.status]"))
      // Its own default, cast on to the domain; and an array of a domain over the type.
      .column("t", "c", ColumnUse::Via::domain, "('{NEW}'::public.status[])::public.status_list")
      .column("t", "d", ColumnUse::Via::domain,
              "ARRAY[('NEW'::public.status)::public.status_domain]");
  const auto items = f.defaults();
  REQUIRE(items.size() == 4);
  CHECK(std::get<std::string>(items[0].actual) == "NEW");
  CHECK(std::get<std::string>(items[0].expected) == "new");
  CHECK(items[0].message.find("takes the default of domain public.status_list, {paid,NEW}, whose "
                              "element \"NEW\" the snapshot lacks") != std::string::npos);
  CHECK(items[0].remediation_sql ==
        "ALTER DOMAIN \"public\".\"status_list\" SET DEFAULT '{paid,new}';");
  CHECK(items[1].remediation_sql ==
        "ALTER DOMAIN \"public\".\"status_list2\" SET DEFAULT '{new}';");
  CHECK(items[2].remediation_sql ==
        "ALTER TABLE \"public\".\"t\" ALTER COLUMN \"c\" SET DEFAULT '{new}';");
  CHECK(items[3].remediation_sql ==
        "ALTER TABLE \"public\".\"t\" ALTER COLUMN \"d\" SET DEFAULT '{new}';");
}

TEST_CASE("hostile names and values in defaults are quoted exactly") {
  // Values with quotes, commas, braces, backslashes, a newline and non-ASCII, each differing
  // from the snapshot's only in case.
  const Values want{"it's, \"A\"", "{b}\\c", "l\nN", "Ünï €"};
  const Values have{"IT'S, \"a\"", "{B}\\C", "L\nn", "üNÏ €"};
  Values values = want;
  values.insert(values.end(), have.begin(), have.end());
  DefaultFixture f(want, values);
  // As PostgreSQL 15 prints such an array default.
  f.column("My \"Table\"", "a,b", ColumnUse::Via::array,
           "'{\"IT''S, \\\"a\\\"\",\"{B}\\\\C\",\"L\nn\",\"üNÏ €\"}'::public.status[]")
      .column("t", "x", ColumnUse::Via::domain, std::nullopt,
              domain_default("D, \"1\"", "'L\nn'::public.status", "My Schema"));
  const auto items = f.defaults();
  REQUIRE(items.size() == 5);  // one per lacking element of the array, one for the domain
  for (std::size_t i = 0; i < have.size(); ++i) {
    CHECK(std::get<std::string>(items[i].actual) == have[i]);
    CHECK(std::get<std::string>(items[i].expected) == want[i]);
  }
  CHECK(items[0].remediation_sql ==
        "ALTER TABLE \"public\".\"My \"\"Table\"\"\" ALTER COLUMN \"a,b\" SET DEFAULT "
        "E'{\"it''s, \\\\\"A\\\\\"\",\"{b}\\\\\\\\c\",\"l\\nN\",\"Ünï €\"}';");
  CHECK(items[4].used_by == Values{"public.t.x"});
  CHECK(std::get<std::string>(items[4].actual) == "L\nn");
  CHECK(items[4].remediation_sql ==
        "ALTER DOMAIN \"My Schema\".\"D, \"\"1\"\"\" SET DEFAULT E'l\\nN';");

  // No match: the comment stays comments, one line each.
  DefaultFixture g({"new"}, {"new", "x\ny", "'; DROP TABLE t; --"});
  g.column("t", "a", ColumnUse::Via::array,
           "'{\"x\ny\",\"''; DROP TABLE t; --\"}'::public.status[]")
      .column("t", "b", ColumnUse::Via::domain, std::nullopt,
              domain_default("d\nx", "'x\ny'::public.status"));
  for (const auto& item : g.defaults()) expect_only_comments(*item.remediation_sql);
}

TEST_CASE("two snapshots that name one type differently are one snapshot_conflict each") {
  auto a = std::make_shared<Snapshot>();
  a->revision = "r1";
  a->enums.push_back({{"public", "status"}, {"new", "paid"}});
  a->enums.push_back({{"public", "same"}, {"x"}});
  a->checks.push_back(check_of("orders", "channel", {"web", "store"}));
  auto b = std::make_shared<Snapshot>();
  b->revision = "r2";
  b->enums.push_back({{"public", "status"}, {"new", "paid", "refunded"}});
  b->enums.push_back({{"public", "same"}, {"x"}});
  b->checks.push_back(check_of("orders", "channel", {"web"}));
  const std::vector<NamedSnapshot> both{{"billing", a}, {"shop", b}};
  const auto items = snapshot_conflicts("prod", both, DiffOptions{});
  REQUIRE(items.size() == 2);
  CHECK(items[0].kind == DriftKind::snapshot_conflict);
  CHECK(items[0].enum_name == "status");
  CHECK(items[0].message.find("\"billing\" (revision \"r1\") and \"shop\" (revision \"r2\")") !=
        std::string::npos);
  CHECK(items[0].message.find("\"shop\" has \"refunded\" that \"billing\" lacks") !=
        std::string::npos);
  CHECK(items[1].enum_name == "orders.channel");
  CHECK(items[1].message.find("\"billing\" has \"store\" that \"shop\" lacks") !=
        std::string::npos);

  // Order alone is a conflict for enums (with check_order), never for checks.
  b->enums[0] = {{"public", "status"}, {"paid", "new"}};
  b->checks[0] = check_of("orders", "channel", {"store", "web"});
  const auto reordered = snapshot_conflicts("prod", both, DiffOptions{});
  REQUIRE(reordered.size() == 1);
  CHECK(reordered[0].message.find("different order") != std::string::npos);

  // diff() reports them whatever the database holds.
  DatabaseState empty;
  CHECK(kinds(diff("prod", both, empty, DiffOptions{}))[0] == DriftKind::snapshot_conflict);
}
