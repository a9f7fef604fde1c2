#!/usr/bin/env bash
# Drift alerts reach real Alertmanagers (Debian's prometheus-alertmanager) and webhooks: with the
# right labels, resolved when fixed, delivered after an Alertmanager comes back, to both of an HA
# pair, and to a generic webhook in Alertmanager's webhook shape.
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status pending_payment paid
psql_q -d orders -c "CREATE TABLE orders (status order_status)"
write_enum_snapshot "$WORK/app.toml" order_status pending_payment paid

start_webhook_receiver  # every POST to $WORK/hooks.log as "PATH BODY"

# Two Alertmanagers (an HA pair as enumwatch sees it: two URLs), routing to the webhook.
cat >"$WORK/am.yml" <<YAML
route:
  receiver: hook
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:$HOOK_PORT/from-alertmanager
        send_resolved: true
YAML
AM1_PORT=$(free_port)
AM2_PORT=$(free_port)
start_alertmanager() {  # NAME PORT
  mkdir -p "$WORK/$1"
  prometheus-alertmanager --config.file="$WORK/am.yml" --storage.path="$WORK/$1" \
    --web.listen-address="127.0.0.1:$2" --cluster.listen-address= >>"$WORK/$1.log" 2>&1 &
  eval "${1}_PID=$!"
  on_exit "kill $! 2>/dev/null"
  wait_for 20 "$1 ready" curl -sf "http://127.0.0.1:$2/-/ready"
}
start_alertmanager am1 "$AM1_PORT"
start_alertmanager am2 "$AM2_PORT"

daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "500ms"
drift_for = "0s"
naming = "none"
$(snapshot_section app app.toml)
$(target_section orders orders app)
labels = { team = "payments", env = "test" }
[alerting]
alertmanager_urls = ["http://127.0.0.1:$AM1_PORT", "http://127.0.0.1:$AM2_PORT/"]
webhook_urls = ["http://127.0.0.1:$HOOK_PORT/direct"]
resend_interval = "1s"
external_url = "http://ops-host:$PORT"
runbook_url = "https://runbooks.example/enumwatch"
TOML
start_daemon_ready "$WORK/enumwatch.toml" 5

# alert_in PORT: the EnumDrift alert for orders/public.order_status as Alertmanager holds it.
alert_in() {
  curl -sf "http://127.0.0.1:$1/api/v2/alerts" | python3 -c '
import json, sys
for a in json.load(sys.stdin):
    l = a["labels"]
    if l.get("alertname") == "EnumDrift" and l.get("target") == "orders" and l.get("enum") == "order_status":
        print(json.dumps(a)); break'
}
has_alert() { [[ -n $(alert_in "$1") ]]; }
no_alert() { [[ -z $(alert_in "$1") ]]; }

# Drift by DDL: the alert reaches both Alertmanagers with the right labels and annotations.
psql_q -d orders -c "ALTER TYPE order_status RENAME VALUE 'pending_payment' TO 'PendingPayment'"
wait_for 15 "alert in am1" has_alert "$AM1_PORT"
wait_for 15 "alert in am2" has_alert "$AM2_PORT"
alert_in "$AM1_PORT" | python3 -c '
import json, sys
a = json.load(sys.stdin)
l, an = a["labels"], a["annotations"]
assert l == {"alertname": "EnumDrift", "target": "orders", "schema": "public", "enum": "order_status",
             "severity": "critical", "team": "payments", "env": "test"}, l
assert "case_mismatch" in an["summary"], an
assert "PendingPayment" in an["description"], an
assert "RENAME VALUE" in an["remediation"], an
assert an["runbook_url"] == "https://runbooks.example/enumwatch", an
assert a["generatorURL"].startswith("http://ops-host:"), a
' || fail "alert labels/annotations are not as expected: $(alert_in "$AM1_PORT")"
wait_for 15 "Alertmanager's webhook notified" grep -q '^/from-alertmanager .*"status":"firing".*EnumDrift' "$WORK/hooks.log"
wait_for 15 "direct webhook notified" grep -q '^/direct .*"version":"4".*"status":"firing"' "$WORK/hooks.log"
metric_above 'enumwatch_alert_notifications_total{outcome="ok",receiver="http://127.0.0.1:'"$AM1_PORT"'"}' 0 ||
  fail "notifications not counted"

# Fixed: resolved in Alertmanager and at the webhooks.
psql_q -d orders -c "ALTER TYPE order_status RENAME VALUE 'PendingPayment' TO 'pending_payment'"
wait_for 15 "alert resolved in am1" no_alert "$AM1_PORT"
wait_for 15 "alert resolved in am2" no_alert "$AM2_PORT"
wait_for 15 "Alertmanager's webhook told of the resolution" grep -q '^/from-alertmanager .*"status":"resolved"' "$WORK/hooks.log"
wait_for 15 "direct webhook told of the resolution" grep -q '^/direct .*"status":"resolved"' "$WORK/hooks.log"

# am1 is down while drift appears: am2 gets it at once, am1 once it is back, without a restart.
kill "$am1_PID"
wait "$am1_PID" 2>/dev/null || true
psql_q -d orders -c "ALTER TYPE order_status ADD VALUE 'legacy'"
wait_for 15 "alert in am2 while am1 is down" has_alert "$AM2_PORT"
sleep 3
metric_above 'enumwatch_alert_notifications_total{outcome="error",receiver="http://127.0.0.1:'"$AM1_PORT"'"}' 0 ||
  fail "failed deliveries to am1 not counted"
rm -rf "$WORK/am1"
start_alertmanager am1 "$AM1_PORT"
wait_for 60 "alert delivered to am1 after it came back" has_alert "$AM1_PORT"
kill -0 "$DAEMON_PID" || fail "daemon died"
alert_in "$AM1_PORT" | grep -q '"severity": "warning"' || fail "unexpected_value alert should be a warning"
pass
