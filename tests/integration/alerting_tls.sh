#!/usr/bin/env bash
# https:// receivers, proven against TLS servers whose CA the test makes: a webhook that requires
# a client certificate gets the alert; one whose certificate names another host is refused (host
# name verification) and counted as an error; a CA file that does not load is a config error; and
# `enumwatch poll` speaks https too, trusting the system store, which SSL_CERT_FILE can name.
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status pending_payment paid
write_enum_snapshot "$WORK/app.toml" order_status pending_payment paid refunded

make_test_ca
issue_cert server IP:127.0.0.1
issue_cert wrong DNS:wrong.example
issue_cert client DNS:enumwatch

# Three TLS servers: "mtls" requires a client certificate; "wrong" presents a certificate for
# another host; "plain" is an ordinary HTTPS server (for `enumwatch poll`). Accepted posts go to
# tls.log as "PORT BODY".
MTLS_PORT=$(free_port); WRONG_PORT=$(free_port); PLAIN_PORT=$(free_port)
python3 - "$WORK" "$MTLS_PORT" "$WRONG_PORT" "$PLAIN_PORT" <<'PY' &
import http.server, os, ssl, sys, threading
work, mtls, wrong, plain = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
log = open(os.path.join(work, "tls.log"), "a", buffering=1)
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        log.write(f"{self.server.server_port} {self.path} {body}\n".replace("\n", " ") + "\n")
        self.send_response(202 if self.path.endswith("/poll") else 200)
        self.end_headers()
    def log_message(self, *args): pass
def serve(port, cert, client_ca):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(work, cert + ".pem"), os.path.join(work, cert + ".key"))
    if client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(os.path.join(work, "ca.pem"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Hook)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
serve(mtls, "server", True)
serve(wrong, "wrong", False)
serve(plain, "server", False)
threading.Event().wait(600)
PY
on_exit "kill $!"
wait_for 10 "TLS servers" bash -c "exec 3<>/dev/tcp/127.0.0.1/$PLAIN_PORT"

daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "500ms"
drift_for = "0s"
naming = "none"
$(snapshot_section app app.toml)
$(target_section orders orders app)
[alerting]
webhook_urls = ["https://127.0.0.1:$MTLS_PORT/hook?token=s3cret-in-query", "https://127.0.0.1:$WRONG_PORT/hook"]
tls_ca_file = "ca.pem"
tls_cert_file = "client.pem"
tls_key_file = "client.key"
TOML
expect_exit 0 "$ENUMWATCH" config-check --config "$WORK/enumwatch.toml"
start_daemon "$WORK/enumwatch.toml"
wait_for 15 "the alert reached the receiver that requires a client certificate" \
  grep -q "^$MTLS_PORT /hook?token=s3cret-in-query .*\"status\":\"firing\"" "$WORK/tls.log"
wait_for 15 "the wrongly named receiver counted as failing" \
  metric_above "enumwatch_alert_notifications_total{outcome=\"error\",receiver=\"https://127.0.0.1:$WRONG_PORT\"}" 0
grep -q "^$WRONG_PORT " "$WORK/tls.log" && fail "a receiver whose certificate names another host got the alert"
daemon_log_has "TLS handshake with https://127.0.0.1:$WRONG_PORT failed" || fail "the verification failure is not logged"
wait_for 5 "the mTLS delivery counted" \
  metric_above "enumwatch_alert_notifications_total{outcome=\"ok\",receiver=\"https://127.0.0.1:$MTLS_PORT\"}" 0
expect_not_contains "$(curl -sf "$BASE/metrics")$(cat "$WORK/daemon.log")" "s3cret-in-query" "metrics and log"

# A CA file that does not load is a config error, before anything is sent.
sed -i 's|^tls_ca_file = "ca.pem"|tls_ca_file = "missing.pem"|' "$WORK/enumwatch.toml"
expect_exit 2 "$ENUMWATCH" config-check --config "$WORK/enumwatch.toml"
expect_contains "$ERR" "tls_ca_file"

# The pipeline side: poll over https, trusting the CA through SSL_CERT_FILE; not without it.
expect_exit 0 env SSL_CERT_FILE="$WORK/ca.pem" "$ENUMWATCH" poll --url "https://127.0.0.1:$PLAIN_PORT" --target orders
expect_exit 2 env SSL_CERT_FILE=/nonexistent "$ENUMWATCH" poll --url "https://127.0.0.1:$PLAIN_PORT" --target orders
expect_contains "$ERR" "certificate verify failed"
pass "mTLS delivered, wrong host refused, bad CA refused, poll over https"
