#!/usr/bin/env bash
# No poll step outlives its connection (docs/reliability.md, "A connection lost between round
# trips"): a proxy cuts the connection at each round trip of a drifting poll in turn (resolving
# the migration table, the catalog read, the dependents, pg_stats, the fingerprint), for the
# daemon, for `check` and for `diff`. Each time the poll fails or goes on without the lost read,
# nothing crashes (the sanitizer pass runs this too), the failed reads are counted in
# enumwatch_secondary_read_failures_total, and the target comes back with the whole recipe.
source "$(dirname "$0")/lib.sh"
pg_start
psql_q -c "CREATE ROLE watcher LOGIN PASSWORD 'watch-pw'" -c "CREATE ROLE tenant LOGIN PASSWORD 't'" \
  -c "CREATE DATABASE orders"
psql_q -d orders -c "GRANT CREATE ON SCHEMA public TO tenant" \
  -c "CREATE TYPE order_status AS ENUM ('a', 'b', 'c')" \
  -c "CREATE TABLE orders (id int, status order_status)" \
  -c "INSERT INTO orders SELECT i, (ARRAY['a','b','c'])[1 + i % 3]::order_status FROM generate_series(1, 300) i" \
  -c "CREATE VIEW open_orders AS SELECT id FROM orders WHERE status <> 'c'" \
  -c "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)" \
  -c "INSERT INTO alembic_version VALUES ('r1')" \
  -c "GRANT SELECT ON orders, open_orders, alembic_version TO watcher" -c "ANALYZE orders"
# The code dropped 'b': the fix recreates the type, so a poll reads its dependents and pg_stats.
write_enum_snapshot "$WORK/app.toml" order_status a c
echo "watch-pw" >"$WORK/watcher.pass"
chmod 600 "$WORK/watcher.pass"

# start_cutting_proxy MAX: connection n (n <= MAX) is cut at its n-th round trip.
start_cutting_proxy() {
  PROXY_PORT=$(free_port)
  : >"$WORK/cuts-$PROXY_PORT"
  python3 "$(dirname "$0")/../support/cutting_proxy.py" "$PROXY_PORT" "$PGPORT" "$1" "$WORK/cuts-$PROXY_PORT" &
  on_exit "kill $!"
  wait_for 10 "proxy listening" bash -c "exec 3<>/dev/tcp/127.0.0.1/$PROXY_PORT"
  CUTS=$WORK/cuts-$PROXY_PORT
}

# --- the daemon -------------------------------------------------------------------------------
start_cutting_proxy 6
daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "200ms"
timeout = "2s"
notify = "off"
$(snapshot_section app app.toml)
[[target]]
name = "orders"
dsn = "host=127.0.0.1 port=$PROXY_PORT dbname=orders user=watcher"
password_file = "watcher.pass"
snapshots = ["app"]
migration_table = "alembic_version"
TOML
start_daemon "$WORK/enumwatch.toml"
wait_for 30 "every round trip cut once" bash -c "[[ \$(wc -l <'$CUTS') -ge 6 ]]"
kill -0 "$DAEMON_PID" || fail "the daemon died when its connection broke mid-poll: $(tail -5 "$WORK/daemon.log")"
wait_for 10 "orders back up" metric_is 'enumwatch_up{target="orders"}' 1
# The last polls read everything: the recipe keeps the view again, impact is known.
recipe_has_view() {
  curl -sf "$BASE/api/v1/targets/orders" | python3 -c '
import json, sys
t = json.load(sys.stdin)
items = [i for i in t["drift"] if i["kind"] == "unexpected_value"]
assert items and "open_orders" in (items[0].get("remediation_sql") or ""), items
assert items[0]["impact"] and items[0]["impact"][0]["rows"] > 0, items[0]["impact"]'
}
wait_for 10 "the whole recipe after the faults" recipe_has_view
daemon_log_has "reading the dependents of a drifting type failed" ||
  fail "a lost dependents read was not logged"
daemon_log_has "reading the column statistics failed" || fail "a lost pg_stats read was not logged"
metric_above 'enumwatch_secondary_read_failures_total{read="dependents"}' 0 ||
  fail "a failed dependents read is not counted: $(curl -s "$BASE/metrics" | grep secondary)"
metric_above 'enumwatch_secondary_read_failures_total{read="column_stats"}' 0 ||
  fail "a failed pg_stats read is not counted"
# Each lost read is counted once: the counter equals the warnings the poller logged.
for read in dependents column_stats; do
  case $read in
    dependents) logged=$(grep -c "target orders: reading the dependents of a drifting type failed" "$WORK/daemon.log") ;;
    column_stats) logged=$(grep -c "target orders: reading the column statistics failed" "$WORK/daemon.log") ;;
  esac
  counted=$(metric "enumwatch_secondary_read_failures_total{read=\"$read\"}")
  [[ $counted == "$logged" ]] || fail "$read: $logged failures logged, $counted counted"
done
metric_above 'enumwatch_polls_total{outcome="error",target="orders"}' 0 ||
  fail "the cut catalog reads were not failed polls"
[[ $(metric 'enumwatch_internal_errors_total{component="scheduler"}') == 0 ]] ||
  fail "a broken connection is not an internal error"
pass "daemon: a connection cut at each of $(wc -l <"$CUTS") round trips in turn; nothing crashed"

# --- check: one poll per run, run n cut at its n-th round trip ------------------------------
start_cutting_proxy 5
sed "s/port=[0-9]* dbname=orders/port=$PROXY_PORT dbname=orders/" "$WORK/enumwatch.toml" >"$WORK/check.toml"
for run in 1 2 3 4 5 6; do
  rc=0
  "$ENUMWATCH" check --config "$WORK/check.toml" --format json >"$WORK/out" 2>"$WORK/err" || rc=$?
  ((rc == 1 || rc == 2)) || fail "check run $run exited $rc: $(cat "$WORK/err")"
  [[ $(wc -l <"$WORK/err") -le 2 ]] || fail "check run $run: more than a line or two of errors: $(cat "$WORK/err")"
done
[[ $rc == 1 ]] || fail "check after the cuts: exit $rc, want 1 (drift): $(cat "$WORK/err")"
[[ $(wc -l <"$CUTS") -ge 4 ]] || fail "check: fewer cuts than round trips: $(cat "$CUTS")"
pass "check: every round trip cut in turn, exit 1 or 2, never a crash"

# --- diff: the same, with the recipe's warning when a secondary read is lost ------------------
start_cutting_proxy 4
dsn="host=127.0.0.1 port=$PROXY_PORT dbname=orders user=watcher password=watch-pw"
warned=0
for run in 1 2 3 4 5; do
  rc=0
  "$ENUMWATCH" diff --snapshot "$WORK/app.toml" --dsn "$dsn" --format sql >"$WORK/out" 2>"$WORK/err" || rc=$?
  ((rc == 1 || rc == 2)) || fail "diff run $run exited $rc: $(cat "$WORK/err")"
  grep -q "warning: reading" "$WORK/err" && warned=$((warned + 1))
  expect_not_contains "$(cat "$WORK/err")" "watch-pw" "diff's errors"
done
((warned >= 2)) || fail "diff: lost dependents and pg_stats reads must be warned about ($warned warnings)"
[[ $rc == 1 ]] && grep -q "open_orders" "$WORK/out" || fail "diff after the cuts lacks the view: $(cat "$WORK/out")"
pass "diff: every round trip cut in turn; warnings for lost secondary reads; the whole recipe after"
