#!/usr/bin/env bash
# A bad HTTP client cannot stall polling: oversized headers are refused, a slow client is cut off
# after the request timeout, and a flood of idle connections is capped while polls go on.
source "$(dirname "$0")/lib.sh"
pg_start
psql_q -c "CREATE DATABASE orders"
psql_q -d orders -c "CREATE TYPE order_status AS ENUM ('paid')"
printf '[[enum]]\nname = "order_status"\nvalues = ["paid"]\n' >"$WORK/app.toml"
daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "200ms"
[snapshots.app]
path = "app.toml"
[[target]]
name = "orders"
dsn = "$(dsn_for orders)"
snapshots = ["app"]
TOML
start_daemon "$WORK/enumwatch.toml"
wait_for 5 "first poll" curl -sf "$BASE/readyz"

big=$(head -c 20000 /dev/zero | tr '\0' 'x')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$BASE/healthz")
[[ $code == 431 ]] || fail "oversized headers answered $code, want 431"

# One client sends half a request and stalls; then 100 idle connections flood in (64 are allowed).
python3 - "$PORT" >"$WORK/flood.out" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
slow = socket.create_connection(("127.0.0.1", port))
slow.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
start = time.time()
idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
time.sleep(0.5)
refused = 0
for s in idle:
    s.settimeout(0.05)
    try:
        if s.recv(1) == b"":
            refused += 1
    except socket.timeout:
        pass
    except OSError:
        refused += 1
print(f"refused {refused}")
slow.settimeout(30)
try:
    slow.recv(1)
except OSError:
    pass
print(f"slow closed after {time.time() - start:.1f}s")
PY
cat "$WORK/flood.out"
seconds=$(sed -n 's/slow closed after \([0-9.]*\)s/\1/p' "$WORK/flood.out")
refused=$(sed -n 's/refused \([0-9]*\)/\1/p' "$WORK/flood.out")
(( refused >= 30 )) || fail "only $refused of 100 flooding connections were refused (cap is 64)"
python3 -c "import sys; sys.exit(0 if 8 <= float('$seconds') <= 14 else 1)" || fail "slow client held for ${seconds}s"

# Polls went on the whole time (about 10 s at 200 ms).
polls=$(metric 'enumwatch_polls_total{outcome="ok",target="orders"}')
(( polls >= 40 )) || fail "only $polls polls while clients misbehaved"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz") == 200 ]] || fail "daemon no longer answers"
pass "$polls polls, slow client cut after ${seconds}s"
