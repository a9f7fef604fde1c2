#!/usr/bin/env bash
# Instant detection (docs/instant-detection.md): install-trigger (print, privileges, a squatted function,
# idempotence, uninstall), and the daemon's LISTEN connection: one per database, shared by its
# targets; a change is seen at once with a five-minute interval, only its own target polls, a killed
# listener reconnects and finds a change made in the gap, a database without the trigger is polled
# only (and is an error only with notify = "on"), a listening target polls at interval_listening,
# and removing the trigger stops the listening and brings back interval at once.
source "$(dirname "$0")/lib.sh"
pg_start
for db in orders billing plain strict; do
  enum_database "$db" order_status pending_payment paid
  psql_q -d "$db" -c "CREATE TABLE orders (id int, status order_status)"
done
psql_q -c "CREATE ROLE app LOGIN PASSWORD 'app-pw'" -c "GRANT CREATE ON SCHEMA public TO app" -d orders
# A second schema in orders, watched by a target of its own, with a name full of quotes.
psql_q -d orders -c "CREATE SCHEMA \"au\"\"dit\"" -c "CREATE TYPE \"au\"\"dit\".action AS ENUM ('create')"

# --print needs no database and writes one transaction.
expect_exit 0 "$ENUMWATCH" install-trigger --print
expect_contains "$OUT" "BEGIN;"
expect_contains "$OUT" "CREATE EVENT TRIGGER enumwatch_ddl_notify ON ddl_command_end"
expect_contains "$OUT" "COMMIT;"
psql_q -d strict -c "SELECT 1" >/dev/null
expect_exit 0 "$ENUMWATCH" install-trigger --print --uninstall
expect_contains "$OUT" "DROP EVENT TRIGGER IF EXISTS enumwatch_ddl_notify;"

# A role that is not a superuser cannot install it: one line that says why and what to do, and
# nothing is left behind. It may have planted a function of the same name, though...
psql_q -d orders -c "SET ROLE app" -c "CREATE FUNCTION public.enumwatch_ddl_notify() RETURNS event_trigger
  LANGUAGE plpgsql AS \$\$ BEGIN RAISE NOTICE 'squatter'; END \$\$"
expect_exit 2 "$ENUMWATCH" install-trigger --dsn "host=127.0.0.1 port=$PGPORT dbname=orders user=app password=app-pw"
expect_contains "$ERR" "event triggers need a superuser"
expect_contains "$ERR" "nothing was changed"
expect_not_contains "$ERR" "app-pw"
[[ $(echo "$ERR" | wc -l) -eq 1 ]] || fail "the error must be one line: $ERR"
# ...which a superuser's install replaces, owner included, twice without harm.
expect_exit 0 "$ENUMWATCH" install-trigger --dsn "$(dsn_for orders)"
expect_contains "$ERR" "installed the event trigger enumwatch_ddl_notify"
expect_exit 0 "$ENUMWATCH" install-trigger --dsn "$(dsn_for orders)"
[[ $(psql -X -At -d orders -c "SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE proname = 'enumwatch_ddl_notify'") == postgres ]] ||
  fail "the squatter still owns the trigger function"
[[ $(psql -X -At -d orders -c "SELECT count(*) FROM pg_event_trigger WHERE evtname = 'enumwatch_ddl_notify'") == 1 ]] ||
  fail "installing twice must leave one trigger"
expect_exit 0 "$ENUMWATCH" install-trigger --dsn "$(dsn_for billing)"
pass "install-trigger: print, privileges, a squatted function, idempotent"

