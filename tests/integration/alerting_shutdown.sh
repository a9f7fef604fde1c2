#!/usr/bin/env bash
# Shutdown and the alert state (docs/reliability.md, "Shutdown drains alert deliveries" and
# docs/security.md, "Temporary files"): SIGTERM while a delivery to a slow receiver is under way
# lets it complete, and a receiver that never answers holds the exit back by at most 5 s; the
# exit code is 0 either way, and a second SIGTERM stops at once. A symlink planted at the state
# file's old, predictable temporary name is never written through. SIGTERM while alerts.json is
# being written to a slow disk leaves the newest state whole.
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status pending_payment paid
write_enum_snapshot "$WORK/app.toml" order_status pending_payment paid refunded

# A slow receiver: logs "START PATH" when a request arrives, reads the body 2 s later, then logs
# "DONE PATH BODY" and answers 200. A daemon that exits meanwhile leaves no DONE line.
HOOK_PORT=$(free_port)
python3 - "$HOOK_PORT" "$WORK/hooks.log" <<'PY' &
import http.server, sys, time
log = open(sys.argv[2], "a", buffering=1)
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        log.write("START " + self.path + "\n")
        time.sleep(2)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        if len(body) == int(self.headers.get("Content-Length", 0)):
            log.write("DONE " + self.path + " " + body.replace("\n", " ") + "\n")
        self.send_response(200); self.end_headers()
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Hook).serve_forever()
PY
on_exit "kill $!"
wait_for 10 "slow receiver" bash -c "exec 3<>/dev/tcp/127.0.0.1/$HOOK_PORT"
start_silent_server  # a receiver that accepts and never answers

# The state file's temporary name used to be alerts.json.tmp: plant a symlink there.
mkdir -p "$WORK/state"
echo untouched >"$WORK/victim"
ln -s "$WORK/victim" "$WORK/state/alerts.json.tmp"
# What a crash between creating a temporary file and renaming it leaves: removed at start (the
# link itself, not what it points to).
ln -s "$WORK/victim" "$WORK/state/alerts.json.tmp.0123456789abcdef"

daemon_port
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
webhook_urls = ["http://127.0.0.1:$HOOK_PORT/slow", "http://127.0.0.1:$SILENT_PORT/hung"]
resend_interval = "1h"
TOML
start_daemon "$WORK/enumwatch.toml"

# 1. SIGTERM while the slow receiver holds the request: the delivery completes, the hung receiver
#    is given up after the bound, and the exit code is 0.
wait_for 15 "the slow receiver got the request" grep -q '^START /slow' "$WORK/hooks.log"
started=$(date +%s%N)
kill -TERM "$DAEMON_PID"
rc=0
wait "$DAEMON_PID" || rc=$?
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
[[ $rc -eq 0 ]] || fail "the daemon exited $rc after SIGTERM"
grep -q '^DONE /slow .*"status":"firing"' "$WORK/hooks.log" || fail "the pending delivery did not complete"
((elapsed_ms >= 1500)) || fail "exited after ${elapsed_ms} ms: it did not wait for the slow delivery"
((elapsed_ms < 7000)) || fail "exit took ${elapsed_ms} ms: the drain is bounded at 5 s"
daemon_log_has "not delivered at shutdown" || fail "the undelivered alert of the hung receiver was not logged"
daemon_log_has "enumwatch stopped" || fail "no clean stop"

# 2. The state was written beside the planted symlink, never through it; no temporary file left.
[[ $(cat "$WORK/victim") == untouched ]] || fail "the state write followed the planted symlink"
[[ -f $WORK/state/alerts.json && ! -L $WORK/state/alerts.json ]] || fail "alerts.json is not a regular file"
grep -q '"firing":true' "$WORK/state/alerts.json" || fail "alerts.json lacks the firing alert"
leftovers=$(find "$WORK/state" -name 'alerts.json.tmp.*')
[[ -z $leftovers ]] || fail "temporary files left behind: $leftovers"

