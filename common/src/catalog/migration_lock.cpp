#include "enumwatch/catalog/migration_lock.hpp"

#include <algorithm>

#include "enumwatch/catalog/catalog_query.hpp"
#include "enumwatch/core/error.hpp"
#include "enumwatch/core/utf8.hpp"
#include "enumwatch/sql/sql_quote.hpp"

namespace enumwatch {
namespace {

// Flyway's PostgreSQLAdvisoryLockTemplate.LOCK_MAGIC_NUM: "Flyway" in ASCII, one byte each.
constexpr std::int64_t kFlywayMagic = (std::int64_t{0x46} << 40) + (std::int64_t{0x6C} << 32) +
                                      (std::int64_t{0x79} << 24) + (0x77 << 16) + (0x61 << 8) +
                                      0x79;
// golang-migrate's database/util.go advisoryLockIDSalt.
constexpr std::uint32_t kGolangMigrateSalt = 1486364155;
// Atlas's cmd/atlas/internal/cmdapi/migrate.go applyLockValue.
constexpr std::string_view kAtlasLockName = "atlas_migrate_execute";
// Liquibase's DATABASECHANGELOGLOCK, which it folds to lower case on PostgreSQL.
constexpr std::string_view kLiquibaseLockTable = "databasechangeloglock";

std::string flyway_table_text(std::string_view schema, std::string_view table) {
  // Flyway's PostgreSQLDatabase.doQuote: the name in double quotes, a quote inside doubled.
  auto quoted = [](std::string_view name) {
    std::string out = "\"";
    for (char c : name) {
      out += c;
      if (c == '"') out += '"';
    }
    return out + '"';
  };
  return quoted(schema) + '.' + quoted(table);
}

std::int64_t golang_migrate_key(std::vector<std::string_view> names) {
  // GenerateAdvisoryLockId: the additional names, then the database, joined by NUL; the CRC times
  // the salt in uint32 arithmetic, printed in decimal (so never negative).
  std::string joined;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) joined += '\0';
    joined += names[i];
  }
  return static_cast<std::int64_t>(
      static_cast<std::uint32_t>(crc32_ieee(joined) * kGolangMigrateSalt));
}

const std::string& lock_field(const Row& row, std::size_t i) {
  if (i >= row.size() || !row[i]) {
    throw Error("unexpected row shape from the migration locks query (column " +
                std::to_string(i + 1) + " missing or NULL)");
  }
  return *row[i];
}

}  // namespace

std::uint32_t crc32_ieee(std::string_view bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::uint32_t fnv1_32(std::string_view bytes) {
  std::uint32_t hash = 2166136261u;
  for (unsigned char byte : bytes) {
    hash *= 16777619u;
    hash ^= byte;
  }
  return hash;
}

std::int32_t java_string_hash(std::string_view utf8) {
  std::uint32_t hash = 0;
  auto add = [&hash](std::uint32_t unit) { hash = hash * 31u + unit; };
  for (std::size_t i = 0; i < utf8.size();) {
    const auto [cp, length] = next_code_point(utf8, i);
    i += length;
    if (cp > 0xFFFF) {  // a surrogate pair in Java's UTF-16
      const std::uint32_t v = static_cast<std::uint32_t>(cp) - 0x10000u;
      add(0xD800u + (v >> 10));
      add(0xDC00u + (v & 0x3FFu));
    } else {
      add(static_cast<std::uint32_t>(cp));
    }
  }
  return static_cast<std::int32_t>(hash);
}

std::int64_t flyway_lock_key(std::string_view schema, std::string_view table) {
  // PostgreSQLConnection.lock: new PostgreSQLAdvisoryLockTemplate(...,
  // table.toString().hashCode()); the template's lockNum is LOCK_MAGIC_NUM + discriminator, an int
  // widened to long (signed).
  return kFlywayMagic + java_string_hash(flyway_table_text(schema, table));
}

std::int64_t golang_migrate_lock_key(std::string_view database, std::string_view schema,
                                     std::string_view table) {
  return golang_migrate_key({schema, table, database});
}

std::int64_t golang_migrate_legacy_lock_key(std::string_view database, std::string_view schema) {
  return golang_migrate_key({schema, database});
}

std::string_view liquibase_read_template() {
  return "SELECT 1 AS held FROM ONLY %I.%I WHERE pg_catalog.format('%%s', locked) "
         "OPERATOR(pg_catalog.=) 't'::pg_catalog.text LIMIT 1";
}

std::int64_t atlas_lock_key() {
  return fnv1_32(kAtlasLockName);
}

std::uint32_t AdvisoryLockKey::classid() const {
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(key) >> 32);
}

