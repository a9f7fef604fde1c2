#!/usr/bin/env bash
# PUT /api/v1/snapshots/{name}: tokens, bad bodies, size limit, file-managed conflict, durable
# storage that survives a restart, history kept; POST .../poll.
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status pending_payment paid
write_enum_snapshot "$WORK/file.toml" order_status pending_payment paid
write_token "$WORK/api.token" "s3cr3t-token-0123456789"
daemon_port
mkdir -p "$WORK/state"
write_config() {
  cat >"$WORK/enumwatch.toml" <<TOML
[daemon]
listen = "127.0.0.1:$PORT"
state_dir = "$WORK/state"
$1
[defaults]
interval = "30s"
$(snapshot_section orders-app)
$(snapshot_section file-one file.toml)
$(target_section orders orders orders-app)
TOML
}
put() {  # put TOKEN BODYFILE [content-type] -> http code, body in $WORK/resp
  local auth=()
  [[ -n $1 ]] && auth=(-H "Authorization: Bearer $1")
  curl -s -o "$WORK/resp" -w '%{http_code}' -X PUT "${auth[@]}" -H "Content-Type: ${3:-application/toml}" \
    --data-binary "@$2" "$BASE/api/v1/snapshots/orders-app"
}

# Without api_token_file: 403.
write_config ""
start_daemon_ready "$WORK/enumwatch.toml" 5
expect_contains "$(curl -sf "$BASE/api/v1/status")" '"unregistered_snapshots":["orders-app"]'
[[ $(put s3cr3t-token-0123456789 "$WORK/file.toml") == 403 ]] || fail "no token configured must be 403"
stop_daemon

write_config 'api_token_file = "api.token"'
start_daemon_ready "$WORK/enumwatch.toml" 5
[[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/snapshots/orders-app") == 404 ]] || fail "unregistered must be 404"

printf '[snapshot]\nrevision = "v1"\n[[enum]]\nname = "order_status"\nvalues = ["PendingPayment", "paid"]\n' >"$WORK/v1.toml"
[[ $(put "" "$WORK/v1.toml") == 401 ]] || fail "missing token must be 401"
[[ $(put wrong-token "$WORK/v1.toml") == 401 ]] || fail "bad token must be 401"
write_enum_snapshot "$WORK/bad.toml" order_status a a
[[ $(put s3cr3t-token-0123456789 "$WORK/bad.toml") == 400 ]] || fail "malformed body must be 400"
expect_contains "$(cat "$WORK/resp")" 'duplicate value'
head -c $((1024 * 1024 + 10)) /dev/zero | tr '\0' 'x' >"$WORK/big.toml"
[[ $(put s3cr3t-token-0123456789 "$WORK/big.toml") == 413 ]] || fail "oversized body must be 413"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer s3cr3t-token-0123456789" \
  --data-binary "@$WORK/v1.toml" "$BASE/api/v1/snapshots/file-one")
[[ $code == 409 ]] || fail "file-managed snapshot must be 409, got $code"
[[ $(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer s3cr3t-token-0123456789" \
  --data-binary "@$WORK/v1.toml" "$BASE/api/v1/snapshots/unknown") == 404 ]] || fail "unknown snapshot must be 404"

# Good registration: 200 with the digest, and every target using it is polled at once.
[[ $(put s3cr3t-token-0123456789 "$WORK/v1.toml") == 200 ]] || fail "good PUT: $(cat "$WORK/resp")"
digest=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' "$WORK/resp")
[[ ${#digest} -eq 64 ]] || fail "digest: $digest"
wait_for 3 "registered snapshot polled at once" metric_is 'enumwatch_drift_items{kind="case_mismatch",target="orders"}' 1
expect_contains "$(curl -sf "$BASE/api/v1/snapshots/orders-app")" "\"digest\":\"$digest\""
expect_contains "$(curl -sf "$BASE/metrics")" "enumwatch_snapshot_info{digest=\"$digest\",revision=\"v1\",snapshot=\"orders-app\"} 1"

# JSON bodies by Content-Type.
echo '{"snapshot":{"revision":"v2"},"enum":[{"name":"order_status","values":["pending_payment","paid"]}]}' >"$WORK/v2.json"
[[ $(put s3cr3t-token-0123456789 "$WORK/v2.json" application/json) == 200 ]] || fail "JSON PUT: $(cat "$WORK/resp")"
wait_for 3 "v2 applied" metric_is 'enumwatch_drift_items{kind="case_mismatch",target="orders"}' 0
ls "$WORK/state/snapshots/orders-app/history/"*.json >/dev/null || fail "no history kept"
[[ $(ls "$WORK/state/snapshots/orders-app/history" | wc -l) -eq 2 ]] || fail "history should hold 2 versions"

# POST .../poll needs the token; 202 when accepted.
[[ $(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/api/v1/targets/orders/poll") == 401 ]] || fail "poll without token"
before=$(metric 'enumwatch_polls_total{outcome="ok",target="orders"}')
[[ $(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer s3cr3t-token-0123456789" \
  "$BASE/api/v1/targets/orders/poll") == 202 ]] || fail "poll must be 202"
wait_for 3 "requested poll ran" metric_above 'enumwatch_polls_total{outcome="ok",target="orders"}' "$before"

# Survives a restart: the registered version is current again without a new PUT.
stop_daemon
start_daemon "$WORK/enumwatch.toml"
snap=$(curl -sf "$BASE/api/v1/snapshots/orders-app")
expect_contains "$snap" '"revision":"v2"'
expect_contains "$snap" '"managed":"api"'
wait_for 3 "restored snapshot used" curl -sf "$BASE/readyz"
expect_not_contains "$(curl -sf "$BASE/api/v1/status")" "not registered"
expect_not_contains "$(cat "$WORK/daemon.log")" "s3cr3t-token-0123456789"
pass
