#!/usr/bin/env bash
# `enumwatch register` and `enumwatch poll`, as deploy pipelines call them: the digest on success,
# exit 2 with a one-line reason (bad token, no token configured, file-managed snapshot, broken
# file, unknown target, daemon down), the token never printed, and the daemon acting at once.
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status pending_payment paid
write_enum_snapshot "$WORK/file.toml" order_status pending_payment paid
write_token "$WORK/api.token" "s3cr3t-token-0123456789"
echo "wrong-token" >"$WORK/wrong.token"
daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
api_token_file = "api.token"
[defaults]
interval = "10m"
$(snapshot_section orders-app)
$(snapshot_section file-one file.toml)
$(target_section orders orders orders-app file-one)
TOML
start_daemon_ready "$WORK/enumwatch.toml" 5

printf '[snapshot]\nrevision = "v1"\n[[enum]]\nname = "order_status"\nvalues = ["pending_payment", "paid", "refunded"]\n' \
  >"$WORK/v1.toml"
expect_exit 0 "$ENUMWATCH" register --url "$BASE" --snapshot orders-app --file "$WORK/v1.toml" \
  --token-file "$WORK/api.token"
digest=$OUT
[[ $digest =~ ^[0-9a-f]{64}$ ]] || fail "register must print the digest, got: $digest"
expect_contains "$(curl -sf "$BASE/api/v1/snapshots/orders-app")" "\"digest\":\"$digest\""
# Registration polls the targets using it at once (the interval is ten minutes).
wait_for 5 "missing_value after registration" bash -c \
  "curl -sf $BASE/api/v1/targets/orders | grep -q '\"kind\":\"missing_value\"'"
pass "register prints the digest the daemon stored and the target is polled at once"

# The token from standard input, a JSON file, and a trailing slash on the URL.
echo '{"snapshot":{"revision":"v2"},"enum":[{"name":"order_status","values":["pending_payment","paid"]}]}' \
  >"$WORK/v2.json"
expect_exit 0 "$ENUMWATCH" register --url "$BASE/" --snapshot orders-app --file "$WORK/v2.json" \
  --token-file - <"$WORK/api.token"
expect_contains "$(curl -sf "$BASE/api/v1/snapshots/orders-app")" '"revision":"v2"'
pass "JSON snapshots and tokens on stdin"

expect_exit 2 "$ENUMWATCH" register --url "$BASE" --snapshot orders-app --file "$WORK/v1.toml" \
  --token-file "$WORK/wrong.token"
expect_contains "$ERR" "HTTP 401"
expect_contains "$ERR" "--token-file"
expect_not_contains "$OUT$ERR" "wrong-token"
expect_not_contains "$OUT$ERR" "s3cr3t"
expect_exit 2 "$ENUMWATCH" register --url "$BASE" --snapshot orders-app --file "$WORK/v1.toml"
expect_contains "$ERR" "HTTP 401"
expect_exit 2 "$ENUMWATCH" register --url "$BASE" --snapshot file-one --file "$WORK/v1.toml" \
  --token-file "$WORK/api.token"
expect_contains "$ERR" "HTTP 409"
expect_contains "$ERR" "update that file and reload"
expect_exit 2 "$ENUMWATCH" register --url "$BASE" --snapshot nope --file "$WORK/v1.toml" \
  --token-file "$WORK/api.token"
expect_contains "$ERR" 'no snapshot named "nope"'
write_enum_snapshot "$WORK/broken.toml" order_status a a
expect_exit 2 "$ENUMWATCH" register --url "$BASE" --snapshot orders-app --file "$WORK/broken.toml" \
  --token-file "$WORK/api.token"
expect_contains "$ERR" "broken.toml:3"
expect_contains "$(curl -sf "$BASE/api/v1/snapshots/orders-app")" '"revision":"v2"' "the registered snapshot"
[[ $(wc -l <<<"$ERR") -eq 1 ]] || fail "errors must be one line: $ERR"
pass "bad token, file-managed snapshot, unknown snapshot and a broken file fail with exit 2"

# poll: the post-migration trigger.
psql_q -d orders -c "ALTER TYPE order_status ADD VALUE 'disputed'"
expect_exit 0 "$ENUMWATCH" poll --url "$BASE" --target orders --token-file "$WORK/api.token"
wait_for 5 "unexpected_value after the poll" bash -c \
  "curl -sf $BASE/api/v1/targets/orders | grep -q '\"kind\":\"unexpected_value\"'"
expect_exit 2 "$ENUMWATCH" poll --url "$BASE" --target nope --token-file "$WORK/api.token"
expect_contains "$ERR" 'no target named "nope"'
expect_exit 2 "$ENUMWATCH" poll --url "$BASE" --target orders
expect_contains "$ERR" "HTTP 401"
expect_exit 2 "$ENUMWATCH" poll --url "https://127.0.0.1:$PORT" --target orders  # TLS to a plain port
expect_contains "$ERR" "TLS handshake with https://127.0.0.1:$PORT failed"
pass "poll triggers a poll now; unknown targets and missing tokens fail"

stop_daemon
expect_exit 2 "$ENUMWATCH" poll --url "$BASE" --target orders --token-file "$WORK/api.token"
expect_contains "$ERR" "connecting to http://127.0.0.1:$PORT"
pass "a daemon that is down is a clear error"
