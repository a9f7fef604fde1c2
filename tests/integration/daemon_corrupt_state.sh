#!/usr/bin/env bash
# A registered snapshot's state on disk goes bad: a truncated current.json, garbage in history/,
# a state directory the daemon may not read. The daemon starts on the newest valid version and
# says so loudly (log + enumwatch_internal_errors_total{component="snapshot_store"}); a permission
# error stops the start with a clear message instead of passing for "never registered".
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status pending_payment paid
write_token "$WORK/api.token" "corrupt-state-token"
daemon_port
mkdir -p "$WORK/state"
cat >"$WORK/enumwatch.toml" <<TOML
[daemon]
listen = "127.0.0.1:$PORT"
state_dir = "$WORK/state"
api_token_file = "api.token"
[defaults]
interval = "30s"
$(snapshot_section orders-app)
$(target_section orders orders orders-app)
TOML
register() {  # register REVISION
  printf '[snapshot]\nrevision = "%s"\n[[enum]]\nname = "order_status"\nvalues = ["pending_payment", "paid"]\n' "$1" >"$WORK/$1.toml"
  "$ENUMWATCH" register --url "$BASE" --snapshot orders-app --file "$WORK/$1.toml" \
    --token-file "$WORK/api.token" >/dev/null 2>&1 || fail "registering $1"
  sleep 0.01  # history file names carry the millisecond
}
revision_served() { curl -sf "$BASE/api/v1/snapshots/orders-app" | python3 -c 'import json,sys; print(json.load(sys.stdin)["revision"])'; }
restart() {
  stop_daemon
  : >"$WORK/daemon.log"
  start_daemon "$WORK/enumwatch.toml"
}
store=$WORK/state/snapshots/orders-app

start_daemon "$WORK/enumwatch.toml"
register v1
register v2
register v3
[[ $(revision_served) == v3 ]] || fail "v3 not current"

# 1. current.json cut short (a crash of a careless editor, a full disk): history's newest, v3.
head -c 40 "$store/current.json" >"$store/cut" && mv "$store/cut" "$store/current.json"
restart
[[ $(revision_served) == v3 ]] || fail "after a truncated current.json: $(revision_served), not v3"
daemon_log_has "recovered from history" || fail "the recovery was not logged"
[[ $(metric 'enumwatch_internal_errors_total{component="snapshot_store"}') == 1 ]] ||
  fail "the recovery was not counted"
wait_for 5 "target polled with the recovered snapshot" curl -sf "$BASE/readyz"
expect_not_contains "$(curl -sf "$BASE/api/v1/status")" "not registered"

# 2. Garbage as current.json, and the newest history files garbled or not JSON at all: v2.
echo 'not json {{{' >"$store/current.json"
newest=$(ls "$store/history" | sort | tail -n 1)
printf '{"name":"orders-app","digest":"x","registered_at_ms":1,"snapshot":{"enum":[]}}' >"$store/history/$newest"
echo "garbage" >"$store/history/9999999999999-garbage.json"
restart
[[ $(revision_served) == v2 ]] || fail "after garbage: $(revision_served), not v2"
daemon_log_has "$newest" || fail "the log does not name the version used or skipped"

# 3. A fresh registration repairs it: current again, no recovery on the next start.
register v4
restart
[[ $(revision_served) == v4 ]] || fail "v4 not current after re-registering"
[[ $(metric 'enumwatch_internal_errors_total{component="snapshot_store"}') == 0 ]] ||
  fail "a repaired store still reported as recovered"
stop_daemon

# 4. A state directory the daemon's user cannot read is an error at start, not "never registered".
chmod 700 "$store"
chmod -R a+rX "$WORK/state" 2>/dev/null || true
chmod 700 "$store"
rc=0
timeout 10 runuser -u nobody -- "$ENUMWATCH" run --config "$WORK/enumwatch.toml" >"$WORK/nobody.log" 2>&1 || rc=$?
[[ $rc -eq 2 ]] || { cat "$WORK/nobody.log"; fail "unreadable state: exit $rc, not 2"; }
expect_contains "$(cat "$WORK/nobody.log")" "Permission denied" "the start error"
expect_contains "$(cat "$WORK/nobody.log")" "state_dir" "the start error"
expect_not_contains "$(cat "$WORK/nobody.log")" "corrupt-state-token" "the start error"
pass "truncated, garbled and unreadable state"
