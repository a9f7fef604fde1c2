#!/usr/bin/env bash
# Polls work through PgBouncer in transaction pooling mode: three targets share one server
# connection, so nothing may rely on session state or named prepared statements. With the event
# trigger installed, a target whose notify_dsn goes around the pooler sees a change at once; the
# ones without it (LISTEN needs a session: the pooler cannot keep one) still poll without error, at
# their own interval: they are not taken for listening.
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status pending_payment paid
psql_q -d orders -c "CREATE TABLE orders (status order_status DEFAULT 'paid')" \
  -c "CREATE TABLE alembic_version (version_num text)" -c "INSERT INTO alembic_version VALUES ('r1')"
printf '[snapshot]\nrevision = "r1"\n[[enum]]\nname = "order_status"\nvalues = ["pending_payment", "paid"]\n' >"$WORK/app.toml"

mkdir -p "$WORK/pgb"
BOUNCER_PORT=$(free_port)
echo '"postgres" ""' >"$WORK/pgb/userlist.txt"
cat >"$WORK/pgb/pgbouncer.ini" <<INI
[databases]
orders = host=127.0.0.1 port=$PGPORT dbname=orders user=postgres password=secret-pw
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $WORK/pgb/userlist.txt
pool_mode = transaction
default_pool_size = 1
max_client_conn = 50
logfile = $WORK/pgb/pgbouncer.log
pidfile = $WORK/pgb/pgbouncer.pid
INI
[[ $(id -u) -eq 0 ]] && chown -R postgres: "$WORK/pgb"
as_pg /usr/sbin/pgbouncer -d "$WORK/pgb/pgbouncer.ini"
on_exit "kill \$(cat $WORK/pgb/pgbouncer.pid)"
wait_for 10 "pgbouncer listening" bash -c "exec 3<>/dev/tcp/127.0.0.1/$BOUNCER_PORT"

BOUNCED="host=127.0.0.1 port=$BOUNCER_PORT dbname=orders user=postgres"
expect_exit 0 "$ENUMWATCH" diff --snapshot "$WORK/app.toml" --dsn "$BOUNCED"

daemon_port
{
  daemon_section
  printf '[defaults]\ninterval = "300ms"\ntimeout = "3s"\nmigration_table = "alembic_version"\n'
  snapshot_section app app.toml
  for i in 1 2 3; do target_section "via-bouncer-$i" "$BOUNCED" app; done
} >"$WORK/enumwatch.toml"
start_daemon "$WORK/enumwatch.toml"
for i in 1 2 3; do
  wait_for 10 "target $i polled through pgbouncer" metric_above "enumwatch_polls_total{outcome=\"ok\",target=\"via-bouncer-$i\"}" 5
done
for i in 1 2 3; do
  [[ $(metric "enumwatch_polls_total{outcome=\"error\",target=\"via-bouncer-$i\"}") == 0 ]] ||
    fail "errors through pgbouncer: $(curl -sf "$BASE/api/v1/targets/via-bouncer-$i")"
done
expect_contains "$(curl -sf "$BASE/metrics")" 'enumwatch_migration_revision_info{revision="r1",target="via-bouncer-1"} 1'

# Drift still shows up through the pooler, and the connections survive it.
psql_q -d orders -c "ALTER TYPE order_status RENAME VALUE 'pending_payment' TO 'PendingPayment'"
wait_for 5 "drift seen through pgbouncer" metric_is 'enumwatch_drift_items{kind="case_mismatch",target="via-bouncer-3"}' 1
[[ $(metric 'enumwatch_polls_total{outcome="error",target="via-bouncer-2"}') == 0 ]] || fail "errors after DDL"
pass "polls through the pooler"

# Instant detection: the trigger in the database; a fourth target LISTENs over a direct notify_dsn.
"$ENUMWATCH" install-trigger --dsn "$(dsn_for orders)" 2>/dev/null
cat >>"$WORK/enumwatch.toml" <<TOML
[[target]]
name = "instant"
dsn = "$BOUNCED"
notify_dsn = "$(dsn_for orders)"
snapshots = ["app"]
interval = "5m"
TOML
kill -HUP "$DAEMON_PID"
wait_for 10 "instant listening around the pooler" metric_is 'enumwatch_notify_listening{target="instant"}' 1
wait_for 10 "instant polled" metric_is 'enumwatch_drift_items{kind="case_mismatch",target="instant"}' 1
psql_q -d orders -c "ALTER TYPE order_status ADD VALUE 'refunded'"
wait_for 5 "instant sees the change at once (interval 5m)" \
  metric_is 'enumwatch_drift_items{kind="unexpected_value",target="instant"}' 1
metric_above 'enumwatch_notifications_total{target="instant"}' 0 || fail "notification not counted"
psql_q -d orders -c "ALTER TYPE order_status ADD VALUE 'chargeback'"
wait_for 5 "and the next one" metric_is 'enumwatch_drift_items{kind="unexpected_value",target="instant"}' 2
for i in 1 2 3; do
  [[ $(metric "enumwatch_polls_total{outcome=\"error\",target=\"via-bouncer-$i\"}") == 0 ]] ||
    fail "errors through pgbouncer with the trigger: $(curl -sf "$BASE/api/v1/targets/via-bouncer-$i")"
done
wait_for 5 "targets without notify_dsn still see changes by polling" \
  metric_is 'enumwatch_drift_items{kind="unexpected_value",target="via-bouncer-1"}' 2
# Their LISTEN through the pooler "succeeds", but no notification ever comes back over it: the
# probe proves it, so they are not counted as listening and keep their interval, not the safety
# net's five minutes (docs/instant-detection.md, "Proof of listening").
for i in 1 2 3; do
  [[ $(metric "enumwatch_notify_listening{target=\"via-bouncer-$i\"}") == 0 ]] ||
    fail "via-bouncer-$i counted as listening through a transaction pooler"
  [[ $(metric "enumwatch_poll_interval_seconds{target=\"via-bouncer-$i\"}") == 0.3 ]] ||
    fail "via-bouncer-$i left its interval for interval_listening"
done
[[ $(metric 'enumwatch_poll_interval_seconds{target="instant"}') == 300 ]] || fail "instant listens: 5m"
[[ $(metric 'enumwatch_internal_errors_total{component="listener"}') == 0 ]] || fail "listener internal errors"
pass "notify_dsn listens around the pooler"
