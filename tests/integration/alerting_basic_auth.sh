#!/usr/bin/env bash
# Receivers with credentials (docs/alerting.md, "Receivers with credentials"): user:password@ in a
# receiver URL is sent as HTTP Basic auth, and no secret of any receiver URL — password, path,
# query token — reaches the log, the metrics, the API, the status page, the state files or the
# config check, not even from a receiver that cannot be resolved or one that echoes the request.
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status pending_payment paid
# The snapshot disagrees from the start: the alert fires at the first poll.
write_enum_snapshot "$WORK/app.toml" order_status pending_payment paid refunded

# /secure answers 401 unless the request carries Basic alerts:SECRETPW@x (the URL's userinfo,
# percent-decoded) and logs accepted posts as "PATH BODY"; /echo answers 500 with the request's
# path, credentials and a terminal escape, as a hostile or naive receiver might.
HOOK_PORT=$(free_port)
python3 - "$HOOK_PORT" "$WORK/hooks.log" <<'PY' &
import base64, http.server, sys
log = open(sys.argv[2], "a", buffering=1)
want = "Basic " + base64.b64encode(b"alerts:SECRETPW@x").decode()
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        auth = self.headers.get("Authorization", "")
        if self.path.startswith("/echo"):
            creds = base64.b64decode(auth.split(" ", 1)[1]).decode() if " " in auth else ""
            answer = ("you sent %s as %s\n\x1b[31mgo away\n" % (self.path, creds)).encode()
            self.send_response(500)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            return
        if self.path != "/secure" or auth != want:
            log.write("REFUSED " + self.path + " " + auth + "\n")
            self.send_response(401); self.end_headers(); return
        log.write(self.path + " " + body.replace("\n", " ") + "\n")
        self.send_response(200); self.end_headers()
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Hook).serve_forever()
PY
on_exit "kill $!"
wait_for 10 "webhook receiver" bash -c "exec 3<>/dev/tcp/127.0.0.1/$HOOK_PORT"
CLOSED_PORT=$(free_port)  # nobody listens there

daemon_port
mkdir -p "$WORK/state"
cat >"$WORK/enumwatch.toml" <<TOML
[daemon]
listen = "127.0.0.1:$PORT"
state_dir = "$WORK/state"
[defaults]
interval = "500ms"
drift_for = "0s"
naming = "none"
$(snapshot_section app app.toml)
$(target_section orders orders app)
[alerting]
webhook_urls = [
  "http://alerts:SECRETPW%40x@127.0.0.1:$HOOK_PORT/secure",
  "http://echo:SECRETPW2@127.0.0.1:$HOOK_PORT/echo/SECRETPATH?token=SECRETQ",
  "http://alerts:SECRETPW3@enumwatch-receiver.invalid:9093/hook",
  "http://127.0.0.1:$CLOSED_PORT/hook?token=SECRETTOKEN",
]
alertmanager_urls = ["https://am:SECRETPW4@enumwatch-am.invalid/base?token=SECRETAM"]
resend_interval = "1h"
TOML

# The config check passes and shows no URL.
expect_exit 0 "$ENUMWATCH" config-check --config "$WORK/enumwatch.toml"
CHECKED="$OUT$ERR"

start_daemon "$WORK/enumwatch.toml"

# The receiver that wants Basic auth gets the alert, with the credentials it asked for.
wait_for 15 "the Basic-auth receiver got the alert" grep -q '^/secure .*"status":"firing"' "$WORK/hooks.log"
expect_not_contains "$(cat "$WORK/hooks.log")" "REFUSED /secure" "the receiver's log (Basic credentials)"

# Every other receiver failed at least once, under its redacted name.
wait_for 20 "the unresolvable receiver failed" metric_above \
  'enumwatch_alert_notifications_total{outcome="error",receiver="http://enumwatch-receiver.invalid:9093"}' 0
