#!/usr/bin/env bash
# The migration locks query (common/.../migration_lock.hpp, docs/migration-locks.md) against a real
# PostgreSQL 15, run as a monitoring role that is not a superuser: while another session holds a
# tool's lock, taken exactly as the tool takes it (the same function, the same key, the same
# statement shape; Liquibase's UPDATE of its table), the query names that tool; once the tool's
# own release ran, nothing. Liquibase's table the role may not read (no grant, no USAGE, a policy,
# a view) is 'unreadable', never an error, and no owner's or tenant's code runs, even under a
# search_path that puts a tenant's shadow functions and operators first.
source "$(dirname "$0")/lib.sh"
: "${MIGRATION_LOCK_SQL:?set MIGRATION_LOCK_SQL to the print_migration_lock_sql binary}"
pg_start
psql_q -c "CREATE DATABASE app" -c "CREATE DATABASE other" \
  -c "CREATE ROLE watcher LOGIN PASSWORD 'watcher-pw'" \
  -c "CREATE ROLE app_owner LOGIN PASSWORD 'owner-pw'" \
  -c "CREATE ROLE tenant LOGIN PASSWORD 'tenant-pw'"
psql_q -d app -c "GRANT CREATE ON SCHEMA public TO app_owner, tenant" \
  -c "CREATE SCHEMA app AUTHORIZATION app_owner" -c "CREATE SCHEMA lb AUTHORIZATION app_owner"

# query FILE: runs the printed statement as the watcher; one line per row, "tool state schema.table"
# (sorted), nothing when no lock is held. SEARCH_PATH, when set, is the watcher's search_path.
query() {
  {
    [[ -n ${SEARCH_PATH:-} ]] && echo "SET search_path = $SEARCH_PATH;"
    cat "$1"
  } | PGUSER=watcher PGPASSWORD=watcher-pw psql -X -q -A -t -F ' ' -v ON_ERROR_STOP=1 -d app |
    sed 's/ *$//; s/ \([^ ]*\) \([^ ]*\)$/ \1.\2/' | sort
}
# expect_locks WHAT EXPECTED [FILE]: the query's output is EXPECTED (lines joined by ';').
expect_locks() {
  local got
  got=$(query "${3:-$WORK/all.sql}" | paste -sd ';') || fail "$1: the query failed"
  [[ $got == "$2" ]] || fail "$1: expected '$2', got '$got'"
}

"$MIGRATION_LOCK_SQL" app >"$WORK/all.sql"               # the target's schemas: all
"$MIGRATION_LOCK_SQL" app app >"$WORK/scoped.sql"        # the target's schemas: app
grep -q "PREPARE migration_locks" "$WORK/all.sql" || fail "no statement printed"
expect_locks "nothing held" ""

