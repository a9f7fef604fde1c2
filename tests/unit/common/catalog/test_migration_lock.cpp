#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>
#include <string>

#include "enumwatch/catalog/migration_lock.hpp"
#include "enumwatch/core/error.hpp"
#include "enumwatch/sql/sql_lexer.hpp"

using namespace enumwatch;

// The golden keys below were computed with the tools' own languages and libraries, not with this
// code (docs/migration-locks.md cites each tool's source):
//
// golang-migrate, Go 1.x standard library, as database/util.go GenerateAdvisoryLockId does:
//   s := strings.Join(append([]string{"public", "schema_migrations"}, "app"), "\x00")
//   fmt.Sprint(crc32.ChecksumIEEE([]byte(s)) * uint32(uint(1486364155)))   // "1787120056"
//   (and "postgres" -> 143310882, "enumwatch" -> 876341770, "ünï" -> 638885224; schema "app" ->
//   2885575838; before v4.15.0, {"public"} + "app" -> 2802248011, + "postgres" -> 2898930719)
// Atlas, Go: h := fnv.New32(); h.Write([]byte("atlas_migrate_execute")); h.Sum32() // 2686470616
// Flyway, Java (javac/java), as PostgreSQLAdvisoryLockTemplate and PostgreSQLConnection.lock do:
//   long magic = (0x46L << 40) + (0x6CL << 32) + (0x79L << 24) + (0x77 << 16) + (0x61 << 8) + 0x79;
//   String t = "\"public\".\"flyway_schema_history\"";
//   t.hashCode()          // 2125624436
//   magic + t.hashCode()  // 77433833903597
//   (for "app": -271308480, 77431436970681; "schéma": 550128952; "😀": -775682630;
//    "we""ird": 782833108, 77432491112269)
// Sqitch: the constant in App::Sqitch::Engine::pg, `SELECT pg_advisory_lock(75474063)`.
// pg_locks (PostgreSQL 15, checked with psql): pg_advisory_lock(77433833903597) shows classid
// 18028, objid 4163491309, objsubid 1; pg_advisory_lock(-5), classid 4294967295, objid 4294967291.

TEST_CASE("the hashes the tools use match their reference values") {
  CHECK(crc32_ieee("123456789") == 0xCBF43926u);  // the CRC-32 check value
  CHECK(crc32_ieee("") == 0u);
  CHECK(fnv1_32("") == 2166136261u);
  CHECK(fnv1_32("a") == 0x050C5D7Eu);  // FNV-1, not FNV-1a (0xE40C292C)
  CHECK(java_string_hash("") == 0);
  CHECK(java_string_hash("a") == 97);
  CHECK(java_string_hash("\"public\".\"flyway_schema_history\"") == 2125624436);
  CHECK(java_string_hash("\"app\".\"flyway_schema_history\"") == -271308480);
  // Non-ASCII: over UTF-16 code units, a surrogate pair for a character past U+FFFF.
  CHECK(java_string_hash("\"sch\xC3\xA9ma\".\"flyway_schema_history\"") == 550128952);
  CHECK(java_string_hash("\"\xF0\x9F\x98\x80\".\"flyway_schema_history\"") == -775682630);
}

TEST_CASE("Flyway's key is its magic number plus its history table's Java hash") {
  CHECK(flyway_lock_key("public") == 77433833903597);
  CHECK(flyway_lock_key("public", "flyway_schema_history") == 77433833903597);
  CHECK(flyway_lock_key("app") == 77431436970681);
  CHECK(flyway_lock_key("we\"ird") == 77432491112269);  // the quote doubled, as Flyway quotes
  const AdvisoryLockKey key{"flyway", flyway_lock_key("public")};
  CHECK(key.classid() == 18028u);
  CHECK(key.objid() == 4163491309u);
  const AdvisoryLockKey app{"flyway", flyway_lock_key("app")};
  CHECK(app.classid() == 18028u);
  CHECK(app.objid() == 1766558393u);
}

TEST_CASE("golang-migrate's key is the CRC of schema, table and database times its salt") {
  CHECK(golang_migrate_lock_key("app") == 1787120056);
  CHECK(golang_migrate_lock_key("app", "public", "schema_migrations") == 1787120056);
  CHECK(golang_migrate_lock_key("postgres") == 143310882);
  CHECK(golang_migrate_lock_key("enumwatch") == 876341770);
  CHECK(golang_migrate_lock_key("\xC3\xBCn\xC3\xAF") == 638885224);
  CHECK(golang_migrate_lock_key("app", "app") == 2885575838);
  CHECK(golang_migrate_legacy_lock_key("app") == 2802248011);
  CHECK(golang_migrate_legacy_lock_key("postgres") == 2898930719);
  // Below 2^32: pg_locks shows it with classid 0.
  const AdvisoryLockKey key{"golang-migrate", golang_migrate_lock_key("app")};
  CHECK(key.classid() == 0u);
  CHECK(key.objid() == 1787120056u);
}

