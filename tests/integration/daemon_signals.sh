#!/usr/bin/env bash
# Signals as an operator's scripts send them: 50 SIGHUPs within a second change nothing but the
# reload counters; SIGTERM while a poll hangs, while a delivery hangs and while snapshot PUTs
# stream in ends the daemon cleanly within 5 s, and every PUT it acknowledged is on disk.
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status paid refunded
write_enum_snapshot "$WORK/app.toml" order_status paid
write_token "$WORK/api.token" "signals-token-0123456789"
start_silent_server   # a database host that hangs every poll, and an Alertmanager that never answers
daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
api_token_file = "api.token"
[defaults]
interval = "200ms"
drift_for = "0s"
$(snapshot_section app app.toml)
$(snapshot_section api-managed)
$(target_section orders orders app api-managed)
[[target]]
name = "hangs"
dsn = "host=127.0.0.1 port=$SILENT_PORT dbname=x user=x password=x"
snapshots = ["app"]
timeout = "60s"
[alerting]
alertmanager_urls = ["http://127.0.0.1:$SILENT_PORT"]
TOML
start_daemon_up "$WORK/enumwatch.toml" 10 orders

# 50 SIGHUPs within a second.
before=$(metric 'enumwatch_polls_total{outcome="ok",target="orders"}')
for _ in $(seq 50); do kill -HUP "$DAEMON_PID"; sleep 0.02; done
sleep 1
kill -0 "$DAEMON_PID" || fail "the daemon died of SIGHUPs"
[[ $(metric enumwatch_config_last_reload_successful) == 1 ]] || fail "a reload failed"
metric_above 'enumwatch_polls_total{outcome="ok",target="orders"}' "$before" || fail "polling stopped"
[[ $(metric 'enumwatch_internal_errors_total{component="reload"}') == 0 ]] || fail "reload errors"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz") == 200 ]] || fail "no answer after SIGHUPs"

# SIGTERM while "hangs" is mid-poll, a delivery to the silent Alertmanager is mid-request, and
# PUTs stream in: the daemon exits 0 once the hung delivery's 5 s drain is up (docs/reliability.md,
# "Shutdown drains alert deliveries"), within 7 s; the last acknowledged PUT is what is on disk
# (or a later one whose answer was lost), never a torn file.
wait_for 5 "drift, so an alert is being delivered" bash -c "[[ \$(curl -sf '$BASE/metrics' | grep -c 'enumwatch_enum_drifted{') -ge 1 ]]"
python3 - "$BASE" "$WORK/api.token" "$WORK/acked" <<'PY' &
import sys, time, urllib.request
base, token, acked = sys.argv[1], open(sys.argv[2]).read().strip(), sys.argv[3]
n = 0
end = time.time() + 20
while time.time() < end:
    n += 1
    body = f'[snapshot]\nrevision = "{n}"\n[[enum]]\nname = "order_status"\nvalues = ["paid", "refunded"]\n'
    req = urllib.request.Request(base + "/api/v1/snapshots/api-managed", data=body.encode(), method="PUT",
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/toml"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            if r.status == 200:
                open(acked, "w").write(str(n))
    except Exception:
        break
PY
putter=$!
# PUTs are streaming in (not a fixed second, which a loaded machine may spend starting Python).
wait_for 15 "three PUTs acknowledged" bash -c "(( \$(cat '$WORK/acked' 2>/dev/null || echo 0) >= 3 ))"
started=$(date +%s.%N)
kill -TERM "$DAEMON_PID"
rc=0
wait "$DAEMON_PID" || rc=$?
took=$(python3 -c "import time; print(round(time.time() - $started, 2))")
wait "$putter" 2>/dev/null || true
[[ $rc -eq 0 ]] || fail "exit code $rc after SIGTERM"
python3 -c "import sys; sys.exit(0 if $took < 7 else 1)" || fail "took ${took}s to exit"
daemon_log_has "enumwatch stopped" || fail "no clean stop in the log"
acked=$(cat "$WORK/acked")
stored=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["snapshot"]["snapshot"]["revision"])' \
  "$WORK/snapshots/api-managed/current.json") || fail "current.json is torn"
(( stored >= acked )) || fail "PUT $acked was acknowledged but $stored is on disk"
(( acked >= 3 )) || fail "only $acked PUTs were acknowledged before SIGTERM"

# It starts again on what it stored.
start_daemon "$WORK/enumwatch.toml"
expect_contains "$(curl -sf "$BASE/api/v1/snapshots/api-managed")" "\"revision\":\"$stored\""
pass "50 SIGHUPs; SIGTERM mid-poll, mid-delivery and mid-PUT: exit 0 in ${took}s, PUT $acked acknowledged, $stored stored"