# A session of the migration tool's, fed statements through a FIFO, as application_name TOOL.
session_open() {
  local name=$1 db=${2:-app}
  mkfifo "$WORK/$name.fifo"
  PGAPPNAME=$name psql -X -q -v ON_ERROR_STOP=1 -d "$db" <"$WORK/$name.fifo" >"$WORK/$name.out" 2>&1 &
  on_exit "kill $!"
  exec 7>"$WORK/$name.fifo"
}
session_run() { printf '%s\n' "$1" >&7; }
session_close() { exec 7>&-; }
# advisory_count NAME: granted advisory locks of the session NAME.
advisory_count() {
  psql -X -A -t -d app -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
    WHERE a.application_name = '$1' AND l.locktype = 'advisory' AND l.granted"
}
session_has_lock() { [[ $(advisory_count "$1") == 1 ]]; }
session_has_none() { [[ $(advisory_count "$1") == 0 ]]; }
session_gone() { [[ $(psql -X -A -t -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1'") == 0 ]]; }

# Flyway, default (flyway.postgresql.transactional.lock true): PostgreSQLAdvisoryLockTemplate's
# "SELECT pg_try_advisory_xact_lock(" + lockNum + ")" inside the migration's transaction, the key
# 0x466C79776179 + "\"public\".\"flyway_schema_history\"".hashCode(); released at COMMIT.
session_open flyway
session_run "BEGIN;"
session_run "SELECT pg_try_advisory_xact_lock(77433833903597);"
wait_for 10 "Flyway's transaction lock" session_has_lock flyway
expect_locks "Flyway's transaction lock" "flyway held"
session_run "COMMIT;"
wait_for 10 "Flyway's commit" session_has_none flyway
expect_locks "after Flyway's commit" ""
# transactional.lock false: the session lock, "SELECT pg_advisory_unlock(" + lockNum + ")" after.
session_run "SELECT pg_try_advisory_lock(77433833903597);"
wait_for 10 "Flyway's session lock" session_has_lock flyway
expect_locks "Flyway's session lock" "flyway held"
session_run "SELECT pg_advisory_unlock(77433833903597);"
wait_for 10 "Flyway's unlock" session_has_none flyway
expect_locks "after Flyway's unlock" ""
# Its history table in schema app (flyway.schemas=app): "\"app\".\"flyway_schema_history\"".
session_run "BEGIN;"
session_run "SELECT pg_try_advisory_xact_lock(77431436970681);"
wait_for 10 "Flyway's lock for schema app" session_has_lock flyway
expect_locks "Flyway in schema app, target scoped to app" "flyway held" "$WORK/scoped.sql"
expect_locks "Flyway in schema app, target of all schemas (public's key only)" ""
session_run "COMMIT;"
session_close
wait_for 10 "Flyway's session ends" session_gone flyway
pass "Flyway: its transaction and session locks, for public and for a configured schema"

# golang-migrate (database/postgres): `SELECT pg_advisory_lock($1)` with GenerateAdvisoryLockId's
# decimal text as the parameter (its type inferred, as lib/pq leaves it), then
# `SELECT pg_advisory_unlock($1)`. CRC-32("public\0schema_migrations\0app") * 1486364155 mod 2^32.
session_open golang-migrate
session_run "PREPARE lock AS SELECT pg_advisory_lock(\$1);"
session_run "PREPARE unlock AS SELECT pg_advisory_unlock(\$1);"
session_run "EXECUTE lock('1787120056');"
wait_for 10 "golang-migrate's lock" session_has_lock golang-migrate
expect_locks "golang-migrate's lock" "golang-migrate held"
session_run "EXECUTE unlock('1787120056');"
wait_for 10 "golang-migrate's unlock" session_has_none golang-migrate
expect_locks "after golang-migrate's unlock" ""
# Before v4.15.0: CRC-32("public\0app") * 1486364155.
session_run "EXECUTE lock('2802248011');"
wait_for 10 "golang-migrate's older lock" session_has_lock golang-migrate
expect_locks "golang-migrate before v4.15.0" "golang-migrate held"
session_run "EXECUTE unlock('2802248011');"
session_close
wait_for 10 "golang-migrate's session ends" session_gone golang-migrate
expect_locks "after golang-migrate's session" ""
pass "golang-migrate: its key for this database, public and schema_migrations (and the older one)"

# Atlas (migrate apply): `SELECT pg_try_advisory_lock($1)`, $1 = fnv.New32 of
# "atlas_migrate_execute" (a uint32), then `SELECT pg_advisory_unlock($1)`.
session_open atlas
session_run "PREPARE lock AS SELECT pg_try_advisory_lock(\$1);"
session_run "EXECUTE lock('2686470616');"
wait_for 10 "Atlas's lock" session_has_lock atlas
expect_locks "Atlas's lock" "atlas held"
session_run "SELECT pg_advisory_unlock('2686470616');"
wait_for 10 "Atlas's unlock" session_has_none atlas
expect_locks "after Atlas's unlock" ""
session_close
pass "Atlas: FNV-1 of atlas_migrate_execute"

# Sqitch (the real tool: daemon tests): `SELECT pg_advisory_lock(75474063)`, held until it
# disconnects.
session_open sqitch
session_run "SELECT pg_advisory_lock(75474063);"
wait_for 10 "Sqitch's lock" session_has_lock sqitch
expect_locks "Sqitch's lock" "sqitch held"
session_close
wait_for 10 "Sqitch disconnects" session_gone sqitch
expect_locks "after Sqitch disconnects" ""
pass "Sqitch: its constant"

# The same key held on another database is that database's migration, not this one's; an int4
# pair that happens to split like a key (objsubid 2) is not a tool's.
session_open elsewhere other
session_run "SELECT pg_advisory_lock(75474063);"
wait_for 10 "the lock on the other database" session_has_lock elsewhere
expect_locks "a lock on another database" ""
session_close
session_open pair
session_run "SELECT pg_advisory_lock(0, 75474063);"
wait_for 10 "the int4 pair lock" session_has_lock pair
expect_locks "an (int4, int4) key" ""
session_close
# A shared lock on a tool's key is not the tool's (each takes it exclusively), nor is a session
# still waiting for the exclusive lock behind it.
session_open shared
session_run "SELECT pg_advisory_lock_shared(75474063);"
wait_for 10 "the shared lock" session_has_lock shared
expect_locks "a shared lock on Sqitch's key" ""
PGAPPNAME=waiting psql -X -q -d app -c "SELECT pg_advisory_lock(75474063)" -c "SELECT pg_sleep(60)" \
  >/dev/null 2>&1 7>&- &  # not a writer of the shared session's FIFO
on_exit "kill $!"
waiting() {
  [[ $(psql -X -A -t -d app -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
    WHERE a.application_name = 'waiting' AND l.locktype = 'advisory' AND NOT l.granted") == 1 ]]
}
wait_for 10 "a session waiting for Sqitch's lock" waiting
expect_locks "a session waiting for Sqitch's lock" ""
session_close
wait_for 10 "the waiting session gets the lock" session_has_lock waiting
expect_locks "the waiting session got it" "sqitch held"
psql_q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'waiting'" >/dev/null
pass "another database's locks, int4-pair keys, shared locks and waiting requests are no tool's"

# Liquibase: its table as it creates it on PostgreSQL (CreateDatabaseChangeLogLockTableGenerator,
# InitializeDatabaseChangeLogLockTableGenerator), owned by the application's role; the lock is
# LockDatabaseChangeLogGenerator's UPDATE, committed, and the release its Unlock's.
liquibase_table() { # SCHEMA
  PGUSER=app_owner PGPASSWORD=owner-pw psql_q -d app \
    -c "CREATE TABLE $1.databasechangeloglock (ID INTEGER NOT NULL, LOCKED BOOLEAN NOT NULL, LOCKGRANTED TIMESTAMP WITHOUT TIME ZONE, LOCKEDBY VARCHAR(255), CONSTRAINT databasechangeloglock_pkey PRIMARY KEY (ID))" \
    -c "DELETE FROM $1.databasechangeloglock" \
    -c "INSERT INTO $1.databasechangeloglock (ID, LOCKED) VALUES (1, FALSE)"
}
liquibase_lock() {
  PGUSER=app_owner PGPASSWORD=owner-pw psql_q -d app -c "UPDATE $1.databasechangeloglock SET LOCKED = TRUE, LOCKGRANTED = NOW(), LOCKEDBY = 'deploy-host (127.0.0.1)' WHERE ID = 1 AND LOCKED = FALSE"
}
liquibase_unlock() {
  PGUSER=app_owner PGPASSWORD=owner-pw psql_q -d app -c "UPDATE $1.databasechangeloglock SET LOCKED = FALSE, LOCKGRANTED = NULL, LOCKEDBY = NULL WHERE ID = 1"
}
liquibase_table public
expect_locks "Liquibase's table without a grant" 'liquibase unreadable public.databasechangeloglock'
liquibase_lock public
expect_locks "Liquibase locked, without a grant (no lock seen, no error)" \
  'liquibase unreadable public.databasechangeloglock'
# The grant docs/migration-locks.md gives (the column is enough).
PGUSER=app_owner PGPASSWORD=owner-pw psql_q -d app -c "GRANT SELECT (locked) ON public.databasechangeloglock TO watcher"
expect_locks "Liquibase locked" "liquibase held public.databasechangeloglock"
liquibase_unlock public
expect_locks "Liquibase unlocked" ""
pass "Liquibase: its locked column, once the role may read it; unreadable before"

# Its table in a schema the role has no USAGE on (to_regclass would raise an error here).
liquibase_table lb
PGUSER=app_owner PGPASSWORD=owner-pw psql_q -d app -c "GRANT SELECT ON lb.databasechangeloglock TO watcher"
liquibase_lock lb
expect_locks "Liquibase in a schema without USAGE" 'liquibase unreadable lb.databasechangeloglock'
PGUSER=app_owner PGPASSWORD=owner-pw psql_q -d app -c "GRANT USAGE ON SCHEMA lb TO watcher"
expect_locks "Liquibase in schema lb" "liquibase held lb.databasechangeloglock"
expect_locks "Liquibase in schema lb, target scoped to app" "" "$WORK/scoped.sql"
liquibase_unlock lb
pass "Liquibase: a schema without USAGE is unreadable; the target's schemas bound the search"

# The owner's code never runs as the watcher: a policy on the table, its column turned into the
# owner's enum with an = operator and a cast to text of the owner's, a view of that name. Each
# would record its call.
PGUSER=app_owner PGPASSWORD=owner-pw psql_q -d app \
  -c "CREATE TABLE app.owner_calls (what text, by_role text DEFAULT current_user)" \
  -c "GRANT INSERT ON app.owner_calls TO PUBLIC" -c "GRANT USAGE ON SCHEMA app TO PUBLIC" \
  -c "CREATE FUNCTION app.seen() RETURNS boolean LANGUAGE plpgsql AS \$\$ BEGIN INSERT INTO app.owner_calls (what) VALUES ('policy'); RETURN true; END \$\$" \
  -c "ALTER TABLE lb.databasechangeloglock ENABLE ROW LEVEL SECURITY" \
  -c "CREATE POLICY everyone ON lb.databasechangeloglock USING (app.seen())"
liquibase_lock lb
expect_locks "a policy on Liquibase's table" 'liquibase unreadable lb.databasechangeloglock'
PGUSER=app_owner PGPASSWORD=owner-pw psql_q -d app \
  -c "ALTER TABLE lb.databasechangeloglock DISABLE ROW LEVEL SECURITY" \
  -c "CREATE TYPE app.flag AS ENUM ('f', 't')" \
  -c "CREATE FUNCTION app.flag_eq(app.flag, boolean) RETURNS boolean LANGUAGE plpgsql AS \$\$ BEGIN INSERT INTO app.owner_calls (what) VALUES ('operator'); RETURN true; END \$\$" \
  -c "CREATE OPERATOR app.= (LEFTARG = app.flag, RIGHTARG = boolean, FUNCTION = app.flag_eq)" \
  -c "CREATE FUNCTION app.flag_text(app.flag) RETURNS text LANGUAGE plpgsql AS \$\$ BEGIN INSERT INTO app.owner_calls (what) VALUES ('cast'); RETURN 't'; END \$\$" \
  -c "CREATE CAST (app.flag AS text) WITH FUNCTION app.flag_text(app.flag)" \
  -c "ALTER TABLE lb.databasechangeloglock ALTER COLUMN locked TYPE app.flag USING (CASE WHEN locked THEN 't' ELSE 'f' END)::app.flag"
expect_locks "Liquibase's column as the owner's enum, 't'" "liquibase held lb.databasechangeloglock"
# The control: a careless read would have run the owner's operator.
PGUSER=watcher PGPASSWORD=watcher-pw psql -X -q -d app -c "SET search_path = app, pg_catalog" \
  -c "SELECT count(*) FROM lb.databasechangeloglock WHERE locked = true" >/dev/null
[[ $(psql -X -A -t -d app -c "SELECT count(*) FROM app.owner_calls WHERE what = 'operator'") -gt 0 ]] ||
  fail "control: the owner's operator did not run on a plain read"
psql_q -d app -c "TRUNCATE app.owner_calls"
PGUSER=app_owner PGPASSWORD=owner-pw psql_q -d app \
  -c "UPDATE lb.databasechangeloglock SET locked = 'f'"
SEARCH_PATH="app, pg_catalog" expect_locks "Liquibase's enum column, 'f', under the owner's path" ""
PGUSER=app_owner PGPASSWORD=owner-pw psql_q -d app \
  -c "DROP TABLE lb.databasechangeloglock" \
  -c "CREATE VIEW lb.databasechangeloglock AS SELECT 1 AS id, app.seen() AS locked" \
  -c "GRANT SELECT ON lb.databasechangeloglock TO watcher"
expect_locks "a view named like Liquibase's table" 'liquibase unreadable lb.databasechangeloglock'
calls=$(psql -X -A -t -d app -c "SELECT string_agg(what || ' as ' || by_role, '; ') FROM app.owner_calls")
[[ -z $calls ]] || fail "the owner's code ran: $calls"
PGUSER=app_owner PGPASSWORD=owner-pw psql_q -d app -c "DROP VIEW lb.databasechangeloglock"
pass "a policy, a view, the owner's operator and cast on Liquibase's column: none ran"

# A tenant's shadows of every function and operator the statement names, first on the watcher's
# search_path: the statement still answers the same and calls none of them.
python3 - "$SUPPORT_DIR" "$WORK/all.sql" >"$WORK/shadows.sql" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import shadow_sql
sql = open(sys.argv[2]).read()
functions, operators = shadow_sql.used([sql])
print(f"-- functions: {' '.join(functions)}\n-- operators: {' '.join(operators)}")
print("BEGIN;\n" + "\n".join(shadow_sql.shadows(functions, operators)) + "\nCOMMIT;")
PY
grep -q "^-- functions: .*query_to_xml" "$WORK/shadows.sql" || fail "shadows: $(head -2 "$WORK/shadows.sql")"
PGUSER=tenant PGPASSWORD=tenant-pw psql -X -q -v ON_ERROR_STOP=1 -d app -f "$WORK/shadows.sql" >/dev/null ||
  fail "planting the shadows failed"
# The control: an unqualified read of pg_locks under that path calls a shadow.
PGUSER=watcher PGPASSWORD=watcher-pw psql -X -q -d app -c "SET search_path = public, pg_catalog" \
  -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'" >/dev/null
[[ $(psql -X -A -t -d app -c "SELECT count(*) FROM public.shadow_calls") -gt 0 ]] ||
  fail "control: no shadow ran on an unqualified read"
psql_q -d app -c "TRUNCATE public.shadow_calls"
liquibase_lock public
session_open atlas2
session_run "SELECT pg_try_advisory_lock(2686470616);"
wait_for 10 "Atlas's lock" session_has_lock atlas2
SEARCH_PATH="public, pg_catalog" expect_locks "under the tenant's shadows" "atlas held;liquibase held public.databasechangeloglock"
session_close
calls=$(psql -X -A -t -d app -c "SELECT string_agg(DISTINCT what || ' as ' || by_role, '; ') FROM public.shadow_calls")
[[ -z $calls ]] || fail "a tenant's shadow ran in the query: $calls"
pass "shadows of its $(grep -c '^CREATE FUNCTION' "$WORK/shadows.sql") signatures on the path: none ran"