TEST_CASE("Atlas's and Sqitch's keys are constants") {
  CHECK(atlas_lock_key() == 2686470616);
  CHECK(kSqitchLockKey == 75474063);
  const AdvisoryLockKey negative{"x", -5};
  CHECK(negative.classid() == 4294967295u);
  CHECK(negative.objid() == 4294967291u);
}

TEST_CASE("the keys cover public and every target schema, each once") {
  const auto keys = migration_lock_keys({"app", {"app", "public", "app"}});
  auto has = [&](std::string_view tool, std::int64_t key) {
    return std::count_if(keys.begin(), keys.end(), [&](const AdvisoryLockKey& k) {
             return k.tool == tool && k.key == key;
           }) == 1;
  };
  CHECK(has("flyway", 77433833903597));
  CHECK(has("flyway", 77431436970681));
  CHECK(has("golang-migrate", 1787120056));
  CHECK(has("golang-migrate", 2885575838));
  CHECK(has("golang-migrate", 2802248011));
  CHECK(has("atlas", 2686470616));
  CHECK(has("sqitch", 75474063));
  // public and app: 2 Flyway keys, 4 golang-migrate keys, Atlas, Sqitch.
  CHECK(keys.size() == 8);
  CHECK(migration_lock_keys({"app", {}}).size() == 5);
}

namespace {

// What in bare SQL (no literals, no quoted names, no comments) would be resolved through the
// search_path: a function call not written schema.name(, an operator outside OPERATOR(schema.op),
// a cast to a type not written schema.type; joined by "; " (empty: none).
std::string unqualified(std::string_view sql) {
  std::string bare;
  for (const auto& token : lex_sql(sql)) {
    if (token.kind == SqlToken::Kind::bare) {
      bare += token.text;
    } else if (token.kind == SqlToken::Kind::identifier) {
      bare += "\"q\"";
    } else {
      bare += " 'x' ";
    }
  }
  std::vector<std::string> found;
  // OPERATOR(pg_catalog.X) is qualified: take it out before looking for operators.
  const std::regex qualified_operator(R"(OPERATOR\(pg_catalog\.[^)\s]+\))");
  const std::string without_ops = std::regex_replace(bare, qualified_operator, " qualified_op ");
  const std::regex call(R"(([A-Za-z_][A-Za-z_0-9]*)(\s*\.\s*[A-Za-z_][A-Za-z_0-9]*)?\s*\()");
  static const std::set<std::string> keywords = {
      "as",   "in",     "any",   "exists", "values", "and",  "or",       "not",         "on",
      "from", "select", "where", "when",   "then",   "keys", "operator", "qualified_op"};
  for (auto it = std::sregex_iterator(without_ops.begin(), without_ops.end(), call);
       it != std::sregex_iterator(); ++it) {
    std::string name = (*it)[1];
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if ((*it)[2].matched) {
      if (name != "pg_catalog") found.push_back("call in " + name);
    } else if (!keywords.contains(name)) {
      found.push_back("call " + name);
    }
  }
  const std::regex op(R"([-+*/<>=~!@#%^&|`?]+)");
  for (auto it = std::sregex_iterator(without_ops.begin(), without_ops.end(), op);
       it != std::sregex_iterator(); ++it) {
    found.push_back("operator " + it->str());
  }
  const std::regex cast(R"(::\s*([A-Za-z_"][A-Za-z_0-9"]*)(\s*\.)?)");
  for (auto it = std::sregex_iterator(bare.begin(), bare.end(), cast); it != std::sregex_iterator();
       ++it) {
    if ((*it)[1] != "pg_catalog" || !(*it)[2].matched) found.push_back("cast " + it->str());
  }
  std::string out;
  for (const auto& what : found) out += (out.empty() ? "" : "; ") + what;
  return out;
}

}  // namespace

TEST_CASE("the query names every function, operator and type with pg_catalog") {
  const std::string& sql = migration_locks_sql();
  CAPTURE(sql);
  CHECK(unqualified(sql) == "");
  // The statement Liquibase's table is read by, inside the query as a literal: the same.
  std::string read(liquibase_read_template());
  for (auto at = read.find("%I"); at != std::string::npos; at = read.find("%I")) {
    read.replace(at, 2, "\"name\"");  // format's placeholders: a quoted name each
  }
  CHECK(unqualified(read) == "");
  CHECK(sql.find(liquibase_read_template()) == std::string::npos);  // it is there quoted
  CHECK(sql.find("pg_catalog.format(''%%s'', locked)") != std::string::npos);
  // The checker itself finds what it must.
  CHECK(unqualified("SELECT format('%s', x) FROM t WHERE a = b") == "call format; operator =");
  CHECK(unqualified("SELECT x::text, y::pg_catalog.oid, public.f(1)") ==
        "call in public; cast ::text");
}

