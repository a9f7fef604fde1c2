#!/usr/bin/env bash
# No role of a watched database runs code in a poll (docs/security.md, "search_path"): a property
# test over the SQL enumwatch actually sends. Pass 1 runs the daemon (full reads, fingerprints,
# dependents, pg_stats, the revision watch, the listener), check, diff (SQL and exact counts),
# snapshot and install-trigger, with the server logging every statement; the daemon also looks at
# the migration tools' locks, Liquibase's table included, while a migration holds them. From that log, a tenant
# with CREATE on public plants a shadow of every function and operator the statements use, over
# the types catalog queries meet; each shadow writes a row if called. Pass 2 runs all of it again:
# no shadow runs and every command sees what pass 1 saw. The control: the same logged statements,
# run under the tenant's search_path without enumwatch's first statement, do call shadows; so the
# test would catch a statement that lets one win. Casts (a tenant's enum cast to text) and
# row-level security policies (the tenant's code on a counted table) are tried too.
source "$(dirname "$0")/lib.sh"
pg_start
psql_q -c "ALTER SYSTEM SET log_statement = 'all'" \
  -c "ALTER SYSTEM SET log_line_prefix = '%m [%p] %a: '" -c "SELECT pg_reload_conf()" >/dev/null
psql_q -c "CREATE ROLE watcher LOGIN PASSWORD 'watch-pw'" -c "CREATE ROLE tenant LOGIN PASSWORD 'tenant-pw'" \
  -c "CREATE DATABASE orders"
psql_q -d orders -c "GRANT CREATE ON SCHEMA public TO tenant" \
  -c "CREATE TYPE order_status AS ENUM ('a', 'b', 'c')" \
  -c "CREATE TABLE orders (id int, status order_status DEFAULT 'a', tags order_status[])" \
  -c "INSERT INTO orders SELECT i, (ARRAY['a','b','c'])[1 + i % 3]::order_status FROM generate_series(1, 100) i" \
  -c "CREATE VIEW open_orders AS SELECT id FROM orders WHERE status <> 'c'" \
  -c "CREATE TABLE shipments (id int, state text CHECK (state IN ('new', 'sent') AND state IS NOT NULL))" \
  -c "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)" \
  -c "INSERT INTO alembic_version VALUES ('r1')" \
  -c "CREATE TABLE databasechangeloglock (id int PRIMARY KEY, locked boolean NOT NULL, lockgranted timestamp, lockedby varchar(255))" \
  -c "INSERT INTO databasechangeloglock VALUES (1, false)" \
  -c "GRANT SELECT ON orders, open_orders, shipments, alembic_version, databasechangeloglock TO watcher" -c "ANALYZE orders"
# The tenant's own enum, with a cast to text of its own, in a table with a policy of its own.
PGUSER=tenant PGPASSWORD=tenant-pw psql_q -d orders \
  -c "CREATE TYPE public.tenant_state AS ENUM ('on', 'off')" \
  -c "CREATE TABLE public.tenant_rows (id int, state tenant_state)" \
  -c "INSERT INTO tenant_rows VALUES (1, 'on'), (2, 'off')" -c "GRANT SELECT ON tenant_rows TO watcher" \
  -c "ANALYZE tenant_rows"
printf '[[enum]]\nname = "order_status"\nvalues = ["a", "c"]\n[[enum]]\nname = "tenant_state"\nvalues = ["on"]\n[[check]]\ntable = "shipments"\ncolumn = "state"\nvalues = ["new"]\n' >"$WORK/app.toml"
echo "watch-pw" >"$WORK/watcher.pass"
chmod 600 "$WORK/watcher.pass"
WATCHER="host=127.0.0.1 port=$PGPORT dbname=orders user=watcher password=watch-pw"
# The harness's own sessions keep public off their path once the shadows are planted (enumwatch's
# must not be helped: PGOPTIONS stays unset for them).
as_tenant() { PGOPTIONS="-c search_path=pg_catalog" PGUSER=tenant PGPASSWORD=tenant-pw psql -X -q -d orders "$@"; }
as_owner() { PGOPTIONS="-c search_path=pg_catalog" psql_q "$@"; }

daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "300ms"
timeout = "5s"
$(snapshot_section app app.toml)
[[target]]
name = "orders"
dsn = "host=127.0.0.1 port=$PGPORT dbname=orders user=watcher"
password_file = "watcher.pass"
snapshots = ["app"]
migration_table = "alembic_version"
revision_check_interval = "100ms"
interval = "2s"
TOML

