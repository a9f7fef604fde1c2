#!/usr/bin/env bash
# Bounded memory (docs/reliability.md, "Large recipes and many subscribers"): a tenant's function
# with a 50 MB body depends on a drifting type, so the type's recreate recipe embeds 50 MB. The
# daemon serves a one-line pointer to `enumwatch diff --format sql` instead, to the status API and
# to 8 event stream subscribers (4 per address, the limit), and stays far below the unit's
# MemoryMax=512M; diff --format sql still prints the whole recipe.
source "$(dirname "$0")/lib.sh"
pg_start
psql_q -c "CREATE ROLE watcher LOGIN PASSWORD 'watch-pw'" -c "CREATE ROLE tenant LOGIN PASSWORD 'tenant-pw'" \
  -c "CREATE DATABASE orders"
psql_q -d orders -c "GRANT CREATE ON SCHEMA public TO tenant" \
  -c "CREATE TYPE order_status AS ENUM ('paid', 'open', 'legacy')" \
  -c "GRANT USAGE ON TYPE order_status TO tenant"
# 50 MB of body: a comment inside an SQL function, which PostgreSQL keeps as written.
python3 - >"$WORK/big.sql" <<'PY'
print("CREATE FUNCTION public.describe(s order_status) RETURNS text LANGUAGE sql AS $body$")
print("SELECT s::text /*")
line = "x" * 1023 + "\n"
for _ in range(50 * 1024):
    print(line, end="")
print("*/ $body$;")
PY
PGUSER=tenant PGPASSWORD=tenant-pw psql_q -d orders -f "$WORK/big.sql"
printf '[[enum]]\nname = "order_status"\nvalues = ["paid", "open"]\n' >"$WORK/app.toml"
echo "watch-pw" >"$WORK/watcher.pass"
chmod 600 "$WORK/watcher.pass"
daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "1s"
[snapshots.app]
path = "app.toml"
[[target]]
name = "orders"
dsn = "host=127.0.0.1 port=$PGPORT dbname=orders user=watcher"
password_file = "watcher.pass"
snapshots = ["app"]
TOML
start_daemon "$WORK/enumwatch.toml"
for i in 1 2 3 4; do
  for address in 127.0.0.1 127.0.0.2; do
    curl -sN --max-time 60 --interface "$address" "$BASE/api/v1/events" >"$WORK/stream-$address-$i" 2>/dev/null &
    on_exit "kill $!"
  done
done
wait_for 60 "the drift with its bounded recipe" \
  bash -c "curl -sf '$BASE/api/v1/status' | grep -q 'enumwatch diff --format sql'"
sleep 3  # a few more polls (unchanged: nothing is read again) and events
status=$(curl -sf "$BASE/api/v1/status")
((${#status} < 64 * 1024)) || fail "the status answer is ${#status} bytes"
python3 - "$status" <<'PY'
import json, sys
items = [i for t in json.loads(sys.argv[1])["targets"] for i in t["drift"] if i["kind"] == "unexpected_value"]
assert items, "no unexpected_value item"
sql = items[0]["remediation_sql"]
assert sql.startswith("-- The recipe for order_status is over ") and "KiB" in sql, sql
assert len(sql) < 1024, len(sql)
PY
for f in "$WORK"/stream-*; do
  size=$(stat -c %s "$f")
  ((size < 256 * 1024)) || fail "$f received $size bytes"
  grep -q "event: target" "$f" || fail "$f received no event"
done
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$DAEMON_PID/status")
echo "daemon peak RSS ${hwm} kB"
# 256 MB; under AddressSanitizer (its shadow memory and 256 MB quarantine) the unit's 512 MB.
limit=$((256 * 1024))
[[ -z ${ASAN_OPTIONS:-} ]] || limit=$((512 * 1024))
((hwm < limit)) || fail "the daemon's peak RSS is ${hwm} kB with a 50 MB definition (limit $limit kB)"
[[ $(metric 'enumwatch_internal_errors_total{component="http"}') == 0 ]] || fail "internal errors in http"
pass "a 50 MB recipe is served as one line to the API and 8 streams; peak RSS ${hwm} kB"

# The CLI prints it whole: it is what the one line points to.
PGPASSWORD=watch-pw "$ENUMWATCH" diff --snapshot "$WORK/app.toml" --schema public \
  --dsn "host=127.0.0.1 port=$PGPORT dbname=orders user=watcher" --format sql >"$WORK/recipe.sql" || true
size=$(stat -c %s "$WORK/recipe.sql")
((size > 50 * 1024 * 1024)) || fail "diff --format sql printed $size bytes, not the whole recipe"
grep -q "CREATE OR REPLACE FUNCTION public.describe" "$WORK/recipe.sql" || fail "the function is not in the recipe"
pass "diff --format sql prints the whole $((size / 1024 / 1024)) MB recipe"