std::uint32_t AdvisoryLockKey::objid() const {
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(key) & 0xFFFFFFFFu);
}

std::vector<AdvisoryLockKey> migration_lock_keys(const MigrationLockTarget& target) {
  std::vector<std::string> schemas{"public"};
  for (const auto& schema : target.schemas) {
    if (std::find(schemas.begin(), schemas.end(), schema) == schemas.end()) {
      schemas.push_back(schema);
    }
  }
  std::vector<AdvisoryLockKey> keys;
  auto add = [&keys](std::string_view tool, std::int64_t key) {
    const bool seen = std::any_of(keys.begin(), keys.end(), [&](const AdvisoryLockKey& k) {
      return k.tool == tool && k.key == key;
    });
    if (!seen) keys.push_back({tool, key});
  };
  for (const auto& schema : schemas) add("flyway", flyway_lock_key(schema));
  for (const auto& schema : schemas) {
    add("golang-migrate", golang_migrate_lock_key(target.database, schema));
    add("golang-migrate", golang_migrate_legacy_lock_key(target.database, schema));
  }
  add("atlas", atlas_lock_key());
  add("sqitch", kSqitchLockKey);
  return keys;
}

// The same text for every target, made once: the keys are parameters, so a poll that watches the
// locks builds nothing but them (and nothing keeps a copy per target).
const std::string& migration_locks_sql() {
  // The daemon sends it after emptying the search_path, but it stays safe without that (it may
  // run under the monitoring role's own path, which a tenant with CREATE on a schema in it can
  // fill with functions, operators and types that match more exactly than pg_catalog's): every
  // function, operator and type is named with its schema (docs/security.md, "search_path").
  //
  // Advisory locks: pg_locks (readable by every role, every session's locks) shows a bigint key
  // as classid = its high 32 bits, objid = its low 32 bits, objsubid 1 (an (int4, int4) key has
  // objsubid 2), session and transaction locks alike. Only granted exclusive ones on this database
  // count, as every tool takes its lock: a tool waiting for its lock is not migrating yet, and a
  // shared lock on the same key (pg_advisory_lock_shared) is someone else's.
  //
  // Liquibase keeps its lock in a table (databasechangeloglock: id, locked, lockgranted,
  // lockedby), found through the catalogs rather than to_regclass, which raises an error for a
  // schema the role has no USAGE on. It is `readable` only when the role may SELECT its `locked`
  // column and can read it without running its owner's code: an ordinary table (a view's
  // functions would run as the role) without row-level security (a policy is the owner's code,
  // run for every row). Anything else is 'unreadable', which counts as no lock (the daemon warns
  // once).
  //
  // Reading it: the table is the application's, and its owner may change the type of `locked`
  // (to an enum or a domain of theirs, say). An operator or a cast over that type may then be the
  // owner's function, and `locked = true` or `locked::text` would run it as the monitoring role.
  // So the value is written by its type's output function, as migration_revision_sql does
  // (format's %s: built-in for every type but a base type, which only a superuser can create),
  // and that text is compared with pg_catalog's text equality, whatever `locked` is. The read is
  // built at run time (a table that is not there must not fail the whole statement) and run by
  // query_to_xml, only where `readable` holds (CASE decides before it evaluates the branch); a row
  // in its result means the lock is held. FROM ONLY: a child table (perhaps a foreign table) is
  // not read.
  //
  // The keys come as three arrays of one length ($2 tools, $3 and $4 their pg_locks halves), set
  // side by side by unnest in the select list.
  static const std::string sql =
      "WITH held AS (\n"
      "  SELECT l.classid, l.objid FROM pg_catalog.pg_locks l\n"
      "  WHERE l.locktype OPERATOR(pg_catalog.=) 'advisory'::pg_catalog.text\n"
      "    AND l.granted AND l.mode OPERATOR(pg_catalog.=) 'ExclusiveLock'::pg_catalog.text\n"
      "    AND l.objsubid OPERATOR(pg_catalog.=) 1::pg_catalog.int2\n"
      "    AND l.database OPERATOR(pg_catalog.=) (\n"
      "      SELECT d.oid FROM pg_catalog.pg_database d\n"
      "      WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())\n"
      "), keys(tool, classid, objid) AS (\n"
      "  SELECT pg_catalog.unnest($2::pg_catalog.text[]), "
      "pg_catalog.unnest($3::pg_catalog.oid[]),\n"
      "    pg_catalog.unnest($4::pg_catalog.oid[])\n"
      "), liquibase AS (\n"
      "  SELECT n.nspname, c.relname,\n"
      "    c.relkind OPERATOR(pg_catalog.=) 'r'::pg_catalog.\"char\"\n"
      "    AND NOT c.relrowsecurity AND a.attnum IS NOT NULL\n"
      "    AND pg_catalog.has_schema_privilege(n.oid, 'USAGE'::pg_catalog.text)\n"
      "    AND pg_catalog.has_column_privilege(c.oid, a.attnum, 'SELECT'::pg_catalog.text)\n"
      "      AS readable\n"
      "  FROM pg_catalog.pg_class c\n"
      "  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace\n"
      "  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid\n"
      "    AND a.attname OPERATOR(pg_catalog.=) 'locked'::pg_catalog.name\n"
      "    AND NOT a.attisdropped\n"
      "  WHERE c.relname OPERATOR(pg_catalog.=) " +
      quote_literal(kLiquibaseLockTable) +
      "::pg_catalog.name\n"
      "    AND (pg_catalog.cardinality($1::pg_catalog.text[]) OPERATOR(pg_catalog.=) 0\n"
      "      OR n.nspname OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[]))\n"
      "), states AS (\n"
      "  SELECT k.tool, 'held'::pg_catalog.text AS state,\n"
      "    NULL::pg_catalog.name AS nspname, NULL::pg_catalog.name AS relname\n"
      "  FROM keys k\n"
      "  WHERE EXISTS (SELECT 1 FROM held h\n"
      "    WHERE h.classid OPERATOR(pg_catalog.=) k.classid\n"
      "      AND h.objid OPERATOR(pg_catalog.=) k.objid)\n"
      "  UNION ALL\n"
      "  SELECT 'liquibase'::pg_catalog.text,\n"
      "    CASE WHEN q.readable THEN\n"
      "      CASE WHEN pg_catalog.strpos(pg_catalog.query_to_xml(\n"
      "          pg_catalog.format(" +
      quote_literal(liquibase_read_template()) +
      "::pg_catalog.text,\n"
      "            q.nspname, q.relname),\n"
      "          false, false, ''::pg_catalog.text)::pg_catalog.text,\n"
      "        '<held>'::pg_catalog.text) OPERATOR(pg_catalog.<>) 0\n"
      "      THEN 'held'::pg_catalog.text ELSE 'free'::pg_catalog.text END\n"
      "    ELSE 'unreadable'::pg_catalog.text END,\n"
      "    q.nspname, q.relname\n"
      "  FROM liquibase q\n"
      ")\n"
      "SELECT s.tool, s.state, s.nspname, s.relname FROM states s\n"
      "WHERE s.state OPERATOR(pg_catalog.<>) 'free'::pg_catalog.text";
  return sql;
}

