#!/usr/bin/env bash
# The listener over TLS, with certificates the test makes: HTTPS only (plain HTTP gets nothing),
# mutual TLS (a client without a certificate signed by tls_client_ca_file is refused), the
# certificate rotated by a SIGHUP without a restart, and a certificate that does not load
# rejected by config-check and by a reload (which keeps the running one).
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status paid
write_enum_snapshot "$WORK/app.toml" order_status paid
make_test_ca
issue_cert server IP:127.0.0.1
issue_cert server2 IP:127.0.0.1
issue_cert client DNS:prometheus
cp "$WORK/server.pem" "$WORK/listener.pem"
cp "$WORK/server.key" "$WORK/listener.key"

daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
tls_cert_file = "listener.pem"
tls_key_file = "listener.key"
tls_client_ca_file = "ca.pem"
[defaults]
interval = "1s"
$(snapshot_section app app.toml)
$(target_section orders orders app)
TOML
expect_exit 0 "$ENUMWATCH" config-check --config "$WORK/enumwatch.toml"
"$ENUMWATCH" run --config "$WORK/enumwatch.toml" >>"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
on_exit "kill -9 $DAEMON_PID"
HTTPS=https://127.0.0.1:$PORT
mtls() { curl -sf --max-time 5 --cacert "$WORK/ca.pem" --cert "$WORK/client.pem" --key "$WORK/client.key" "$@"; }
wait_for 10 "HTTPS with a client certificate answers" mtls "$HTTPS/healthz"
wait_for 10 "ready over HTTPS" mtls "$HTTPS/readyz"
expect_contains "$(mtls "$HTTPS/metrics")" 'enumwatch_up{target="orders"} 1'
curl -sf --max-time 5 --cacert "$WORK/ca.pem" "$HTTPS/healthz" >/dev/null &&
  fail "a client without a certificate was served"
curl -sf --max-time 5 "http://127.0.0.1:$PORT/healthz" >/dev/null && fail "plain HTTP was served"
curl -sf --max-time 5 --cacert "$WORK/ca.pem" --cert "$WORK/server.pem" --key "$WORK/server.key" \
  "$HTTPS/healthz" >/dev/null || fail "a certificate signed by the client CA was refused"
served_serial() {
  openssl s_client -connect "127.0.0.1:$PORT" -cert "$WORK/client.pem" -key "$WORK/client.key" \
    </dev/null 2>/dev/null | openssl x509 -noout -serial
}
before=$(served_serial)
[[ $before == $(openssl x509 -noout -serial -in "$WORK/server.pem") ]] || fail "serves $before"

# Rotation: new files, SIGHUP, the new certificate is served; the daemon did not restart.
cp "$WORK/server2.pem" "$WORK/listener.pem"
cp "$WORK/server2.key" "$WORK/listener.key"
kill -HUP "$DAEMON_PID"
wait_for 10 "the rotated certificate served" \
  bash -c "[[ \$(openssl s_client -connect 127.0.0.1:$PORT -cert '$WORK/client.pem' -key '$WORK/client.key' </dev/null 2>/dev/null | openssl x509 -noout -serial) == '$(openssl x509 -noout -serial -in "$WORK/server2.pem")' ]]"
mtls "$HTTPS/healthz" >/dev/null || fail "no answer after the rotation"

# A key that does not load: config-check says which file; a reload keeps the running certificate.
echo "not a key" >"$WORK/listener.key"
expect_exit 2 "$ENUMWATCH" config-check --config "$WORK/enumwatch.toml"
expect_contains "$ERR" "tls_key_file"
kill -HUP "$DAEMON_PID"
wait_for 10 "the reload rejected" bash -c "curl -sf --cacert '$WORK/ca.pem' --cert '$WORK/client.pem' --key '$WORK/client.key' '$HTTPS/metrics' | grep -q '^enumwatch_config_last_reload_successful 0'"
mtls "$HTTPS/healthz" >/dev/null || fail "the listener stopped after a rejected reload"
kill -0 "$DAEMON_PID" || fail "the daemon died"
pass "HTTPS only, mutual TLS, rotation on SIGHUP, bad key refused"
