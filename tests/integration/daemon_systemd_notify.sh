#!/usr/bin/env bash
# Type=notify: READY=1 once listening, WATCHDOG=1 pings at half of WATCHDOG_USEC, RELOADING=1 and
# READY=1 around a SIGHUP reload, STOPPING=1 on SIGTERM; no timestamps in logs under journald.
source "$(dirname "$0")/lib.sh"
pg_start
psql_q -c "CREATE DATABASE orders"
write_enum_snapshot "$WORK/app.toml" order_status paid
daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "1s"
$(snapshot_section app app.toml)
$(target_section orders orders app)
TOML

python3 "$SUPPORT_DIR/notify_socket.py" "$WORK/notify.sock" "$WORK/notify.log" &
on_exit "kill $!"
wait_for 5 "notify socket" test -S "$WORK/notify.sock"

NOTIFY_SOCKET=$WORK/notify.sock WATCHDOG_USEC=1000000 JOURNAL_STREAM=8:1234 start_daemon "$WORK/enumwatch.toml"
wait_for 5 "READY=1" grep -q "READY=1" "$WORK/notify.log"
wait_for 5 "two watchdog pings" bash -c "[[ \$(grep -c WATCHDOG=1 '$WORK/notify.log') -ge 2 ]]"
grep "READY=1" "$WORK/notify.log" | grep -q "STATUS=" || fail "READY without STATUS"
wait_for 5 "first poll" curl -sf "$BASE/readyz"

kill -HUP "$DAEMON_PID"
wait_for 5 "RELOADING=1" grep -q "RELOADING=1 | MONOTONIC_USEC=" "$WORK/notify.log"
[[ $(grep -c "READY=1" "$WORK/notify.log") -ge 2 ]] || wait_for 5 "READY=1 after reload" \
  bash -c "[[ \$(grep -c READY=1 '$WORK/notify.log') -ge 2 ]]"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "exit code $? on SIGTERM"
wait_for 5 "STOPPING=1" grep -q "STOPPING=1" "$WORK/notify.log"

# Under journald (JOURNAL_STREAM set) log lines start with the level, not a timestamp.
grep -q "^info: enumwatch listening" "$WORK/daemon.log" || { cat "$WORK/daemon.log"; fail "journald log format"; }
pass
