#!/usr/bin/env bash
# Database faults of every shape, against real PostgreSQL clusters: enumwatch's connection killed,
# a password rotated, max_connections exhausted, a crash while a poll and while a revision check
# are in flight, a network that stalls without closing, a first address that never answers.
# Each time the target goes up=0 with a one-line error, recovers without a daemon restart, and a
# target on another cluster keeps polling throughout.
source "$(dirname "$0")/lib.sh"
start_other_cluster
PG_MAX_CONNECTIONS=12 pg_start  # 3 of them reserved for superusers
psql_q -c "CREATE ROLE watcher LOGIN PASSWORD 'first-pw'" -c "CREATE ROLE filler LOGIN PASSWORD 'x'"
enum_database orders order_status paid
psql_q -d orders -c "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)" \
  -c "INSERT INTO alembic_version VALUES ('r1')" -c "GRANT SELECT ON alembic_version TO watcher"
PGPORT=$OTHER_PORT enum_database other order_status paid
write_enum_snapshot "$WORK/app.toml" order_status paid
echo "first-pw" >"$WORK/watcher.pass"
chmod 600 "$WORK/watcher.pass"
start_tcp_proxy "$PGPORT"
start_silent_server

daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "300ms"
timeout = "2s"
$(snapshot_section app app.toml)
[[target]]
name = "orders"
dsn = "host=127.0.0.1 port=$PGPORT dbname=orders user=watcher"
password_file = "watcher.pass"
snapshots = ["app"]
migration_table = "alembic_version"
revision_check_interval = "100ms"
interval = "5s"
[[target]]
name = "other"
dsn = "$(dsn_for other | sed "s/port=$PGPORT/port=$OTHER_PORT/")"
snapshots = ["app"]
[[target]]
name = "proxied"
dsn = "host=127.0.0.1 port=$PROXY_PORT dbname=orders user=postgres password=$PG_PASSWORD"
snapshots = ["app"]
[[target]]
name = "two-addresses"
dsn = "host=127.0.0.1,127.0.0.1 port=$SILENT_PORT,$PGPORT dbname=orders user=postgres password=$PG_PASSWORD"
snapshots = ["app"]
timeout = "3s"
TOML
start_daemon_ready "$WORK/enumwatch.toml" 15
for t in orders other proxied two-addresses; do
  [[ $(metric "enumwatch_up{target=\"$t\"}") == 1 ]] || fail "$t not up at start: $(curl -s "$BASE/api/v1/targets/$t")"
done
# A dead first address did not use up the poll: the second one answered within the timeout.
daemon_log_has "two-addresses" && grep "two-addresses" "$WORK/daemon.log" | grep -q "poll" &&
  fail "two-addresses had a failed poll: $(grep two-addresses "$WORK/daemon.log")"

other_ok() { metric 'enumwatch_polls_total{outcome="ok",target="other"}'; }
error_of() { curl -sf "$BASE/api/v1/targets/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["error"] or "")'; }
expect_down_then_up() {  # TARGET WHAT ERROR_PART RECOVER_COMMAND
  wait_for 10 "$1 down after $2" metric_is "enumwatch_up{target=\"$1\"}" 0
  local error
  error=$(error_of "$1")
  [[ $error == *"$3"* ]] || fail "$1 after $2: error \"$error\" lacks \"$3\""
  [[ $error != *$'\n'* ]] || fail "$1's error is not one line"
  eval "$4"
  wait_for 20 "$1 back up after $2" metric_is "enumwatch_up{target=\"$1\"}" 1
}
before_other=$(other_ok)

# 1. enumwatch's connection killed by a DBA: the next poll reconnects.
psql_q -d orders -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'watcher'" >/dev/null
psql_q -d orders -c "UPDATE alembic_version SET version_num = 'r2'"
wait_for 10 "orders sees r2 after its connection was killed" \
  metric_is 'enumwatch_migration_revision_info{revision="r2",target="orders"}' 1

# 2. The password rotated (the old session killed): down with the auth error; the new password
#    in password_file and a reload bring it back.
psql_q -c "ALTER ROLE watcher PASSWORD 'second-pw'"
psql_q -d orders -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'watcher'" >/dev/null
expect_down_then_up orders "a password rotation" "password authentication failed" \
  'echo second-pw >"$WORK/watcher.pass"; kill -HUP $DAEMON_PID'
expect_not_contains "$(curl -sf "$BASE/api/v1/status")" "second-pw" "status"

# 4. A crash while a poll or a revision check waits on a lock: the statement in flight fails,
#    the target goes down, and comes back after the restart.
psql -X -q -d orders -c "BEGIN; LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(30)" >/dev/null 2>&1 &
locker=$!
wait_for 10 "enumwatch waits on the lock" bash -c "[[ \$(psql -X -At -d orders -c \"SELECT count(*) FROM pg_stat_activity WHERE usename = 'watcher' AND wait_event_type = 'Lock'\") -ge 1 ]]"
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null
wait "$locker" 2>/dev/null || true
expect_down_then_up orders "a crash during a poll" "" 'pg_ctl_start'

# 3. max_connections exhausted by another application while enumwatch was disconnected (a
#    restart): down with PostgreSQL's reason, back once the connections are freed.
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
wait_for 10 "orders down while the cluster is stopped" metric_is 'enumwatch_up{target="orders"}' 0
pg_ctl_start
fillers=0
while PGPASSWORD=x psql -X -q -h 127.0.0.1 -p "$PGPORT" -U filler -d orders -c "SELECT 1" >/dev/null 2>&1; do
  PGPASSWORD=x psql -X -q -h 127.0.0.1 -p "$PGPORT" -U filler -d orders -c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
  on_exit "kill $! 2>/dev/null"
  fillers=$((fillers + 1))
  (( fillers < 20 )) || fail "max_connections never filled up"
  sleep 0.1
done
wait_for 30 "orders reports the exhausted slots" bash -c "curl -sf '$BASE/api/v1/targets/orders' | grep -q 'connection slots'"
[[ $(metric 'enumwatch_up{target="orders"}') == 0 ]] || fail "orders up without a connection slot"
psql_q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'filler'" >/dev/null
wait_for 30 "orders back up once slots are free" metric_is 'enumwatch_up{target="orders"}' 1

# 5. The network stalls without closing anything: the proxied target goes down within its
#    timeout, /metrics keeps answering in milliseconds, and it comes back when the network does.
touch "$WORK/proxy-stalled"
for _ in 1 2 3 4 5; do
  took=$(curl -s -o /dev/null -w '%{time_total}' "$BASE/metrics")
  python3 -c "import sys; sys.exit(0 if float('$took') < 0.5 else 1)" || fail "/metrics took ${took}s during a partition"
  sleep 0.3
done
expect_down_then_up proxied "a network stall" "timed out" 'rm -f "$WORK/proxy-stalled"'

# The other cluster's target was never hurt, the daemon never restarted, nothing unexpected.
(( $(other_ok) > before_other + 20 )) || fail "the other target stopped polling ($(other_ok) vs $before_other)"
[[ $(metric 'enumwatch_up{target="other"}') == 1 ]] || fail "the other target went down"
kill -0 "$DAEMON_PID" || fail "the daemon died"
for c in scheduler revision_watch; do
  [[ $(metric "enumwatch_internal_errors_total{component=\"$c\"}") == 0 ]] || fail "internal errors in $c"
done
expect_not_contains "$(cat "$WORK/daemon.log")" "first-pw" "the log"
pass "killed, rotated, exhausted, crashed, partitioned: all recovered"
