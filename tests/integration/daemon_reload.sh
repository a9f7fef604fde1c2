#!/usr/bin/env bash
# SIGHUP reloads the config and file-managed snapshots; an invalid config is rejected whole and the
# daemon goes on with the old one.
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status paid cancelled
enum_database billing currency eur
write_enum_snapshot "$WORK/app.toml" order_status paid cancelled
write_enum_snapshot "$WORK/billing.toml" currency eur
daemon_port
write_config() {
  cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "1s"
$(snapshot_section app app.toml)
$(snapshot_section billing billing.toml)
$(target_section orders orders app)
$1
TOML
}
write_config ""
start_daemon_up "$WORK/enumwatch.toml" 5 orders
[[ $(metric 'enumwatch_config_last_reload_successful') == 1 ]] || fail "initial load not counted"

# Valid reload: a target added, a snapshot file changed (drift appears at once).
write_config "$(target_section billing billing billing)"
write_enum_snapshot "$WORK/app.toml" order_status paid cancelled refunded
ok_before=$(metric 'enumwatch_polls_total{outcome="ok",target="orders"}')
kill -HUP "$DAEMON_PID"
wait_for 5 "billing added" metric_is 'enumwatch_up{target="billing"}' 1
wait_for 5 "new snapshot applied" metric_is 'enumwatch_drift_items{kind="missing_value",target="orders"}' 1
[[ $(metric 'enumwatch_config_last_reload_successful') == 1 ]] || fail "reload not successful"
daemon_log_has "1 added, 0 changed, 0 removed, 1 unchanged" || fail "reload summary not logged"
# The unchanged target kept its state: its poll counter kept counting from where it was.
(( $(metric 'enumwatch_polls_total{outcome="ok",target="orders"}') > ok_before )) || fail "orders counter reset"

# Invalid reload: rejected whole, old config keeps running, the metric says so.
cp "$WORK/enumwatch.toml" "$WORK/good.toml"
printf '[daemon]\nlisten = "127.0.0.1:%s"\nbogus_key = 1\n' "$PORT" >"$WORK/enumwatch.toml"
kill -HUP "$DAEMON_PID"
wait_for 5 "reload failure counted" metric_is 'enumwatch_config_last_reload_successful' 0
daemon_log_has "config reload rejected" || fail "rejection not logged"
daemon_log_has "unknown key daemon.bogus_key" || fail "rejection reason not logged"
kill -0 "$DAEMON_PID" || fail "daemon died on a bad config"
[[ $(metric 'enumwatch_up{target="billing"}') == 1 ]] || fail "old config not running"
polls=$(metric 'enumwatch_polls_total{outcome="ok",target="billing"}')
wait_for 5 "old targets still polled" metric_above 'enumwatch_polls_total{outcome="ok",target="billing"}' "$polls"

# A snapshot file broken on disk also rejects the reload.
cp "$WORK/good.toml" "$WORK/enumwatch.toml"
write_enum_snapshot "$WORK/billing.toml" currency eur eur
kill -HUP "$DAEMON_PID"
wait_for 5 "broken snapshot logged" daemon_log_has 'duplicate value \\"eur\\"\|duplicate value "eur"'

# Removing a target removes its series.
write_enum_snapshot "$WORK/billing.toml" currency eur
write_config ""
kill -HUP "$DAEMON_PID"
wait_for 5 "billing removed" bash -c "! curl -sf $BASE/metrics | grep -q 'target=\"billing\"'"
[[ $(metric 'enumwatch_config_last_reload_successful') == 1 ]] || fail "good reload not counted"

# An invalid config at start is exit 2.
printf '[daemon]\nlisten = 5\n' >"$WORK/bad.toml"
expect_exit 2 "$ENUMWATCH" run --config "$WORK/bad.toml"
expect_contains "$ERR" "bad.toml:2:"
pass
