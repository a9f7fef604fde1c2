#!/usr/bin/env bash
# The daemon's metrics follow the database: right values on the first polls, drift made by DDL
# shows up within one interval and goes away when fixed, the scrape passes promtool, /readyz waits
# for the first polls, the recipe keeps a type's dependents, and SIGTERM ends the process
# promptly with exit 0.
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status pending_payment paid cancelled refunded
psql_q -d orders -c "CREATE TABLE orders (id int, status order_status)"
enum_database billing currency eur usd
psql_q -d billing -c "CREATE TYPE extra AS ENUM ('x')"
cat >"$WORK/orders.toml" <<'TOML'
[snapshot]
revision = "r1"
[[enum]]
name = "order_status"
values = ["pending_payment", "paid", "cancelled", "refunded"]
TOML
write_enum_snapshot "$WORK/billing.toml" currency eur usd
daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
per_enum_metrics = true
[defaults]
interval = "1s"
timeout = "3s"
$(snapshot_section orders-app orders.toml)
$(snapshot_section billing-app billing.toml)
$(target_section orders orders orders-app)
$(target_section billing billing billing-app)
report_unexpected = false
TOML
start_daemon_ready "$WORK/enumwatch.toml" 5

[[ $(metric 'enumwatch_up{target="orders"}') == 1 ]] || fail "orders not up"
[[ $(metric 'enumwatch_up{target="billing"}') == 1 ]] || fail "billing not up"
[[ $(metric 'enumwatch_enums{source="database",target="billing"}') == 2 ]] || fail "billing database enums"
[[ $(metric 'enumwatch_enums{source="snapshot",target="billing"}') == 1 ]] || fail "billing snapshot enums"
[[ $(metric 'enumwatch_enum_values{enum="order_status",schema="public",source="database",target="orders"}') == 4 ]] ||
  fail "per-enum values"
[[ $(metric 'enumwatch_drift_items{kind="missing_value",target="orders"}') == 0 ]] || fail "drift_items present at 0"
scrape=$(curl -sf "$BASE/metrics")
for kind in missing_type missing_value case_mismatch unexpected_value order_mismatch unexpected_type \
  naming_violation revision_mismatch; do
  expect_contains "$scrape" "enumwatch_drift_items{kind=\"$kind\",target=\"orders\"} 0"
done
expect_contains "$scrape" 'enumwatch_snapshot_info{digest="'
expect_contains "$scrape" 'revision="r1",snapshot="orders-app"} 1'
expect_contains "$scrape" 'enumwatch_build_info{revision="'
expect_contains "$scrape" "process_resident_memory_bytes"
expect_contains "$scrape" 'enumwatch_polls_total{outcome="ok",target="orders"}'
expect_contains "$scrape" 'enumwatch_poll_duration_seconds_bucket{target="orders",le="0.005"}'
expect_not_contains "$scrape" "enumwatch_enum_drifted"
expect_not_contains "$scrape" "secret-pw"
curl -sf "$BASE/metrics" >"$WORK/scrape.txt"
promtool check metrics <"$WORK/scrape.txt" >"$WORK/promtool.out" 2>&1 || { cat "$WORK/promtool.out"; fail "promtool failed"; }
[[ ! -s $WORK/promtool.out ]] || { cat "$WORK/promtool.out"; fail "promtool reported findings"; }
# Prometheus asks for gzip: the same exposition, compressed, and said so; plain for a client that
# does not ask.
curl -sf -D "$WORK/gzip.headers" -H 'Accept-Encoding: gzip, deflate' "$BASE/metrics" -o "$WORK/scrape.gz"
grep -qi '^Content-Encoding: gzip' "$WORK/gzip.headers" || fail "no Content-Encoding: gzip for a scraper that accepts it"
gzip -dc "$WORK/scrape.gz" | grep -q '^enumwatch_up{target="orders"} 1' || fail "the gzip body is not the exposition"
(( $(stat -c %s "$WORK/scrape.gz") * 4 < $(stat -c %s "$WORK/scrape.txt") )) || fail "gzip did not compress"
curl -sf -D "$WORK/plain.headers" "$BASE/metrics" -o /dev/null
! grep -qi '^Content-Encoding' "$WORK/plain.headers" || fail "gzip sent to a client that did not ask"

