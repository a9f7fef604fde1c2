#!/usr/bin/env bash
# Hostile HTTP clients cannot stall polling or starve a well-behaved scraper: oversized headers are
# refused; 500 idle connections and 100 slowloris clients from one address hit the per-client cap
# (503, not a silent close) and the header timeout; a 1 GiB body is answered without being read.
# Meanwhile a client from another address gets /healthz and /metrics within 1 s every time.
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status paid
write_enum_snapshot "$WORK/app.toml" order_status paid
write_token "$WORK/api.token" "http-limits-token-0123456789"
daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
api_token_file = "api.token"
[defaults]
interval = "200ms"
$(snapshot_section app app.toml)
$(target_section orders orders app)
TOML
ulimit -n 4096 2>/dev/null || true
start_daemon_ready "$WORK/enumwatch.toml" 5

big=$(head -c 20000 /dev/zero | tr '\0' 'x')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$BASE/healthz")
[[ $code == 431 ]] || fail "oversized headers answered $code, want 431"

polls_before=$(metric 'enumwatch_polls_total{outcome="ok",target="orders"}')
abuse_started=$(date +%s.%N)
python3 - "$PORT" >"$WORK/abuse.out" 2>&1 <<'PY'
import resource, socket, subprocess, sys, threading, time
resource.setrlimit(resource.RLIMIT_NOFILE, (4096, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
port = int(sys.argv[1])
base = f"http://127.0.0.1:{port}"

def connect():
    try:
        return socket.create_connection(("127.0.0.1", port), timeout=2)
    except OSError:
        return None

# 1. 500 idle connections from 127.0.0.1, then 100 slowloris clients (a header byte every 0.5 s).
idle = [s for s in (connect() for _ in range(500)) if s]
slow = [s for s in (connect() for _ in range(100)) if s]
stop = False
def drip():
    while not stop:
        for s in slow:
            try:
                s.send(b"X")
            except OSError:
                pass
        time.sleep(0.5)
for s in slow:
    try:
        s.send(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    except OSError:
        pass
threading.Thread(target=drip, daemon=True).start()

# 2. 1 GiB PUTs without a token (from a third address), one with a Content-Length, one chunked:
#    each is answered at once (413 or 401) while the client is still sending; nothing is read.
def big_put(chunked):
    body = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.3", 0))
    length = b"Transfer-Encoding: chunked\r\n" if chunked else b"Content-Length: 1073741824\r\n"
    body.sendall(b"PUT /api/v1/snapshots/app HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Content-Type: application/toml\r\n" + length + b"\r\n")
    body.settimeout(0.2)
    chunk = (b"10000\r\n" + b"x" * 65536 + b"\r\n") if chunked else b"x" * 65536
    sent, answer, started = 0, b"", time.time()
    while time.time() - started < 10 and not answer and sent < (1 << 30):
        try:
            sent += body.send(chunk)
        except socket.timeout:
            pass
        except OSError:
            break
        try:
            answer = body.recv(200)
        except (socket.timeout, BlockingIOError):
            pass
        except OSError:
            break
    status_line = answer.split(b"\r\n", 1)[0].decode(errors="replace")
    kind = "chunked" if chunked else "sized"
    print(f"big body {kind}: {status_line} after {sent >> 20} MiB sent")
big_put(False)
big_put(True)

# 3. The well-behaved client, from another address: 20 rounds of /healthz and /metrics.
worst = 0.0
for _ in range(20):
    for path in ("/healthz", "/metrics"):
        t = time.time()
        out = subprocess.run(["curl", "-sf", "--interface", "127.0.0.2", "-o", "/dev/null",
                              "--max-time", "5", base + path])
        took = time.time() - t
        worst = max(worst, took if out.returncode == 0 else 99)
    time.sleep(0.1)
print(f"well-behaved worst {worst:.3f}s")

# 4. What the flood got: a 503 (per-client cap), or a close by the header timeout.
got503 = closed = 0
for s in idle:
    s.settimeout(0.01)
    try:
        data = s.recv(64)
        if data.startswith(b"HTTP/1.1 503"):
            got503 += 1
        elif data == b"":
            closed += 1
    except socket.timeout:
        pass
    except OSError:
        closed += 1
print(f"idle 503 {got503} closed {closed}")
stop = True
t = time.time()
for s in slow:
    s.settimeout(8)
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass
print(f"slowloris all closed {time.time() - t:.1f}s later")
PY
cat "$WORK/abuse.out"
grep -Eq "^big body sized: HTTP/1.1 (401|413)" "$WORK/abuse.out" || fail "the sized 1 GiB body was not refused at once"
grep -q "^big body chunked: HTTP/1.1 401" "$WORK/abuse.out" || fail "the chunked 1 GiB body was not refused at once"
for sent in $(sed -n 's/^big body .* after \([0-9]*\) MiB sent/\1/p' "$WORK/abuse.out"); do
  (( sent < 256 )) || fail "a client sent ${sent} MiB of a body the daemon refuses before it answered"
done
worst=$(sed -n 's/well-behaved worst \([0-9.]*\)s/\1/p' "$WORK/abuse.out")
python3 -c "import sys; sys.exit(0 if float('$worst') < 1.0 else 1)" || fail "a well-behaved client waited ${worst}s"
got503=$(sed -n 's/idle 503 \([0-9]*\) closed.*/\1/p' "$WORK/abuse.out")
(( got503 >= 400 )) || fail "only $got503 of 500 idle connections over the per-client cap got a 503"
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$DAEMON_PID/status")
(( rss_kb < 200000 )) || fail "daemon RSS grew to ${rss_kb} kB"

# Polls went on the whole time: at 200 ms, at least 60 % of the polls the abuse lasted.
polls=$(( $(metric 'enumwatch_polls_total{outcome="ok",target="orders"}') - polls_before ))
expected=$(python3 -c "print(int(($(date +%s.%N) - $abuse_started) / 0.2 * 0.6))")
(( polls >= expected )) || fail "only $polls polls while clients misbehaved (want $expected)"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz") == 200 ]] || fail "daemon no longer answers"
[[ $(metric 'enumwatch_internal_errors_total{component="http"}') == 0 ]] || fail "internal errors in http"
pass "$polls polls; well-behaved worst ${worst}s; $got503 idle connections refused with 503"
