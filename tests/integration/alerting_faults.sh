#!/usr/bin/env bash
# Alert delivery when the world misbehaves: a receiver that rejects one alert for good (400) still
# gets the others; a receiver that is down gets the current state when it comes back; a reload
# that adds a receiver keeps the queue of one that is down; a kill -9 loses neither a resolution
# nor the time a pending drift was first seen.
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status pending_payment paid
psql_q -d orders -c "CREATE TYPE poison AS ENUM ('x')" -c "CREATE TYPE slow AS ENUM ('a')"
{ enum_entry order_status pending_payment paid refunded; enum_entry poison x y; } >"$WORK/app.toml"
write_enum_snapshot "$WORK/slow.toml" slow a b

# Webhook receivers on one port, one per path. A path answers 503 while $WORK/down-PATH exists,
# and 400 to any batch that holds the enum "poison". Accepted posts are logged as "PATH BODY".
HOOK_PORT=$(free_port)
python3 - "$HOOK_PORT" "$WORK" <<'PY' &
import http.server, os, sys
work = sys.argv[2]
log = open(os.path.join(work, "hooks.log"), "a", buffering=1)
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        name = self.path.strip("/")
        if os.path.exists(os.path.join(work, "down-" + name)):
            code = 503
        elif '"enum":"poison"' in body:
            code = 400
        else:
            code = 200
            log.write(self.path + " " + body.replace("\n", " ") + "\n")
        self.send_response(code); self.end_headers()
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Hook).serve_forever()
PY
on_exit "kill $!"
wait_for 10 "webhook receivers" bash -c "exec 3<>/dev/tcp/127.0.0.1/$HOOK_PORT"
hook() { echo "http://127.0.0.1:$HOOK_PORT/$1"; }
posts_to() { grep "^/$1 " "$WORK/hooks.log" 2>/dev/null || true; }
# has PATH ENUM STATUS: a post to PATH whose alerts include ENUM with that status.
has() {
  posts_to "$1" | python3 -c '
import json, sys
path, enum, status = sys.argv[1:]
for line in sys.stdin:
    body = json.loads(line.split(" ", 1)[1])
    for a in body["alerts"]:
        if a["labels"]["enum"] == enum and a["status"] == status:
            sys.exit(0)
sys.exit(1)' "$1" "$2" "$3"
}

daemon_port
write_config() {  # write_config WEBHOOK_URLS
  cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "500ms"
naming = "none"
report_unexpected = false
$(snapshot_section app app.toml)
$(snapshot_section slow slow.toml)
$(target_section orders orders app)
drift_for = "0s"
$(target_section slow orders slow)
drift_for = "20s"
[alerting]
webhook_urls = [$1]
resend_interval = "1h"
TOML
}
touch "$WORK/down-a"
write_config "\"$(hook a)\", \"$(hook b)\""
start_daemon "$WORK/enumwatch.toml"

# 1. b rejects every batch holding "poison" (400): the batch is split, order_status still arrives,
#    and the poison alert is logged once as rejected.
wait_for 10 "order_status delivered to b despite the rejected poison alert" has b order_status firing
wait_for 5 "the rejected alert logged" daemon_log_has "rejected alert orders/public.poison"
[[ $(grep -c "rejected alert orders/public.poison" "$WORK/daemon.log") -eq 1 ]] || fail "rejection logged more than once"
metric_above 'enumwatch_alert_notifications_total{outcome="error",receiver="http://127.0.0.1:'"$HOOK_PORT"'"}' 0 ||
  fail "the rejection was not counted"
expect_not_contains "$(curl -sf "$BASE/metrics")" "/b\"" "metrics (a receiver label is scheme://host:port)"

# 2. A reload that adds receiver c keeps a's queue: a is down, then comes back after the reload
#    and still receives the firing alert (resend_interval is an hour: only the queue can hold it).
write_config "\"$(hook a)\", \"$(hook b)\", \"$(hook c)\""
kill -HUP "$DAEMON_PID"
wait_for 10 "c gets the current state" has c order_status firing
rm "$WORK/down-a"
wait_for 90 "a gets its queued alert once it is back" has a order_status firing

# 3. While a is down again, the drift is fixed: a gets the resolution when it comes back.
touch "$WORK/down-a"
psql_q -d orders -c "ALTER TYPE order_status ADD VALUE 'refunded'"
wait_for 10 "b gets the resolution" has b order_status resolved
rm "$WORK/down-a"
wait_for 90 "a gets the resolution once back" has a order_status resolved

# 4. kill -9 while slow's drift is pending (drift_for 20s) and while order_status fires: after the
#    restart slow fires 20s after it was first seen, not 20s after the restart, and a fix made
#    while the daemon was dead is still sent as a resolution.
psql_q -d orders -c "ALTER TYPE order_status RENAME VALUE 'refunded' TO 'Refunded'"
wait_for 10 "order_status fires again" bash -c "posts_to() { grep \"^/\$1 \" '$WORK/hooks.log'; }; [[ \$(grep -c '\"status\":\"firing\"' '$WORK/hooks.log') -ge 4 ]]"
sleep 10
kill -9 "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true
psql_q -d orders -c "ALTER TYPE order_status RENAME VALUE 'Refunded' TO 'refunded'"
: >"$WORK/hooks.log"
restarted=$SECONDS
start_daemon "$WORK/enumwatch.toml"
wait_for 15 "the fix made while dead is sent as resolved" has b order_status resolved
wait_for 19 "slow fires on its first-seen clock" has b slow firing
(( SECONDS - restarted < 18 )) || fail "slow fired $((SECONDS - restarted))s after the restart: drift_for started over"
[[ $(metric 'enumwatch_internal_errors_total{component="alerting"}') == 0 ]] || fail "internal errors in alerting"
pass "rejections split, queues kept, restarts lose nothing"
