#!/usr/bin/env bash
# Impact (docs/drift-kinds.md): rows per drifting value. After ANALYZE of a 100 000-row table the estimate of
# a most common value is within 10 %; diff --impact exact counts right; the daemon's poll never
# scans the table (pg_stat_user_tables.seq_scan does not move, while exact mode's does).
source "$(dirname "$0")/lib.sh"
pg_start
psql_q -c "CREATE DATABASE shop"
psql_q -d shop <<'SQL'
CREATE TYPE status AS ENUM ('pending', 'paid', 'cancelled', 'refunded');
CREATE TABLE orders (id bigint PRIMARY KEY, status status NOT NULL);
INSERT INTO orders SELECT g, (CASE WHEN g % 10 < 6 THEN 'paid' WHEN g % 10 < 9 THEN 'cancelled'
                                   ELSE 'refunded' END)::status
FROM generate_series(1, 100000) g;
CREATE TABLE never_analysed (status status);
ANALYZE orders;
SQL
cat >"$WORK/app.toml" <<'TOML'
[[enum]]
name = "status"
values = ["pending", "paid"]
TOML
DSN=$(dsn_for shop)
seq_scans() {
  psql -X -At -d shop -c "SELECT pg_stat_force_next_flush()" -c "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'orders'" | tail -1
}

# never_analysed also holds the type and has no statistics: the total is unknown, and says why.
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/app.toml" --dsn "$DSN"
expect_contains "$OUT" 'rows holding "cancelled": unknown (unknown for public.never_analysed.status: never analysed)'
psql_q -d shop -c "DROP TABLE never_analysed"
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/app.toml" --dsn "$DSN" --format json
python3 - "$OUT" <<'PY'
import json, sys
items = {i["actual"]: i for i in json.loads(sys.argv[1])["drift"] if i["kind"] == "unexpected_value"}
cancelled = items["cancelled"]["impact"]
assert len(cancelled) == 1 and cancelled[0]["estimated"], cancelled
rows = cancelled[0]["rows"]
assert abs(rows - 30000) <= 3000, f"estimate {rows} is not within 10 % of 30000"
assert items["refunded"]["impact"][0]["rows"] > 0
PY
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/app.toml" --dsn "$DSN"
expect_contains "$OUT" 'rows hold "cancelled" (pg_stats most_common_freqs'
pass "the pg_stats estimate of a most common value is within 10 %; a table without statistics is unknown"

before=$(seq_scans)
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/app.toml" --dsn "$DSN" --impact exact --format json
python3 - "$OUT" <<'PY'
import json, sys
items = {i["actual"]: i["impact"][0] for i in json.loads(sys.argv[1])["drift"] if i["kind"] == "unexpected_value"}
assert items["cancelled"] == {"value": "cancelled", "rows": 30000, "estimated": False, "how": "counted"}, items
assert items["refunded"]["rows"] == 10000, items
PY
sleep 1.2
[[ $(seq_scans) -gt $before ]] || fail "exact mode did not scan: the seq_scan probe sees nothing"
expect_exit 2 "$ENUMWATCH" diff --snapshot "$WORK/app.toml" --dsn "$DSN" --impact exact --timeout 10ms
pass "diff --impact exact counts every row, and is bounded by --timeout"

daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "200ms"
naming = "none"
$(snapshot_section app "$WORK/app.toml")
[[target]]
name = "shop"
dsn = "$DSN"
snapshots = ["app"]
TOML
sleep 1.2
before=$(seq_scans)
start_daemon "$WORK/enumwatch.toml"
wait_for 10 "drift with impact" bash -c "curl -sf $BASE/api/v1/targets/shop | grep -q '\"rows\":'"
# Many polls; each full one reads pg_stats, none scans the table.
sleep 3
curl -sf "$BASE/api/v1/targets/shop" >"$WORK/status.json"
python3 - "$WORK/status.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
cancelled = next(i for i in t["drift"] if i["actual"] == "cancelled")
assert abs(cancelled["impact"][0]["rows"] - 30000) <= 3000, cancelled
PY
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
sleep 1.2  # the daemon's sessions have ended: their statistics are flushed
[[ $(seq_scans) == "$before" ]] || fail "the daemon's polls scanned the table: seq_scan $before -> $(seq_scans)"
pass "the daemon reports impact without one sequential scan"