drift_of() { curl -sf "$BASE/api/v1/targets/orders" | python3 -c '
import json, sys
t = json.load(sys.stdin)
print(" ".join(sorted(i["kind"] + ":" + i["enum"] for i in t["drift"])))'; }

# Every command enumwatch has that talks to a database, as it runs in production. Its results go
# to $WORK/results-PASS for comparison.
sqitch_lock_taken() {
  [[ $(as_owner -At -d orders -c "SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype OPERATOR(pg_catalog.=) 'advisory' AND objid OPERATOR(pg_catalog.=) 75474063 AND granted") == 1 ]]
}
exercise() {
  local pass=$1 results=$WORK/results-$1
  : >"$results"
  "$ENUMWATCH" install-trigger --dsn "$(dsn_for orders)" 2>>"$results"
  "$ENUMWATCH" install-trigger --print --dsn "$(dsn_for orders)" >/dev/null
  start_daemon "$WORK/enumwatch.toml"
  wait_for 20 "orders polled with its drift ($pass)" bash -c "curl -sf $BASE/api/v1/targets/orders | grep -q unexpected_value"
  wait_for 10 "listening ($pass)" metric_is 'enumwatch_notify_listening{target="orders"}' 1
  # A change the listener reports, a new revision the revision watch sees, fingerprint polls.
  as_owner -d orders -c "CREATE TYPE public.pass_$pass AS ENUM ('x')" -c "UPDATE public.alembic_version SET version_num = 'r-$pass'"
  wait_for 10 "the new revision ($pass)" metric_is "enumwatch_migration_revision_info{revision=\"r-$pass\",target=\"orders\"}" 1
  # A migration in flight (docs/migration-locks.md): Sqitch's lock and Liquibase's row held for a
  # moment, so that the looks at the locks between polls run too.
  # A change to the type while they are held brings a poll (the listener), which sees them.
  as_owner -d orders -c "UPDATE public.databasechangeloglock SET locked = true" \
    -c "SELECT pg_advisory_lock(75474063), pg_sleep(3)" -c "UPDATE public.databasechangeloglock SET locked = false" >/dev/null &
  local holder=$!
  wait_for 10 "Sqitch's lock taken ($pass)" sqitch_lock_taken
  as_owner -d orders -c "ALTER TYPE public.pass_$pass ADD VALUE 'y'"
  wait_for 10 "Sqitch's lock seen ($pass)" metric_is 'enumwatch_migration_in_progress{target="orders",tool="sqitch"}' 1
  metric_is 'enumwatch_migration_in_progress{target="orders",tool="liquibase"}' 1 || fail "Liquibase's lock not seen ($pass)"
  wait "$holder"
  wait_for 10 "the locks released ($pass)" metric_is 'enumwatch_migration_in_progress{target="orders",tool="sqitch"}' 0
  sleep 1
  curl -sf "$BASE/api/v1/targets/orders" >/dev/null
  echo "daemon: up=$(metric 'enumwatch_up{target="orders"}') $(drift_of)" >>"$results"
  kill "$DAEMON_PID"
  wait "$DAEMON_PID" || true
  local rc=0
  "$ENUMWATCH" check --config "$WORK/enumwatch.toml" --format json >"$WORK/check.json" 2>>"$results" || rc=$?
  echo "check: exit $rc" >>"$results"
  rc=0
  "$ENUMWATCH" diff --snapshot "$WORK/app.toml" --dsn "$WATCHER" --format sql >"$WORK/diff.sql" 2>>"$results" || rc=$?
  echo "diff sql: exit $rc, $(grep -c 'ALTER TYPE\|CREATE TYPE' "$WORK/diff.sql") type statements" >>"$results"
  rc=0
  "$ENUMWATCH" diff --snapshot "$WORK/app.toml" --dsn "$WATCHER" --impact exact --format json >"$WORK/exact.json" 2>>"$WORK/exact.err" || rc=$?
  echo "diff exact: exit $rc" >>"$results"
  "$ENUMWATCH" snapshot --dsn "$WATCHER" --output "$WORK/snap-$pass.toml" 2>>"$results"
  grep -v '^source\|^generated\|pass_' "$WORK/snap-$pass.toml" | md5sum >>"$results"
  as_owner -d orders -c "DROP TYPE public.pass_$pass"
}

as_tenant -v ON_ERROR_STOP=1 -c "CREATE TABLE public.shadow_calls (what text, by_role text DEFAULT current_user, at timestamptz DEFAULT now())" \
  -c "GRANT INSERT, SELECT ON public.shadow_calls TO PUBLIC" >/dev/null
# The tenant's cast and policy: code of the tenant's that a careless read would run.
as_tenant -v ON_ERROR_STOP=1 \
  -c "CREATE FUNCTION public.state_text(public.tenant_state) RETURNS text LANGUAGE plpgsql AS \$\$ BEGIN INSERT INTO public.shadow_calls (what) VALUES ('cast tenant_state AS text'); RETURN 'on'; END \$\$" \
  -c "CREATE CAST (public.tenant_state AS text) WITH FUNCTION public.state_text(public.tenant_state)" \
  -c "CREATE FUNCTION public.row_visible() RETURNS boolean LANGUAGE plpgsql AS \$\$ BEGIN INSERT INTO public.shadow_calls (what) VALUES ('policy on tenant_rows'); RETURN true; END \$\$" \
  -c "ALTER TABLE public.tenant_rows ENABLE ROW LEVEL SECURITY" \
  -c "CREATE POLICY everyone ON public.tenant_rows USING (public.row_visible())" >/dev/null
# The control: a cast and a policy run when the table is read plainly...
as_owner -d orders -c "SET ROLE watcher" -c "SELECT state::text FROM public.tenant_rows" >/dev/null
[[ $(as_tenant -At -c "SELECT count(*) FROM public.shadow_calls") -gt 0 ]] || fail "control: the cast and the policy did not run"
as_tenant -c "TRUNCATE public.shadow_calls" >/dev/null
exercise 1
calls=$(as_tenant -At -c "SELECT string_agg(DISTINCT what, '; ') FROM public.shadow_calls")
[[ -z $calls ]] || fail "pass 1 ran the tenant's code: $calls"
python3 "$(dirname "$0")/../support/shadow_sql.py" statements "$PG_DIR/server.log" enumwatch >"$WORK/statements.jsonl"
sent=$(wc -l <"$WORK/statements.jsonl")
((sent > 10)) || fail "too few statements in the server log ($sent): is log_statement on?"
python3 "$(dirname "$0")/../support/shadow_sql.py" shadows "$PG_DIR/server.log" enumwatch >"$WORK/shadows.sql"
head -2 "$WORK/shadows.sql"
as_tenant -v ON_ERROR_STOP=1 -f "$WORK/shadows.sql" >/dev/null || fail "planting the shadows failed"
planted=$(as_tenant -At -c "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace")
((planted > 1000)) || fail "only $planted shadows planted"
# The control: the statements enumwatch sent call shadows when run without its first statement, under
# a search_path that puts public first.
python3 - "$WORK/statements.jsonl" >"$WORK/control.sql" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    s = json.loads(line)
    sql = s["sql"]
    if "set_config" in sql or not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        continue
    for i, p in reversed(list(enumerate(s["params"], 1))):
        sql = sql.replace(f"${i}", "NULL" if p is None else "'" + p.replace("'", "''") + "'")
    print(sql.rstrip().rstrip(";") + ";")
PY
# Each statement on its own (autocommit; errors do not stop the rest).
psql -X -q -d orders -c "SET ROLE watcher" -c "SET search_path = public, pg_catalog" \
  -f "$WORK/control.sql" >/dev/null 2>&1 || true
control=$(as_tenant -At -c "SELECT count(DISTINCT what) FROM public.shadow_calls")
((control > 0)) || fail "control: no shadow ran even without the empty search_path: the shadows do not cover the SQL"
echo "control: $control distinct shadows ran under a search_path with public first"
as_tenant -c "TRUNCATE public.shadow_calls" >/dev/null

exercise 2
calls=$(as_tenant -At -c "SELECT string_agg(DISTINCT what || ' as ' || by_role, '; ') FROM public.shadow_calls")
[[ -z $calls ]] || fail "a tenant's code ran inside enumwatch: $calls"
same() { grep -v "^enumwatch: installed\|^enumwatch: wrote" "$1" | sed 's/pass_[12]/pass_N/'; }
diff <(same "$WORK/results-1") <(same "$WORK/results-2") ||
  fail "the commands saw something else with the shadows planted"
grep -q "daemon: up=1 .*unexpected_value:order_status" "$WORK/results-2" || fail "pass 2: $(cat "$WORK/results-2")"
# Exact counts on a table with a policy stop with the reason instead of running the policy.
grep -q "row-level security" "$WORK/exact.err" || fail "exact counts over a policy: $(cat "$WORK/exact.err")"
pass "$sent statements, $planted shadows, a cast and a policy: none ran; every command saw the same"