daemon_port
write_token "$WORK/api.token" "instant-token-0123456789"
write_enum_snapshot "$WORK/app.toml" order_status pending_payment paid
printf '[[enum]]\nschema = "au\\"dit"\nname = "action"\nvalues = ["create"]\n' >"$WORK/audit.toml"
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
api_token_file = "api.token"
[defaults]
interval = "5m"
timeout = "3s"
$(snapshot_section app app.toml)
$(target_section orders orders app)
schemas = ["public"]
$(target_section orders-audit orders audit)
schemas = ["au\\"dit"]
$(snapshot_section audit audit.toml)
$(target_section billing billing app)
interval = "1s"
interval_listening = "1h"
$(target_section plain plain app)
$(target_section strict strict app)
notify = "on"
TOML
start_daemon_ready "$WORK/enumwatch.toml" 15
wait_for 10 "orders listening" metric_is 'enumwatch_notify_listening{target="orders"}' 1
wait_for 10 "billing listening" metric_is 'enumwatch_notify_listening{target="billing"}' 1
# LISTEN established: one full poll each, then quiet for five minutes.
wait_for 10 "the poll after LISTEN" metric_above 'enumwatch_polls_total{outcome="ok",target="billing"}' 1
[[ $(metric 'enumwatch_notify_listening{target="plain"}') == 0 ]] || fail "plain has no trigger"
[[ $(metric 'enumwatch_notify_listening{target="strict"}') == 0 ]] || fail "strict has no trigger"
expect_contains "$(curl -sf "$BASE/api/v1/targets/plain")" '"error":null' "plain (auto, no trigger)"
strict=$(curl -sf "$BASE/api/v1/targets/strict")
expect_contains "$strict" 'notify = \"on\", but the database has no enabled event trigger' "strict status"
expect_contains "$strict" '"up":true' "strict is still polled"
wait_for 10 "orders-audit listening" metric_is 'enumwatch_notify_listening{target="orders-audit"}' 1
listeners=$(psql -X -At -c "SELECT count(*) FROM pg_stat_activity
                            WHERE datname = 'orders' AND query LIKE 'LISTEN enumwatch_ddl%'")
[[ $listeners == 1 ]] || fail "orders and orders-audit must share one LISTEN connection, found $listeners"
[[ $(metric 'enumwatch_poll_interval_seconds{target="billing"}') == 3600 ]] ||
  fail "billing listens: its interval must be interval_listening (1h)"
[[ $(metric 'enumwatch_poll_interval_seconds{target="plain"}') == 300 ]] || fail "plain polls every 5m"
pass "listening where the trigger is (one connection per database); polling only, or an error with notify = on, where not"

sleep 0.5
billing_polls=$(metric 'enumwatch_polls_total{outcome="ok",target="billing"}')
plain_polls=$(metric 'enumwatch_polls_total{outcome="ok",target="plain"}')
psql_q -d orders -c "ALTER TYPE order_status ADD VALUE 'refunded'"
wait_for 5 "drift seen at once with a 5m interval" \
  metric_is 'enumwatch_drift_items{kind="unexpected_value",target="orders"}' 1
metric_above 'enumwatch_notifications_total{target="orders"}' 0 || fail "notification not counted"
[[ $(metric 'enumwatch_polls_total{outcome="ok",target="billing"}') == "$billing_polls" ]] ||
  fail "a notification from orders polled billing"
[[ $(metric 'enumwatch_polls_total{outcome="ok",target="plain"}') == "$plain_polls" ]] ||
  fail "a notification from orders polled plain"
# A change that rolls back sends nothing.
notes=$(metric 'enumwatch_notifications_total{target="orders"}')
psql_q -d orders -c "BEGIN" -c "ALTER TABLE orders ADD COLUMN note text" -c "ROLLBACK"
sleep 0.5
[[ $(metric 'enumwatch_notifications_total{target="orders"}') == "$notes" ]] ||
  fail "a rolled-back change was notified"
pass "a committed change is seen at once and polls only its own target"

# Two targets on one database: a type change in one's schema does not poll the other (the
# payload names the schema); a table change may concern any schema, so it polls both.
wait_for 10 "orders-audit listening" metric_is 'enumwatch_notify_listening{target="orders-audit"}' 1
sleep 0.5
audit_polls=$(metric 'enumwatch_polls_total{outcome="ok",target="orders-audit"}')
audit_notes=$(metric 'enumwatch_notifications_total{target="orders-audit"}')
psql_q -d orders -c "ALTER TYPE order_status ADD VALUE 'disputed'"
wait_for 5 "orders sees disputed" metric_is 'enumwatch_drift_items{kind="unexpected_value",target="orders"}' 2
wait_for 5 "orders-audit was notified" metric_above 'enumwatch_notifications_total{target="orders-audit"}' "$audit_notes"
sleep 0.3
[[ $(metric 'enumwatch_polls_total{outcome="ok",target="orders-audit"}') == "$audit_polls" ]] ||
  fail "a type change in public polled the target watching \"au\"\"dit\""
psql_q -d orders -c "ALTER TYPE \"au\"\"dit\".action ADD VALUE 'delete'"
wait_for 5 "orders-audit sees its own change" \
  metric_is 'enumwatch_drift_items{kind="unexpected_value",target="orders-audit"}' 1
audit_polls=$(metric 'enumwatch_polls_total{outcome="ok",target="orders-audit"}')
psql_q -d orders -c "ALTER TABLE orders ADD COLUMN note text"
wait_for 5 "a table change polls every target of the database" \
  metric_above 'enumwatch_polls_total{outcome="ok",target="orders-audit"}' "$audit_polls"
pass "a type change polls only the targets watching its schema"

# Kill the listener; change the type while nobody listens; it must be found on reconnect.
psql_q -d orders -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                     WHERE datname = 'orders' AND query LIKE 'LISTEN%'" >/dev/null
psql_q -d orders -c "ALTER TYPE order_status ADD VALUE 'in_the_gap'"
wait_for 10 "the gap's change found" \
  metric_is 'enumwatch_drift_items{kind="unexpected_value",target="orders"}' 3
wait_for 10 "listening again" metric_is 'enumwatch_notify_listening{target="orders"}' 1
daemon_log_has "targets orders, orders-audit: LISTEN enumwatch_ddl connection:" ||
  fail "the lost listener is not logged with the targets that share it"
daemon_log_has "targets orders, orders-audit: listening for schema changes again" ||
  fail "the reconnect is not logged"
psql_q -d orders -c "ALTER TYPE order_status ADD VALUE 'after_reconnect'"
wait_for 5 "a change after the reconnect" \
  metric_is 'enumwatch_drift_items{kind="unexpected_value",target="orders"}' 4
pass "a killed listener reconnects, and a change made in the gap is found"

# Uninstall: the next poll sees the trigger gone and the target stops listening.
expect_exit 0 "$ENUMWATCH" install-trigger --uninstall --dsn "$(dsn_for billing)"
[[ $(psql -X -At -d billing -c "SELECT count(*) FROM pg_event_trigger") == 0 ]] || fail "trigger left"
[[ $(psql -X -At -d billing -c "SELECT count(*) FROM pg_proc WHERE proname = 'enumwatch_ddl_notify'") == 0 ]] ||
  fail "function left"
curl -sf -X POST -H "Authorization: Bearer instant-token-0123456789" "$BASE/api/v1/targets/billing/poll" >/dev/null
wait_for 5 "billing stops listening" metric_is 'enumwatch_notify_listening{target="billing"}' 0
wait_for 5 "billing back to interval" metric_is 'enumwatch_poll_interval_seconds{target="billing"}' 1
billing_polls=$(metric 'enumwatch_polls_total{outcome="ok",target="billing"}')
wait_for 5 "billing polls every second again" \
  metric_above 'enumwatch_polls_total{outcome="ok",target="billing"}' "$((billing_polls + 1))"
[[ $(metric 'enumwatch_internal_errors_total{component="listener"}') == 0 ]] || fail "listener internal errors"
pass "--uninstall removes everything, and the daemon stops listening"