# 3. A second SIGTERM during the drain stops at once. After the restart the alert is owed to the
#    hung receiver again (it comes from the state file).
start_daemon "$WORK/enumwatch.toml"
wait_for 15 "the hung receiver is being sent to" bash -c \
  "ss -tn state established '( dport = :$SILENT_PORT )' | grep -q $SILENT_PORT"
kill -TERM "$DAEMON_PID"
sleep 0.3
started=$(date +%s%N)
kill -TERM "$DAEMON_PID"
rc=0
wait "$DAEMON_PID" || rc=$?
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
[[ $rc -eq 0 ]] || fail "the daemon exited $rc after a second SIGTERM"
((elapsed_ms < 2000)) || fail "a second SIGTERM took ${elapsed_ms} ms to stop the daemon"
daemon_log_has "again, stopping now" || fail "the second SIGTERM was not logged"
[[ $(cat "$WORK/victim") == untouched ]] || fail "the victim file changed"
pass "SIGTERM drains deliveries for at most 5 s; state written without following symlinks"

# 4. SIGTERM while alerts.json is being written, slowly: every fsync of the daemon takes 1 s
#    (strace injects the delay), so the write of a resolution is under way when SIGTERM comes. The
#    shutdown's own write queues behind it on the one writer: exit 0 within the unit's 10 s, the
#    file whole and holding the newest state, no temporary file left.
start_webhook_receiver
sed "s|^webhook_urls = .*|webhook_urls = [\"http://127.0.0.1:$HOOK_PORT/fast\"]|" "$WORK/enumwatch.toml" >"$WORK/slow-disk.toml"
# LeakSanitizer cannot run under a tracer (it fails the exit instead): off for this one process.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
  strace -f -qq -o "$WORK/strace.log" -e trace=fsync -e inject=fsync:delay_enter=1000000 \
  "$ENUMWATCH" run --config "$WORK/slow-disk.toml" >>"$WORK/daemon.log" 2>&1 &
tracer=$!
on_exit "kill -9 $tracer"
wait_for 20 "daemon under strace answers /healthz" curl -sf "$BASE/healthz"
wait_for 10 "the restored alert sent" grep -q '^/fast .*"status":"firing"' "$WORK/hooks.log"
psql_q -d orders -c "ALTER TYPE order_status ADD VALUE 'refunded'"
wait_for 10 "the resolution sent" grep -q '^/fast .*"status":"resolved"' "$WORK/hooks.log"
sleep 0.3  # the resolution's write (recorded with the poll, before the delivery) is in its fsyncs
started=$(date +%s%N)
pkill -TERM -P "$tracer" -x enumwatch
rc=0
wait "$tracer" || rc=$?
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
[[ $rc -eq 0 ]] || fail "the daemon exited $rc after SIGTERM during a slow state write"
((elapsed_ms < 10000)) || fail "exit took ${elapsed_ms} ms with a slow disk, past TimeoutStopSec=10s"
grep -q DELAYED "$WORK/strace.log" || fail "no fsync was slowed: the test proved nothing"
python3 -c '
import json, sys
alerts = json.load(open(sys.argv[1]))["alerts"]
assert alerts and all(a["resolved"] and a["ends_at_ms"] > 0 for a in alerts), alerts' "$WORK/state/alerts.json" ||
  fail "alerts.json is torn or lacks the resolution: $(head -c 400 "$WORK/state/alerts.json")"
leftovers=$(find "$WORK/state" -name 'alerts.json.tmp.*')
[[ -z $leftovers ]] || fail "temporary files left behind by the slow write: $leftovers"
grep -q "cannot save the alert state" "$WORK/daemon.log" && fail "a state write failed: $(grep "cannot save" "$WORK/daemon.log")"
pass "SIGTERM during a slow alerts.json write: exit 0 in ${elapsed_ms} ms, the newest state whole on disk"