wait_for 20 "the unresolvable Alertmanager failed" metric_above \
  'enumwatch_alert_notifications_total{outcome="error",receiver="https://enumwatch-am.invalid:443"}' 0
wait_for 20 "the closed port failed" metric_above \
  "enumwatch_alert_notifications_total{outcome=\"error\",receiver=\"http://127.0.0.1:$CLOSED_PORT\"}" 0
wait_for 20 "the echoing receiver's 500 logged" daemon_log_has "HTTP 500"
daemon_log_has "resolving http://enumwatch-receiver.invalid:9093" || fail "the resolver error does not name the receiver by its redacted form"
metric_above "enumwatch_alert_notifications_total{outcome=\"ok\",receiver=\"http://127.0.0.1:$HOOK_PORT\"}" 0 ||
  fail "the Basic-auth delivery was not counted as ok"

# The echoed answer is escaped: no raw newline or escape character from it in the log.
grep -q $'\x1b' "$WORK/daemon.log" && fail "a receiver's terminal escape reached the log"
grep "HTTP 500" "$WORK/daemon.log" | grep -qF ':*****\n\x1b[31mgo away\n' || fail "the receiver's answer was not escaped and scrubbed"

# Everything the daemon shows or keeps, and everything it printed: no secret anywhere.
METRICS=$(curl -sf "$BASE/metrics")
STATUS=$(curl -sf "$BASE/api/v1/status")
TARGET=$(curl -sf "$BASE/api/v1/targets/orders")
PAGE=$(curl -sf "$BASE/")
TARGET_PAGE=$(curl -sf "$BASE/targets/orders")
expect_contains "$PAGE" "enumwatch-receiver.invalid:9093" "the status page (receivers by redacted name)"
STATE=$(cat "$WORK/state/alerts.json")
[[ -n $STATE ]] || fail "no alerts.json"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "the daemon did not exit 0 on SIGTERM"
for secret in SECRET; do
  expect_not_contains "$CHECKED" "$secret" "config-check output"
  expect_not_contains "$(cat "$WORK/daemon.log")" "$secret" "the daemon's stdout and stderr"
  expect_not_contains "$METRICS" "$secret" "/metrics"
  expect_not_contains "$STATUS" "$secret" "/api/v1/status"
  expect_not_contains "$TARGET" "$secret" "/api/v1/targets/orders"
  expect_not_contains "$PAGE" "$secret" "the status page"
  expect_not_contains "$TARGET_PAGE" "$secret" "the target's page"
  expect_not_contains "$STATE" "$secret" "alerts.json"
  expect_not_contains "$(grep -r -l -- "$secret" "$WORK/state" || true)" "$WORK" "the files in state_dir"
done

# A config with a URL that cannot work: rejected by position, the URL never repeated.
sed -i "s|https://am:SECRETPW4@enumwatch-am.invalid/base?token=SECRETAM|ftp://am:SECRETPW5@files.example/x?token=SECRETFTP|" \
  "$WORK/enumwatch.toml"
expect_exit 2 "$ENUMWATCH" config-check --config "$WORK/enumwatch.toml"
expect_contains "$ERR" "alerting.alertmanager_urls entry 1: only http:// and https://" "config-check of an ftp:// receiver"
expect_not_contains "$OUT$ERR" "SECRET" "config-check of an ftp:// receiver"
sed -i "s|ftp://am:SECRETPW5@files.example/x?token=SECRETFTP|http://am:SECRETPW6@/x?token=SECRETNOHOST|" \
  "$WORK/enumwatch.toml"
expect_exit 2 "$ENUMWATCH" run --config "$WORK/enumwatch.toml"
expect_contains "$ERR" "entry 1: no host" "run with a receiver URL without host"
expect_not_contains "$OUT$ERR" "SECRET" "run with a receiver URL without host"
pass "Basic auth from userinfo; no receiver secret in logs, metrics, API, pages, state or checks"
