#!/usr/bin/env bash
# The monitoring mixin against reality: Debian's Prometheus scrapes a real daemon that watches a
# drifting database and a down target, sends alerts to a dead receiver, and has rejected a reload.
# Every PromQL expression of the Grafana dashboard and of the alerting rules is evaluated through
# Prometheus' HTTP API and must return data, unless it is listed below as expected-empty with the
# reason. The dashboard is valid Grafana JSON with its datasource, target and severity variables.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
pg_start
enum_database shop order_status pending paid legacy
psql_q -d shop -c "CREATE TABLE orders (status order_status)"
write_enum_snapshot "$WORK/app.toml" order_status pending paid refunded
DEAD_PORT=$(free_port)
daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "500ms"
naming = "none"
$(snapshot_section app "$WORK/app.toml")
$(target_section shop shop app)
[[target]]
name = "offline"
dsn = "host=127.0.0.1 port=1 dbname=none user=none"
snapshots = ["app"]
[alerting]
webhook_urls = ["http://127.0.0.1:$DEAD_PORT/hook"]
resend_interval = "1s"
TOML
start_daemon "$WORK/enumwatch.toml"
wait_for 10 "drift seen" metric_is 'enumwatch_drift_items{kind="missing_value",target="shop"}' 1
# A rejected reload: EnumwatchConfigReloadFailed's expression has something to find.
cp "$WORK/enumwatch.toml" "$WORK/good.toml"
echo "this is not toml [" >>"$WORK/enumwatch.toml"
kill -HUP "$DAEMON_PID"
wait_for 10 "reload rejected" metric_is 'enumwatch_config_last_reload_successful' 0

PROM_PORT=$(free_port)
cat >"$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: enumwatch
    static_configs:
      - targets: ["127.0.0.1:$PORT"]
YAML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
on_exit "kill $!"
wait_for 30 "prometheus ready" curl -sf "http://127.0.0.1:$PROM_PORT/-/ready"
# Enough samples for rate() over the dashboard's window, and failed deliveries to count.
wait_for 30 "a few scrapes" bash -c "curl -sf 'http://127.0.0.1:$PROM_PORT/api/v1/query?query=count_over_time(enumwatch_up%5B1m%5D)' | grep -q '\"value\":\[[0-9.]*,\"[5-9]\"'"

python3 - "http://127.0.0.1:$PROM_PORT" "$ROOT/deploy/grafana/enumwatch.json" "$ROOT/deploy/prometheus/enumwatch.rules.yml" <<'PY'
import json, sys, time, urllib.parse, urllib.request
prom, dashboard_path, rules_path = sys.argv[1:]

# Expected to return nothing from a healthy daemon, and why.
EXPECTED_EMPTY = {
    "EnumwatchTargetStale": "every target's loop is alive: no poll is overdue",
    "EnumwatchInternalErrors": "no internal error happened (the counter exists only once one did)",
    "EnumwatchNotifyTriggerMissing": "the test database never had the event trigger",
    "Internal errors": "no internal error happened (the counter exists only once one did)",
}

def query(expr, wait=0):
    """The result; with `wait`, asked again until it holds data or that many seconds passed:
    a counter's rate needs two scrapes that saw it move (a dead receiver's retries back off)."""
    deadline = time.time() + wait
    while True:
        url = prom + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        answer = json.load(urllib.request.urlopen(url))
        assert answer["status"] == "success", (expr, answer)
        if answer["data"]["result"] or time.time() >= deadline:
            return answer["data"]["result"]
        time.sleep(1)

def substitute(expr):
    return (expr.replace("$__rate_interval", "10s").replace("$target", ".*")
                .replace("$severity", ".*"))

dashboard = json.load(open(dashboard_path))
assert dashboard["schemaVersion"] >= 36 and dashboard["uid"] == "enumwatch"
variables = {v["name"]: v for v in dashboard["templating"]["list"]}
assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
assert variables["target"]["type"] == "query" and variables["severity"]["type"] == "custom"
targets = json.load(urllib.request.urlopen(prom + "/api/v1/label/target/values?match[]=enumwatch_up"))["data"]
assert sorted(targets) == ["offline", "shop"], targets
titles = set()
checked = 0
for panel in dashboard["panels"]:
    if panel["type"] == "row":
        continue
    titles.add(panel["title"])
    assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
    for target in panel["targets"]:
        result = query(substitute(target["expr"]), wait=0 if panel["title"] in EXPECTED_EMPTY else 60)
        checked += 1
        if panel["title"] in EXPECTED_EMPTY:
            print(f"expected empty: {panel['title']}: {EXPECTED_EMPTY[panel['title']]}")
            continue
        assert result, f"dashboard panel {panel['title']!r} returns no data: {target['expr']}"
        print(f"data: {panel['title']}: {target['expr']}")
for needed in ("Targets up", "Targets down", "Targets drifting", "Targets stale", "Drift items by kind",
               "Poll duration", "Poll outcomes", "Notification outcomes", "Last reload"):
    assert needed in titles, needed

# The rules file, read without a YAML library: each "expr:" (one line or a | block).
lines = open(rules_path).read().splitlines()
rules = []
for i, line in enumerate(lines):
    stripped = line.strip()
    if stripped.startswith("- alert:"):
        rules.append([stripped.split(":", 1)[1].strip(), ""])
    elif stripped.startswith("expr:"):
        value = stripped[len("expr:"):].strip()
        if value == "|":
            indent = len(lines[i + 1]) - len(lines[i + 1].lstrip())
            block = []
            for follow in lines[i + 1:]:
                if follow.strip() and len(follow) - len(follow.lstrip()) < indent:
                    break
                block.append(follow.strip())
            value = "\n".join(block)
        rules[-1][1] = value
assert len(rules) == 7, rules
for name, expr in rules:
    result = query(expr, wait=0 if name in EXPECTED_EMPTY else 60)
    checked += 1
    if name in EXPECTED_EMPTY:
        assert not result, f"{name} is expected empty ({EXPECTED_EMPTY[name]}) but returned {result}"
        print(f"expected empty: {name}: {EXPECTED_EMPTY[name]}")
        continue
    assert result, f"rule {name} returns no data: {expr}"
    print(f"data: {name}")
print(f"{checked} expressions evaluated")
PY
pass "every dashboard and rule expression returns data from a real Prometheus (or is expected empty)"