TEST_CASE("the query looks for each key of $2-$4 in pg_locks and for Liquibase's table in $1") {
  const MigrationLockTarget target{"app", {"app"}};
  const std::string& sql = migration_locks_sql();
  CHECK(sql.find("pg_catalog.pg_locks") != std::string::npos);
  CHECK(sql.find("'advisory'") != std::string::npos);
  CHECK(sql.find("l.granted") != std::string::npos);
  CHECK(sql.find("l.mode OPERATOR(pg_catalog.=) 'ExclusiveLock'") != std::string::npos);
  CHECK(sql.find("l.objsubid OPERATOR(pg_catalog.=) 1::pg_catalog.int2") != std::string::npos);
  CHECK(sql.find("pg_catalog.current_database()") != std::string::npos);
  CHECK(sql.find("pg_catalog.unnest($2::pg_catalog.text[]), pg_catalog.unnest($3::pg_catalog.oid[]"
                 "),\n    pg_catalog.unnest($4::pg_catalog.oid[])") != std::string::npos);
  CHECK(sql.find("'databasechangeloglock'::pg_catalog.name") != std::string::npos);
  CHECK(sql.find("$1::pg_catalog.text[]") != std::string::npos);
  CHECK(sql.find("$5") == std::string::npos);
  // The keys, as the parameters: Flyway's and golang-migrate's (both forms) for public and app,
  // in the order of migration_lock_keys, each tool beside its key's halves.
  const auto params = migration_locks_params(target);
  REQUIRE(params.size() == 4);
  CHECK(params[0] == "{\"app\"}");
  CHECK(params[1] ==
        "{flyway,flyway,golang-migrate,golang-migrate,golang-migrate,golang-migrate,atlas,sqitch}");
  const auto keys = migration_lock_keys(target);
  std::string classids = "{", objids = "{";
  for (const auto& key : keys) {
    classids += (classids.size() > 1 ? "," : "") + std::to_string(key.classid());
    objids += (objids.size() > 1 ? "," : "") + std::to_string(key.objid());
  }
  CHECK(params[2] == classids + "}");
  CHECK(params[3] == objids + "}");
  CHECK(params[2].starts_with("{18028,"));  // Flyway's key for public: 0x466C79776179 + its hash
  CHECK(params[3].find(",1787120056,") != std::string::npos);  // golang-migrate, public, app
  CHECK(params[3].ends_with(",2686470616,75474063}"));         // Atlas's, Sqitch's
  // Never a cast or an operator over the application's column: its type's output function only.
  CHECK(sql.find("locked =") == std::string::npos);
  CHECK(sql.find("locked::") == std::string::npos);
  CHECK(sql.find("to_regclass") == std::string::npos);
  CHECK(sql.find("FROM ONLY %I.%I") != std::string::npos);
  CHECK(sql.find("c.relrowsecurity") != std::string::npos);
  CHECK(sql.find("has_column_privilege") != std::string::npos);
  CHECK(sql.find("has_schema_privilege") != std::string::npos);

  const auto read = migration_locks_read(target);
  CHECK(read.sql == sql);
  CHECK(read.params == params);
  CHECK(migration_locks_read({"app", {}}).params.at(0) == "{}");
}

namespace {
Row row(std::initializer_list<std::optional<std::string>> fields) {
  return Row(fields);
}
}  // namespace

TEST_CASE("rows decode into the tools holding a lock and the tables the role cannot read") {
  CHECK(decode_migration_locks({}) == MigrationLocks{});
  const Rows rows{
      row({"sqitch", "held", std::nullopt, std::nullopt}),
      row({"golang-migrate", "held", std::nullopt, std::nullopt}),
      row({"golang-migrate", "held", std::nullopt, std::nullopt}),  // two of its keys
      row({"liquibase", "unreadable", "z", "databasechangeloglock"}),
      row({"liquibase", "held", "public", "databasechangeloglock"}),
      row({"liquibase", "unreadable", "A b", "databasechangeloglock"}),
      row({"liquibase", "free", "x", "databasechangeloglock"}),
      row({"flyway", "held", std::nullopt, std::nullopt}),
  };
  const MigrationLocks locks = decode_migration_locks(rows);
  CHECK(locks.held_by ==
        std::vector<std::string>{"flyway", "liquibase", "golang-migrate", "sqitch"});
  CHECK(locks.unreadable == std::vector<std::string>{"\"A b\".\"databasechangeloglock\"",
                                                     "\"z\".\"databasechangeloglock\""});
  CHECK(migration_locks_read({"app", {}}).decode(rows) == locks);
}

TEST_CASE("rows of the wrong shape are an error, not a crash") {
  CHECK_THROWS_AS((void)decode_migration_locks({row({"flyway"})}), Error);
  CHECK_THROWS_AS((void)decode_migration_locks({row({std::nullopt, "held"})}), Error);
  CHECK_THROWS_AS((void)decode_migration_locks({row({"alembic", "held"})}), Error);
  CHECK_THROWS_AS((void)decode_migration_locks({row({"flyway", "maybe"})}), Error);
  CHECK_THROWS_AS((void)decode_migration_locks({row({"liquibase", "unreadable", std::nullopt})}),
                  Error);
}
