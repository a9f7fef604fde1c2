#!/usr/bin/env bash
# The listener never locks out health (docs/reliability.md, "A flood of connections"): while one
# address holds 1000 idle and 1000 slowloris connections (a header byte a second), reconnecting
# each one the daemon closes, and ten more addresses fill the listener's slots with idle sockets,
# /healthz, /readyz and /metrics from that same address answer 200, fast. Asserted: every probe
# 200, the median under 100 ms, the 95th percentile under 250 ms and none over 1 s (CI machines
# share their cores; the median is what a probe sees). Then, with the flood gone: a Host that is
# not ours is refused (421, 400 when malformed) and ours are served; the page's CSP has hashes
# and no 'unsafe-inline'; a 5th event stream from one address gets 429.
source "$(dirname "$0")/lib.sh"
pg_start
psql_q -c "CREATE DATABASE orders"
psql_q -d orders -c "CREATE TYPE order_status AS ENUM ('paid')"
printf '[[enum]]\nname = "order_status"\nvalues = ["paid"]\n' >"$WORK/app.toml"
daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "500ms"
[snapshots.app]
path = "app.toml"
[[target]]
name = "orders"
dsn = "$(dsn_for orders)"
snapshots = ["app"]
[alerting]
external_url = "https://Enumwatch.Example.test:8443/status"
TOML
# 2 330 sockets on the client side, a few hundred on the daemon's.
ulimit -n 4096 2>/dev/null || true
(($(ulimit -n) >= 4096)) || fail "ulimit -n is $(ulimit -n): this test needs 4096 descriptors"
start_daemon "$WORK/enumwatch.toml"
wait_for 10 "first poll" curl -sf "$BASE/readyz"

# The flood: non-blocking sockets in one thread, for at most 90 s (it stops by itself), until
# $WORK/flood-stop appears. Every socket the daemon closes (a 503, the header timeout) is opened
# again on the next tick, so the pressure lasts.
python3 - "$PORT" "$WORK/flood-ready" "$WORK/flood-stop" >"$WORK/flood.out" 2>&1 <<'PY' &
import errno, os, resource, selectors, socket, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, (4096, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
port, ready, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3]
sel = selectors.DefaultSelector()
PARTIAL = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "

