#!/usr/bin/env bash
# DNS that never answers must not stall other targets or the event loop. The test re-runs itself
# in a network and mount namespace of its own (root only: CI runs as root), where
# /etc/resolv.conf points at a "name server" on 127.0.0.1:53 that reads queries and never
# answers. Three names hang at once (one through a service= DSN, which libpq would resolve on
# the loop); "localhost" (from /etc/hosts) and literal addresses keep polling at their pace.
if [[ -z ${ENUMWATCH_IN_NAMESPACE:-} ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "SKIP [pg_dns_hang]: needs root for a network namespace"
    exit 0
  fi
  exec unshare --net --mount env ENUMWATCH_IN_NAMESPACE=1 bash "$0" "$@"
fi
ip link set lo up
source "$(dirname "$0")/lib.sh"
echo "nameserver 127.0.0.1" >"$WORK/resolv.conf"
echo "options timeout:5 attempts:2" >>"$WORK/resolv.conf"
mount --bind "$WORK/resolv.conf" /etc/resolv.conf
python3 "$SUPPORT_DIR/silent_name_server.py" &  # reads every query, answers none
on_exit "kill $!"
sleep 0.3
pg_start
enum_database orders order_status paid
write_enum_snapshot "$WORK/app.toml" order_status paid
printf '[hanging]\nhost=db3.hangs.invalid\nport=%s\ndbname=orders\n' "$PGPORT" >"$WORK/pg_service.conf"

daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "200ms"
timeout = "1s"
$(snapshot_section app app.toml)
[[target]]
name = "hung-1"
dsn = "host=db1.hangs.invalid port=$PGPORT dbname=orders user=postgres"
snapshots = ["app"]
[[target]]
name = "hung-2"
dsn = "host=db2.hangs.invalid port=$PGPORT dbname=orders user=postgres"
snapshots = ["app"]
[[target]]
name = "hung-service"
dsn = "service=hanging user=postgres"
snapshots = ["app"]
[[target]]
name = "by-name"
dsn = "host=localhost port=$PGPORT dbname=orders user=postgres"
snapshots = ["app"]
$(target_section literal orders app)
TOML
export PGSERVICEFILE=$WORK/pg_service.conf
start_daemon "$WORK/enumwatch.toml"
wait_for 5 "by-name up while three names hang" metric_is 'enumwatch_up{target="by-name"}' 1
wait_for 5 "literal up" metric_is 'enumwatch_up{target="literal"}' 1
for t in hung-1 hung-2 hung-service; do
  wait_for 5 "$t times out resolving" bash -c "curl -sf '$BASE/api/v1/targets/$t' | grep -q 'timed out resolving host'"
done
before=$(metric 'enumwatch_polls_total{outcome="ok",target="by-name"}')
for _ in $(seq 10); do
  took=$(curl -s -o /dev/null -w '%{time_total}' "$BASE/metrics")
  python3 -c "import sys; sys.exit(0 if float('$took') < 0.2 else 1)" || fail "/metrics took ${took}s while DNS hangs"
  sleep 0.2
done
after=$(metric 'enumwatch_polls_total{outcome="ok",target="by-name"}')
(( after - before >= 5 )) || fail "by-name polled $((after - before)) times in 2 s while DNS hangs"
for t in hung-1 hung-2 hung-service; do
  [[ $(metric "enumwatch_up{target=\"$t\"}") == 0 ]] || fail "$t up without DNS"
done
pass "three hanging names, the rest polled on"
