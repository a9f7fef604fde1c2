#!/usr/bin/env bash
# Issue #9's outage bug: a target with migration_table is watched between polls. The database
# stops for 5 s (fast shutdown, then a crash) and comes back: the target must keep being polled
# (polled_at moves past the restart), the same daemon process must do it (no restart by a
# watchdog), its internal-error counter must stay 0, and a new revision must be seen.
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status paid
psql_q -d orders -c "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)" \
  -c "INSERT INTO alembic_version VALUES ('r1')"
write_enum_snapshot "$WORK/app.toml" order_status paid

daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "1s"
timeout = "1s"
revision_check_interval = "500ms"
$(snapshot_section app app.toml)
$(target_section orders orders app)
migration_table = "alembic_version"
TOML
start_daemon "$WORK/enumwatch.toml"
wait_for 10 "orders up at r1" metric_is 'enumwatch_migration_revision_info{revision="r1",target="orders"}' 1

polled_at() { curl -sf "$BASE/api/v1/targets/orders" | python3 -c 'import json,sys; print(json.load(sys.stdin)["polled_at"])'; }
revision=2
for mode in fast immediate; do
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m "$mode" -w stop >/dev/null
  wait_for 10 "orders down after a $mode stop" metric_is 'enumwatch_up{target="orders"}' 0
  sleep 5
  restarted_at=$(date -u +%Y-%m-%dT%H:%M:%S)
  pg_ctl_start
  wait_for 30 "orders up again after a $mode stop" metric_is 'enumwatch_up{target="orders"}' 1
  # Polls go on after recovery: polled_at passes the restart and keeps moving.
  first=$(polled_at)
  [[ $first > $restarted_at ]] || fail "polled_at $first is not after the restart at $restarted_at ($mode)"
  sleep 2.5
  second=$(polled_at)
  [[ $second > $first ]] || fail "polled_at froze at $first after a $mode stop"
  # A migration after the restart is seen (the revision watch survived too).
  psql_q -d orders -c "UPDATE alembic_version SET version_num = 'r$revision'"
  wait_for 10 "revision r$revision seen after a $mode stop" \
    metric_is "enumwatch_migration_revision_info{revision=\"r$revision\",target=\"orders\"}" 1
  revision=$((revision + 1))
done
kill -0 "$DAEMON_PID" || fail "the daemon died"
for component in scheduler revision_watch; do
  [[ $(metric "enumwatch_internal_errors_total{component=\"$component\"}") == 0 ]] ||
    fail "unexpected internal errors in $component: $(grep 'internal error' "$WORK/daemon.log")"
done
pass "fast and immediate restarts survived by the same process"
