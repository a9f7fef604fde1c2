#!/usr/bin/env bash
# Two services' snapshots of one target that disagree on a type (or a check column): one
# snapshot_conflict per type, naming both snapshots, their revisions and the difference, whatever
# the database holds; from `check`, `check --snapshots-only` (no database), `diff --against`, and
# the daemon's metrics and alerts.
source "$(dirname "$0")/lib.sh"
pg_start
enum_database shop status new paid refunded
psql_q -d shop -c "CREATE TYPE size AS ENUM ('s', 'm')" \
  -c "CREATE TYPE tone AS ENUM ('a', 'b')" \
  -c "CREATE TABLE orders (status status, size size, tone tone, channel text CHECK (channel IN ('web', 'store')))"

# billing and shipping disagree in three shapes: a value only one has (status), a spelling
# (size), an order (tone); and on a check column. They agree with each other on nothing else.
cat >"$WORK/billing.toml" <<'TOML'
[snapshot]
revision = "b-101"
[[enum]]
name = "status"
values = ["new", "paid", "refunded"]
[[enum]]
name = "size"
values = ["s", "m"]
[[enum]]
name = "tone"
values = ["a", "b"]
[[check]]
table = "orders"
column = "channel"
values = ["web", "store"]
TOML
cat >"$WORK/shipping.toml" <<'TOML'
[snapshot]
revision = "s-7"
[[enum]]
name = "status"
values = ["new", "paid"]
[[enum]]
name = "size"
values = ["S", "m"]
[[enum]]
name = "tone"
values = ["b", "a"]
[[check]]
table = "orders"
column = "channel"
values = ["store", "web", "phone"]
TOML

start_webhook_receiver

daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "500ms"
naming = "none"
report_unexpected = false
$(snapshot_section billing "$WORK/billing.toml")
$(snapshot_section shipping "$WORK/shipping.toml")
$(target_section shop shop billing shipping)
[alerting]
webhook_urls = ["http://127.0.0.1:$HOOK_PORT/hook"]
resend_interval = "1s"
TOML

check_conflicts() {  # JSON of check or --snapshots-only: one conflict per type, each explained
  python3 - "$1" <<'PY'
import json, sys
items = [i for t in json.loads(sys.argv[1])["targets"] for i in t["drift"] if i["kind"] == "snapshot_conflict"]
by = {i["enum"]: i for i in items}
assert sorted(by) == ["orders.channel", "size", "status", "tone"], sorted(by)
for i in items:
    assert i["severity"] == "critical", i
    assert '"billing" (revision "b-101") and "shipping" (revision "s-7") disagree' in i["message"], i
assert '"billing" has "refunded" that "shipping" lacks' in by["status"]["message"], by["status"]
assert '"billing" has "s" that "shipping" lacks; "shipping" has "S" that "billing" lacks' in by["size"]["message"]
assert "the same values in a different order" in by["tone"]["message"], by["tone"]
assert '"shipping" has "phone" that "billing" lacks' in by["orders.channel"]["message"]
assert by["orders.channel"]["table"] == "orders" and by["orders.channel"]["column"] == "channel"
assert by["status"]["expected"] == ["new", "paid", "refunded"] and by["status"]["actual"] == ["new", "paid"]
PY
}
# The database matches billing exactly: the conflicts are reported all the same.
expect_exit 1 "$ENUMWATCH" check --config "$WORK/enumwatch.toml" --format json
check_conflicts "$OUT"
# In CI, with no database at all (the DSN points nowhere).
sed "s|^dsn = .*|dsn = \"host=127.0.0.1 port=1 dbname=none\"|" "$WORK/enumwatch.toml" >"$WORK/offline.toml"
expect_exit 1 "$ENUMWATCH" check --config "$WORK/offline.toml" --snapshots-only --format json
check_conflicts "$OUT"
expect_exit 1 "$ENUMWATCH" check --config "$WORK/offline.toml" --snapshots-only
expect_contains "$OUT" "snapshot_conflict"
# Agreeing snapshots pass.
sed -i 's|shipping.toml|billing.toml|' "$WORK/offline.toml"
expect_exit 0 "$ENUMWATCH" check --config "$WORK/offline.toml" --snapshots-only
pass "check and check --snapshots-only report one conflict per type, in three shapes and on a check"

expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/billing.toml" --against "$WORK/shipping.toml" --format json
python3 - "$OUT" <<'PY'
import json, sys
items = json.loads(sys.argv[1])["drift"]
conflicts = sorted(i["enum"] for i in items if i["kind"] == "snapshot_conflict")
assert conflicts == ["orders.channel", "size", "status", "tone"], conflicts
PY
pass "diff --against between two snapshot files reports the conflicts"

start_daemon "$WORK/enumwatch.toml"
wait_for 10 "conflicts counted" metric_is 'enumwatch_drift_items{kind="snapshot_conflict",target="shop"}' 4
wait_for 10 "conflict alert" grep -q '"enum":"status".*snapshot_conflict' "$WORK/hooks.log"
python3 - "$WORK/hooks.log" <<'PY'
import json, sys
alerts = [a for line in open(sys.argv[1]) for a in json.loads(line.split(" ", 1)[1])["alerts"]]
status = next(a for a in alerts if a["labels"]["enum"] == "status")
assert status["labels"]["severity"] == "critical", status
assert "snapshot_conflict" in status["annotations"]["description"], status
assert '"refunded"' in status["annotations"]["description"], status
PY
pass "the daemon counts the conflicts and alerts on them"
