#!/usr/bin/env bash
# A hot standby has the primary's event trigger in its catalog, but nothing fires there and LISTEN
# is refused during recovery: a target on the standby is polled, never LISTENs (no error loop in
# the log), and with notify = "on" its status says why. The primary's target listens as usual.
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status pending_payment paid
"$ENUMWATCH" install-trigger --dsn "$(dsn_for orders)" 2>/dev/null

STANDBY_DIR=$WORK/standby
STANDBY_PORT=$(free_port)
mkdir -p "$STANDBY_DIR" "$WORK/standby-log"
[[ $(id -u) -eq 0 ]] && chown postgres: "$STANDBY_DIR" "$WORK/standby-log"
chmod 700 "$STANDBY_DIR"
as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PGPORT" -U postgres -D "$STANDBY_DIR" -R -X stream -c fast >/dev/null
echo "port = $STANDBY_PORT" | as_pg tee -a "$STANDBY_DIR/postgresql.conf" >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$STANDBY_DIR" -l "$WORK/standby-log/server.log" -w -t 60 start >/dev/null
on_exit "as_pg $PG_BIN/pg_ctl -D $STANDBY_DIR -m immediate -w stop"
[[ $(psql -X -At -p "$STANDBY_PORT" -d orders -c "SELECT pg_is_in_recovery()") == t ]] || fail "not a standby"
[[ $(psql -X -At -p "$STANDBY_PORT" -d orders -c "SELECT count(*) FROM pg_event_trigger WHERE evtname = 'enumwatch_ddl_notify'") == 1 ]] ||
  fail "the standby should have the primary's trigger in its catalog"

daemon_port
write_enum_snapshot "$WORK/app.toml" order_status pending_payment paid
STANDBY_DSN="host=127.0.0.1 port=$STANDBY_PORT dbname=orders user=postgres password=$PG_PASSWORD"
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "500ms"
timeout = "3s"
$(snapshot_section app app.toml)
$(target_section primary orders app)
[[target]]
name = "standby"
dsn = "$STANDBY_DSN"
snapshots = ["app"]
[[target]]
name = "standby-strict"
dsn = "$STANDBY_DSN"
snapshots = ["app"]
notify = "on"
TOML
start_daemon_ready "$WORK/enumwatch.toml" 10
wait_for 10 "the primary listens" metric_is 'enumwatch_notify_listening{target="primary"}' 1
wait_for 10 "a few standby polls" metric_above 'enumwatch_polls_total{outcome="ok",target="standby"}' 4
[[ $(metric 'enumwatch_notify_listening{target="standby"}') == 0 ]] || fail "the standby target listens"
expect_contains "$(curl -sf "$BASE/api/v1/targets/standby")" '"error":null' "standby (auto)"
expect_contains "$(curl -sf "$BASE/api/v1/targets/standby-strict")" 'or is a standby, where none fires' \
  "standby with notify = on"
! daemon_log_has "LISTEN enumwatch_ddl connection" || fail "a listener was tried on the standby"
# Drift replicated to the standby is still found, by polling.
psql_q -d orders -c "ALTER TYPE order_status ADD VALUE 'refunded'"
wait_for 10 "the standby's target sees the replicated change" \
  metric_is 'enumwatch_drift_items{kind="unexpected_value",target="standby"}' 1
# The primary's log of who changed it is replicated too: the standby's target reads it, though no
# trigger counts as installed there.
curl -sf "$BASE/api/v1/targets/standby" | python3 -c '
import json, sys
items = [i for i in json.load(sys.stdin)["drift"] if i["kind"] == "unexpected_value"]
assert items and items[0]["changed_by"] and items[0]["changed_by"]["role"] == "postgres", items
' || fail "the standby's drift is not attributed from the replicated log"
pass "a standby's copy of the trigger is not listened to; its target polls and reads the log"