std::vector<std::string> migration_locks_params(const MigrationLockTarget& target) {
  std::string tools = "{", classids = "{", objids = "{";
  for (const auto& key : migration_lock_keys(target)) {
    const char* comma = tools.size() > 1 ? "," : "";
    tools += comma;
    tools += key.tool;  // a tool's name needs no quoting in an array literal
    classids += comma + std::to_string(key.classid());
    objids += comma + std::to_string(key.objid());
  }
  return {pg_text_array(target.schemas), tools + '}', classids + '}', objids + '}'};
}

MigrationLocks decode_migration_locks(const Rows& rows) {
  MigrationLocks out;
  std::vector<bool> held(kMigrationLockTools.size(), false);
  for (const auto& row : rows) {
    const std::string& tool = lock_field(row, 0);
    const std::string& state = lock_field(row, 1);
    const auto it = std::find(kMigrationLockTools.begin(), kMigrationLockTools.end(), tool);
    if (it == kMigrationLockTools.end()) {
      throw Error("unexpected tool from the migration locks query: " + tool);
    }
    if (state == "held") {
      held[static_cast<std::size_t>(it - kMigrationLockTools.begin())] = true;
    } else if (state == "unreadable") {
      out.unreadable.push_back(quote_ident(lock_field(row, 2)) + '.' +
                               quote_ident(lock_field(row, 3)));
    } else if (state != "free") {
      throw Error("unexpected state from the migration locks query: " + state);
    }
  }
  for (std::size_t i = 0; i < held.size(); ++i) {
    if (held[i]) out.held_by.emplace_back(kMigrationLockTools[i]);
  }
  std::sort(out.unreadable.begin(), out.unreadable.end());
  out.unreadable.erase(std::unique(out.unreadable.begin(), out.unreadable.end()),
                       out.unreadable.end());
  return out;
}

CatalogRead<MigrationLocks> migration_locks_read(const MigrationLockTarget& target) {
  return {migration_locks_sql(), migration_locks_params(target), decode_migration_locks};
}

}  // namespace enumwatch