class Conn:
    def __init__(self, kind, source):
        self.kind, self.source, self.sock = kind, source, None

    def open(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        if self.source != "127.0.0.1":
            s.bind((self.source, 0))
        err = s.connect_ex(("127.0.0.1", port))
        if err not in (0, errno.EINPROGRESS):
            s.close()
            return False
        self.sock, self.started = s, False
        sel.register(s, selectors.EVENT_READ, self)
        return True

    def close(self):
        sel.unregister(self.sock)
        self.sock.close()
        self.sock = None

conns = ([Conn("idle", "127.0.0.1") for _ in range(1000)] +
         [Conn("slow", "127.0.0.1") for _ in range(1000)] +
         [Conn("idle", f"127.0.0.{a}") for a in range(2, 12) for _ in range(33)])
opened = refused503 = closed = 0
end = time.time() + 90
for c in conns:
    opened += c.open()
open(ready, "w").write(f"{opened}\n")
next_tick = time.time()
while time.time() < end and not os.path.exists(stop):
    for key, _ in sel.select(timeout=0.05):
        c = key.data
        try:
            data = c.sock.recv(4096)
        except OSError:
            data = b""
        if data.startswith(b"HTTP/1.1 503"):
            refused503 += 1
        closed += 1
        c.close()
    if time.time() >= next_tick:  # once a second: a slowloris byte each, and reopen the closed
        next_tick += 1.0
        for c in conns:
            if c.sock is None:
                opened += c.open()
            elif c.kind == "slow":
                try:
                    c.sock.send(b"x" if c.started else PARTIAL)
                    c.started = True
                except BlockingIOError:
                    pass
                except OSError:
                    c.close()
print(f"flood opened {opened} sockets; the daemon closed {closed}, {refused503} with a 503")
PY
FLOOD_PID=$!
on_exit "kill $FLOOD_PID"
wait_for 30 "the flood's sockets open" test -s "$WORK/flood-ready"
sleep 3  # past a slowloris drip or two, and a header timeout's worth of reconnects to come

# The probes, from the flood's own address (curl connects to 127.0.0.1).
: >"$WORK/probes"
for round in $(seq 1 40); do
  for path in /healthz /readyz /metrics; do
    curl -s -o /dev/null --max-time 5 -w "%{http_code} %{time_total} $path\n" "$BASE$path" \
      >>"$WORK/probes" || echo "000 5 $path" >>"$WORK/probes"
  done
  sleep 0.1
done
touch "$WORK/flood-stop"
wait "$FLOOD_PID" || true
cat "$WORK/flood.out"
[[ $(wc -l <"$WORK/probes") == 120 ]] || fail "expected 120 probes"
bad=$(awk '$1 != 200' "$WORK/probes")
[[ -z $bad ]] || { cat "$WORK/probes"; fail "probes not answered 200 under the flood: $bad"; }
read -r median p95 worst < <(awk '{print $2}' "$WORK/probes" | sort -n |
  awk '{t[NR] = $1} END {print t[int(NR / 2)], t[int(NR * 0.95)], t[NR]}')
echo "probe time_total: median ${median}s, p95 ${p95}s, worst ${worst}s"
python3 -c "import sys; sys.exit(0 if $median < 0.1 else 1)" || fail "median probe ${median}s >= 100 ms"
# Under AddressSanitizer (the second pass of scripts/test) every accept and close costs the daemon
# about twice the CPU, on a machine the flood client shares: the tail gets twice the room.
p95_limit=0.25
[[ -z ${ASAN_OPTIONS:-} ]] || p95_limit=0.5
python3 -c "import sys; sys.exit(0 if $p95 < $p95_limit else 1)" || fail "95th percentile ${p95}s >= ${p95_limit}s"
python3 -c "import sys; sys.exit(0 if $worst < 1.0 else 1)" || fail "slowest probe ${worst}s >= 1 s"
closed503=$(sed -n 's/.*, \([0-9]*\) with a 503$/\1/p' "$WORK/flood.out")
[[ -n $closed503 ]] || fail "the flood client did not finish"
((closed503 >= 1000)) || fail "only $closed503 flood sockets were closed with a 503 to make room"
[[ $(metric 'enumwatch_internal_errors_total{component="http"}') == 0 ]] || fail "internal errors in http"
pass "120 probes 200 under 2 330 hostile sockets: median ${median}s, p95 ${p95}s, worst ${worst}s"

# DNS rebinding: on this loopback listener only localhost, loopback addresses, daemon.listen's
# and external_url's hosts are served (any port); others get 421, a malformed Host 400.
host_code() { curl -s -o /dev/null -w '%{http_code}' -H "Host: $1" "$BASE/healthz"; }
for host in "localhost" "localhost:$PORT" "127.0.0.1:$PORT" "127.0.0.2" "[::1]:$PORT" \
  "enumwatch.example.test" "ENUMWATCH.example.test:8443"; do
  [[ $(host_code "$host") == 200 ]] || fail "Host: $host was refused"
done
for host in "evil.example" "evil.example:$PORT" "localhost.evil.example" \
  "[2001:db8::1]:$PORT"; do
  [[ $(host_code "$host") == 421 ]] || fail "Host: $host answered $(host_code "$host"), want 421"
done
# 127.0.0.1.nip.io: Boost.URL 1.81 cannot read a name that begins with an address (malformed).
for host in "user@localhost" "localhost:80x" "[::1" "127.0.0.1.nip.io:$PORT"; do
  [[ $(host_code "$host") == 400 ]] || fail "Host: $host answered $(host_code "$host"), want 400"
done
body=$(curl -s -H "Host: evil.example" "$BASE/api/v1/status")
expect_contains "$body" "DNS rebinding" "the 421's body"
pass "Host: ours served, others 421, malformed 400"

# The page's CSP names its inline style and script by hash: nothing else inline may run.
curl -sfD "$WORK/headers" -o "$WORK/page.html" "$BASE/"
csp=$(grep -i '^Content-Security-Policy:' "$WORK/headers")
expect_not_contains "$csp" "unsafe-inline" "the CSP"
expect_contains "$csp" "script-src 'sha256-" "the CSP"
expect_contains "$csp" "style-src 'sha256-" "the CSP"
script_hash=$(python3 - "$WORK/page.html" <<'PY'
import base64, hashlib, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
print(base64.b64encode(hashlib.sha256(script.encode()).digest()).decode())
PY
)
expect_contains "$csp" "'sha256-$script_hash'" "the CSP (the page's script hash)"
pass "CSP without 'unsafe-inline': $csp"

# Event streams: four from one address, a fifth gets 429; another address still gets one.
for i in 1 2 3 4; do
  curl -sN --max-time 30 "$BASE/api/v1/events" >"$WORK/stream$i" 2>/dev/null &
  on_exit "kill $!"
done
wait_for 10 "four streams" bash -c "grep -l 'event: target' $WORK/stream[1-4] | wc -l | grep -qx 4"
code=$(curl -s -o "$WORK/fifth" -w '%{http_code}' --max-time 5 "$BASE/api/v1/events")
[[ $code == 429 ]] || fail "a 5th stream from one address answered $code, want 429"
expect_contains "$(cat "$WORK/fifth")" "event streams per client address" "the 429's body"
code=$(curl -s -o "$WORK/other" -w '%{http_code}' --max-time 2 --interface 127.0.0.2 "$BASE/api/v1/events" || true)
[[ $code == 200 ]] || fail "a stream from another address answered $code, want 200"
pass "a 5th event stream from one address: 429; another address: 200"