# Drift by DDL is visible within one interval (1s) plus a poll.
psql_q -d orders -c "ALTER TYPE order_status RENAME VALUE 'pending_payment' TO 'PendingPayment'"
wait_for 3 "case_mismatch counted" metric_is 'enumwatch_drift_items{kind="case_mismatch",target="orders"}' 1
[[ $(metric 'enumwatch_enum_drifted{enum="order_status",schema="public",severity="critical",target="orders"}') == 1 ]] ||
  fail "enum_drifted missing"
status=$(curl -sf "$BASE/api/v1/status")
expect_contains "$status" '"kind":"case_mismatch"'
expect_contains "$(curl -sf "$BASE/api/v1/targets/orders")" '"name":"orders"'
[[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/targets/nope") == 404 ]] || fail "unknown target is not 404"

# Fixing it clears the counts, and the enum_drifted series goes away.
psql_q -d orders -c "ALTER TYPE order_status RENAME VALUE 'PendingPayment' TO 'pending_payment'"
wait_for 3 "case_mismatch cleared" metric_is 'enumwatch_drift_items{kind="case_mismatch",target="orders"}' 0
expect_not_contains "$(curl -sf "$BASE/metrics")" "enumwatch_enum_drifted"

# A dropped type: missing_type, critical.
psql_q -d billing -c "DROP TYPE currency"
wait_for 3 "missing_type counted" metric_is 'enumwatch_drift_items{kind="missing_type",target="billing"}' 1

# A value the snapshot lacks, on a type a view and a partial index use: the daemon's recipe (the
# one alerts and the API carry) keeps them, as `diff --format sql` does (docs/remediation.md).
psql_q -d orders -c "CREATE VIEW paid_orders AS SELECT id FROM orders WHERE status = 'paid'" \
  -c "CREATE INDEX live_orders ON orders (id) WHERE status <> 'cancelled'" \
  -c "ALTER TYPE order_status ADD VALUE 'lost'"
wait_for 3 "unexpected_value counted" metric_is 'enumwatch_drift_items{kind="unexpected_value",target="orders"}' 1
[[ $(metric 'enumwatch_up{target="orders"}') == 1 ]] || fail "orders not up while drifting"
curl -sf "$BASE/api/v1/targets/orders" | python3 -c '
import json, sys
items = [i for i in json.load(sys.stdin)["drift"] if i["kind"] == "unexpected_value"]
sql = items[0]["remediation_sql"]
for piece in ("DROP VIEW \"public\".\"paid_orders\"", "CREATE VIEW \"public\".\"paid_orders\"",
              "CREATE INDEX live_orders", "SET LOCAL lock_timeout", "enumwatch self-check"):
    assert piece in sql, (piece, sql)
' || fail "the daemon's remediation does not keep the view and the index"
# No trigger, so no log of who changed it: the daemon asks whether the log is there before it
# reads it, and the server's log shows no statement of the daemon's failing for its absence.
! grep -q 'relation "enumwatch.ddl_log" does not exist' "$WORK/pg/server.log" ||
  fail "the daemon read enumwatch.ddl_log where there is none: $(grep -c 'enumwatch.ddl_log' "$WORK/pg/server.log") lines in the server's log"

# SIGTERM: exit 0, promptly.
start=$(date +%s%N)
kill -TERM "$DAEMON_PID"
rc=0
wait "$DAEMON_PID" || rc=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
[[ $rc -eq 0 ]] || fail "SIGTERM exit code $rc"
((elapsed_ms < 5000)) || fail "SIGTERM took ${elapsed_ms}ms"
pass
