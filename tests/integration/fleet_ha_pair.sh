#!/usr/bin/env bash
# An HA pair (docs/fleet.md): two identical daemons watch the same targets as a plain monitoring
# role and send every alert to both Alertmanagers of a real cluster (Debian's
# prometheus-alertmanager, gossiping on loopback). Their alerts carry the same labels (no instance),
# so the cluster notifies the receiver once per alert; with one daemon killed, a new drift still
# reaches the receiver, once.
source "$(dirname "$0")/lib.sh"
pg_start
psql_q -c "CREATE ROLE watcher LOGIN PASSWORD 'watch-pw'" \
  -c "CREATE TYPE order_status AS ENUM ('pending_payment', 'paid')" \
  -c "CREATE TYPE refund_reason AS ENUM ('damaged', 'late')"
{ enum_entry order_status pending_payment paid; enum_entry refund_reason damaged late; } >"$WORK/app.toml"

start_webhook_receiver  # every POST to $WORK/hooks.log as "PATH BODY"
cat >"$WORK/am.yml" <<YAML
route:
  receiver: hook
  group_by: [alertname, target, schema, enum]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:$HOOK_PORT/from-alertmanager
YAML
AM_PORTS=("$(free_port)" "$(free_port)")
GOSSIP_PORTS=("$(free_port)" "$(free_port)")
for i in 0 1; do
  mkdir -p "$WORK/am$i"
  # A short peer timeout: the second member waits this long for the first one's notification
  # to be gossiped before it would send its own.
  prometheus-alertmanager --config.file="$WORK/am.yml" --storage.path="$WORK/am$i" \
    --web.listen-address="127.0.0.1:${AM_PORTS[i]}" \
    --cluster.listen-address="127.0.0.1:${GOSSIP_PORTS[i]}" \
    --cluster.peer="127.0.0.1:${GOSSIP_PORTS[1 - i]}" \
    --cluster.gossip-interval=100ms --cluster.pushpull-interval=1s --cluster.peer-timeout=2s \
    --cluster.settle-timeout=3s \
    >>"$WORK/am$i.log" 2>&1 &
  on_exit "kill $! 2>/dev/null"
done
cluster_ready() {
  curl -sf "http://127.0.0.1:$1/api/v2/status" | python3 -c '
import json, sys
c = json.load(sys.stdin)["cluster"]
sys.exit(0 if c["status"] == "ready" and len(c["peers"]) == 2 else 1)'
}
for i in 0 1; do wait_for 30 "alertmanager $i in a cluster of two" cluster_ready "${AM_PORTS[i]}"; done

declare -a PORTS PIDS
for k in 0 1; do
  PORTS[k]=$(free_port)
  mkdir -p "$WORK/state-$k"
  cat >"$WORK/enumwatch-$k.toml" <<TOML
[daemon]
listen = "127.0.0.1:${PORTS[k]}"
state_dir = "$WORK/state-$k"
[defaults]
interval = "500ms"
naming = "none"
$(snapshot_section app "$WORK/app.toml")
[[target]]
name = "orders"
dsn = "host=127.0.0.1 port=$PGPORT dbname=postgres user=watcher password=watch-pw"
snapshots = ["app"]
labels = { team = "payments" }
[alerting]
alertmanager_urls = ["http://127.0.0.1:${AM_PORTS[0]}", "http://127.0.0.1:${AM_PORTS[1]}"]
resend_interval = "1s"
external_url = "http://enumwatch.example:9747"
TOML
  "$ENUMWATCH" run --config "$WORK/enumwatch-$k.toml" >>"$WORK/daemon-$k.log" 2>&1 &
  PIDS[k]=$!
  on_exit "kill -9 ${PIDS[k]} 2>/dev/null"
done
for k in 0 1; do wait_for 15 "daemon $k ready" curl -sf "http://127.0.0.1:${PORTS[k]}/readyz"; done

# notifications ENUM: how many times the receiver was told the EnumDrift alert of ENUM fires.
notifications() {
  python3 - "$WORK/hooks.log" "$1" <<'PY'
import json, sys
count = 0
for line in open(sys.argv[1], encoding="utf-8"):
    path, _, body = line.partition(" ")
    if path != "/from-alertmanager":
        continue
    for alert in json.loads(body)["alerts"]:
        if alert["status"] == "firing" and alert["labels"].get("enum") == sys.argv[2]:
            assert "instance" not in alert["labels"], alert["labels"]
            count += 1
print(count)
PY
}
notified_once() { [[ $(notifications "$1") == 1 ]]; }

psql_q -c "ALTER TYPE order_status ADD VALUE 'refunded'"
for k in 0 1; do
  wait_for 10 "daemon $k sends the alert" bash -c "curl -sf http://127.0.0.1:${PORTS[k]}/metrics |
    grep -q 'enumwatch_alert_notifications_total{outcome=\"ok\",receiver=\"http://127.0.0.1:${AM_PORTS[1]}\"}'"
done
wait_for 20 "the receiver notified" notified_once order_status
sleep 4  # both daemons resend every second meanwhile; both Alertmanagers hold the alert
[[ $(notifications order_status) == 1 ]] || fail "notified $(notifications order_status) times for one alert of an HA pair"
for i in 0 1; do
  curl -sf "http://127.0.0.1:${AM_PORTS[i]}/api/v2/alerts" | grep -q '"enum":"order_status"' ||
    fail "alertmanager $i does not hold the alert"
done
pass "two daemons, two Alertmanagers: one notification per alert"

kill -9 "${PIDS[0]}"
psql_q -c "ALTER TYPE refund_reason ADD VALUE 'fraud'"
wait_for 20 "the survivor's new alert notified" notified_once refund_reason
sleep 3
[[ $(notifications refund_reason) == 1 ]] || fail "notified $(notifications refund_reason) times with one daemon left"
[[ $(notifications order_status) == 1 ]] || fail "the first alert was notified again after a daemon died"
pass "one daemon of the pair killed: alerts still reach the receiver, once"
