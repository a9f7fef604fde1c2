#!/usr/bin/env bash
# A database that goes away turns enumwatch_up to 0 and comes back on its own; a host that accepts
# TCP but never answers times out at its timeout while the other targets keep their schedule.
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status paid
write_enum_snapshot "$WORK/app.toml" order_status paid

start_silent_server
silent_port=$SILENT_PORT

daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "500ms"
timeout = "1s"
$(snapshot_section app app.toml)
$(target_section orders orders app)
[[target]]
name = "silent"
dsn = "host=127.0.0.1 port=$silent_port dbname=orders user=postgres password=hunter2"
snapshots = ["app"]
TOML
start_daemon_up "$WORK/enumwatch.toml" 5 orders

# The silent target times out at 1s; meanwhile orders keeps polling every 500ms.
wait_for 5 "silent timed out" metric_is 'enumwatch_polls_total{outcome="timeout",target="silent"}' 1
[[ $(metric 'enumwatch_up{target="silent"}') == 0 ]] || fail "silent target is up"
before=$(metric 'enumwatch_polls_total{outcome="ok",target="orders"}')
sleep 2.2
after=$(metric 'enumwatch_polls_total{outcome="ok",target="orders"}')
(( after - before >= 3 )) || fail "orders polled $((after - before)) times in 2.2s while silent timed out"
sum=$(metric 'enumwatch_poll_duration_seconds_sum{target="silent"}')
python3 -c "import sys; s=float('$sum'); n=int('$(metric 'enumwatch_poll_duration_seconds_count{target="silent"}')'); sys.exit(0 if 0.9 <= s/n <= 2.5 else 1)" ||
  fail "silent polls did not last about their 1s timeout (sum $sum)"
expect_contains "$(curl -sf "$BASE/api/v1/targets/silent")" "timed out"
expect_not_contains "$(curl -sf "$BASE/api/v1/status")" "hunter2"

# The database stops: up goes to 0, the error says why; it starts again: up returns to 1.
pg_stop
wait_for 5 "orders down" metric_is 'enumwatch_up{target="orders"}' 0
expect_contains "$(curl -sf "$BASE/api/v1/targets/orders")" '"up":false'
pg_ctl_start
wait_for 15 "orders back up without a restart" metric_is 'enumwatch_up{target="orders"}' 1
kill -0 "$DAEMON_PID" || fail "daemon died"
daemon_log_has "target orders: back up" || fail "recovery not logged"
pass
