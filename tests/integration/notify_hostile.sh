#!/usr/bin/env bash
# Instant detection against a hostile or careless neighbour (docs/instant-detection.md): a flood
# of NOTIFY from a role that may only connect costs a few polls a second, and a real change inside
# it is still seen within a second; a type that leaves a watched schema (SET SCHEMA), a renamed
# schema and DROP OWNED are seen at once with a five-minute interval; CREATE SCHEMA ... CREATE
# TABLE, foreign tables and ALTER EXTENSION ... DROP TYPE notify; the database's owner cannot drop
# the trigger's function; a dropped trigger shows in enumwatch_notify_trigger_installed.
source "$(dirname "$0")/lib.sh"
pg_start
psql_q -c "CREATE ROLE watcher LOGIN PASSWORD 'watch-pw'" -c "CREATE ROLE flooder LOGIN PASSWORD 'flood-pw'" \
  -c "CREATE ROLE dbowner LOGIN PASSWORD 'owner-pw'" -c "CREATE ROLE gadgeteer LOGIN" \
  -c "CREATE DATABASE orders OWNER dbowner"
psql_q -d orders -c "CREATE SCHEMA app" -c "CREATE SCHEMA archive" -c "GRANT USAGE ON SCHEMA app TO watcher" \
  -c "CREATE TYPE app.order_status AS ENUM ('a', 'b')" -c "CREATE TABLE app.orders (id int, status app.order_status)" \
  -c "GRANT CREATE ON SCHEMA app TO gadgeteer" -c "GRANT CREATE ON SCHEMA public TO flooder" \
  -c "SET ROLE gadgeteer" -c "CREATE TYPE app.gadget AS ENUM ('x')"
"$ENUMWATCH" install-trigger --dsn "$(dsn_for orders)" 2>/dev/null
printf '[[enum]]\nschema = "app"\nname = "order_status"\nvalues = ["a", "b"]\n[[enum]]\nschema = "app"\nname = "gadget"\nvalues = ["x"]\n' >"$WORK/app.toml"
echo "watch-pw" >"$WORK/watcher.pass"
chmod 600 "$WORK/watcher.pass"

# The database's owner (who owns public on PostgreSQL 15) cannot remove the trigger's function.
rc=0
PGUSER=dbowner PGPASSWORD=owner-pw psql -X -q -d orders -c "DROP SCHEMA enumwatch CASCADE" 2>"$WORK/err" || rc=$?
((rc != 0)) && grep -q "must be owner" "$WORK/err" || fail "the database owner dropped the trigger's schema: $(cat "$WORK/err")"

daemon_port
write_token "$WORK/api.token" "notify-token-0123456789"
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
api_token_file = "api.token"
log_level = "debug"
[defaults]
interval = "5m"
timeout = "3s"
$(snapshot_section app app.toml)
[[target]]
name = "app"
dsn = "host=127.0.0.1 port=$PGPORT dbname=orders user=watcher"
password_file = "watcher.pass"
snapshots = ["app"]
schemas = ["app"]
TOML
start_daemon "$WORK/enumwatch.toml"
wait_for 15 "listening" metric_is 'enumwatch_notify_listening{target="app"}' 1
[[ $(metric 'enumwatch_notify_trigger_installed{target="app"}') == 1 ]] || fail "the trigger is not shown installed"
polls() { metric 'enumwatch_polls_total{outcome="ok",target="app"}'; }
drift() { metric "enumwatch_drift_items{kind=\"$1\",target=\"app\"}"; }
# seen_within SECONDS WHAT KIND COUNT: the drift count of KIND reaches COUNT within SECONDS; prints
# how long it took.
seen_within() {
  local start end
  start=$(date +%s.%N)
  wait_for "$1" "$2" bash -c "curl -sf $BASE/metrics | grep -qx 'enumwatch_drift_items{kind=\"$3\",target=\"app\"} $4'"
  end=$(date +%s.%N)
  python3 -c "import sys; t = $end - $start; print(f'$2: seen in {t:.2f} s'); sys.exit(0 if t <= 1.5 else 1)" ||
    fail "$2 took longer than a second (and a half, for a loaded machine)"
}

# --- a flood: distinct payloads (PostgreSQL folds identical ones), not JSON, one per commit ----
before=$(polls)
PGUSER=flooder PGPASSWORD=flood-pw psql -X -q -d orders -c "DO \$\$
DECLARE t0 timestamptz := clock_timestamp(); i int := 0;
BEGIN
  WHILE clock_timestamp() < t0 + interval '8 seconds' LOOP
    i := i + 1;
    PERFORM pg_notify('enumwatch_ddl', 'flood ' || i);
    COMMIT;
  END LOOP;
END \$\$" &
flood=$!
on_exit "kill $flood"
sleep 4
psql_q -d orders -c "ALTER TYPE app.order_status ADD VALUE 'c'"
seen_within 3 "ADD VALUE during the flood" unexpected_value 1
wait "$flood"
sleep 0.6
after=$(polls)
received=$(metric 'enumwatch_notifications_total{target="app"}')
coalesced=$(metric 'enumwatch_notifications_coalesced_total{target="app"}')
echo "flood: $received notifications, $coalesced coalesced, $((after - before)) polls in ~8 s"
((${received%.*} > 1000)) || fail "the flood was too small to prove anything ($received notifications)"
((after - before <= 20)) || fail "a flood of $received notifications cost $((after - before)) polls in 8 s"
metric_above 'enumwatch_notifications_coalesced_total{target="app"}' 0 || fail "nothing was counted as coalesced"
kill -0 "$DAEMON_PID" || fail "the daemon died in the flood"
pass "a flood of $received notifications: $((after - before)) polls; a real change inside it seen at once"

# --- moves and drops that a schema-scoped target must see at once -----------------------------
psql_q -d orders -c "ALTER TYPE app.order_status SET SCHEMA archive"
seen_within 3 "SET SCHEMA out of the watched schema" missing_type 1
psql_q -d orders -c "ALTER TYPE archive.order_status SET SCHEMA app"
seen_within 3 "SET SCHEMA back" missing_type 0
psql_q -d orders -c "ALTER SCHEMA app RENAME TO app2"
seen_within 3 "ALTER SCHEMA RENAME" missing_type 2
psql_q -d orders -c "ALTER SCHEMA app2 RENAME TO app"
seen_within 3 "ALTER SCHEMA RENAME back" missing_type 0
psql_q -d orders -c "DROP OWNED BY gadgeteer"
seen_within 3 "DROP OWNED" missing_type 1
pass "SET SCHEMA, ALTER SCHEMA RENAME and DROP OWNED seen at once with a 5-minute interval"

notifications() { metric 'enumwatch_notifications_total{target="app"}'; }
notified_by() {  # WHAT SQL...
  local what=$1 n
  shift
  n=$(notifications)
  psql_q -d orders "$@"
  wait_for 5 "a notification for $what" metric_above 'enumwatch_notifications_total{target="app"}' "$n"
}
notified_by "CREATE SCHEMA ... CREATE TABLE" -c "CREATE SCHEMA shop CREATE TABLE carts (status app.order_status)"
# Each statement under test runs alone, after what it needs, so that only it can have notified.
psql_q -d orders -c "CREATE FOREIGN DATA WRAPPER nothing" -c "CREATE SERVER nowhere FOREIGN DATA WRAPPER nothing"
notified_by "CREATE FOREIGN TABLE" -c "CREATE FOREIGN TABLE remote_orders (status app.order_status) SERVER nowhere"
notified_by "CREATE EXTENSION" -c "CREATE EXTENSION citext"
sleep 0.5  # past the listener's coalescing slice: a late notification of CREATE EXTENSION lands here
notified_by "ALTER EXTENSION ... DROP TYPE" -c "ALTER EXTENSION citext DROP TYPE citext"
pass "CREATE SCHEMA ... CREATE TABLE, foreign tables and ALTER EXTENSION notify"

# --- a disabled trigger shows; enabled again, listening resumes ---------------------------------
poll_now() {
  curl -sf -X POST -H "Authorization: Bearer notify-token-0123456789" "$BASE/api/v1/targets/app/poll" >/dev/null
}
psql_q -d orders -c "ALTER EVENT TRIGGER enumwatch_ddl_notify DISABLE"
poll_now
wait_for 5 "the disabled trigger shown" metric_is 'enumwatch_notify_trigger_installed{target="app"}' 0
wait_for 5 "listening stopped" metric_is 'enumwatch_notify_listening{target="app"}' 0
psql_q -d orders -c "ALTER EVENT TRIGGER enumwatch_ddl_notify ENABLE"
poll_now
wait_for 5 "the enabled trigger shown" metric_is 'enumwatch_notify_trigger_installed{target="app"}' 1
wait_for 5 "listening again" metric_is 'enumwatch_notify_listening{target="app"}' 1
pass "a disabled trigger: enumwatch_notify_trigger_installed 0, listening stopped; enabled: back"

# Another tenant's type of a name the target saw: its ALTER TYPE may be a type leaving app, so
# the target looks, but with a fingerprint in its database's shared round trip, not a full read
# (docs/instant-detection.md, "What fires").
psql_q -d orders -c "CREATE TYPE archive.order_status AS ENUM ('t')"
# The flood's backlog, which the listener may still be reading, and the CREATE's notification
# (no concern of app's) are past when two looks a second apart count the same.
quiet() {
  local n
  n=$(metric 'enumwatch_notifications_total{target="app"}') && sleep 1 &&
    [[ $(metric 'enumwatch_notifications_total{target="app"}') == "$n" ]]
}
wait_for 30 "the notifications to stop" quiet
from=$(wc -l <"$WORK/daemon.log")
n=$(polls)
psql_q -d orders -c "ALTER TYPE archive.order_status ADD VALUE 'u'"
wait_for 3 "app to look after another tenant's ALTER TYPE" bash -c "(( \$(curl -sf $BASE/metrics | sed -n 's/^enumwatch_polls_total{outcome=\"ok\",target=\"app\"} //p') > $n ))"
sleep 0.5
tail -n +"$from" "$WORK/daemon.log" | grep -q 'reads\? in one round trip, one schema fingerprint query' ||
  fail "app did not look in its database's shared round trip"
! tail -n +"$from" "$WORK/daemon.log" | grep -q 'target app: a full read' ||
  fail "another tenant's ALTER TYPE cost app a full read"
pass "another tenant's ALTER TYPE of a name app saw: one fingerprint in the shared round trip"

# A flood of well-formed payloads about another schema (any role may send them): looked at in the
# shared round trip, at most two a second, like notified polls.
before=$(polls)
started=$SECONDS
PGUSER=flooder PGPASSWORD=flood-pw psql -X -q -d orders -c "DO \$\$
DECLARE t0 timestamptz := clock_timestamp(); i int := 0;
BEGIN
  WHILE clock_timestamp() < t0 + interval '1 second' LOOP
    i := i + 1;
    PERFORM pg_notify('enumwatch_ddl', '{\"tag\":\"ALTER TABLE\",\"schemas\":[\"archive\"],\"n\":' || i || '}');
    COMMIT;
  END LOOP;
END \$\$"
# The listener reads a flood slower than a DO loop sends it: tens of thousands take seconds.
wait_for 60 "the notifications to stop" quiet
after=$(polls)
# Two a second while the listener reads the flood (the last second of quiet() had none), and one
# more for the edges.
allowed=$((2 * (SECONDS - started) + 1))
((after - before >= 1)) || fail "app never looked during a flood about another schema"
((after - before <= allowed)) ||
  fail "a flood about another schema cost app $((after - before)) polls in $((SECONDS - started)) s"
pass "a flood of payloads about another schema: $((after - before)) looks in $((SECONDS - started)) s"

# --- a dropped trigger shows, and the target goes back to its interval -------------------------
psql_q -d orders -c "DROP EVENT TRIGGER enumwatch_ddl_notify"
poll_now
wait_for 5 "the dropped trigger shown" metric_is 'enumwatch_notify_trigger_installed{target="app"}' 0
wait_for 5 "listening stopped" metric_is 'enumwatch_notify_listening{target="app"}' 0
pass "a dropped trigger: enumwatch_notify_trigger_installed 0, listening stopped"

# --- install-trigger --print --dsn: a DBA's script for that database, refused by any other ------
"$ENUMWATCH" install-trigger --print --dsn "$(dsn_for orders)" >"$WORK/trigger.sql"
psql_q -c "CREATE DATABASE elsewhere"
rc=0
psql_q -d elsewhere -f "$WORK/trigger.sql" 2>"$WORK/err" >/dev/null || rc=$?
((rc != 0)) && grep -q "this script is for database orders, not elsewhere" "$WORK/err" ||
  fail "the printed script ran in another database: $(cat "$WORK/err")"
[[ -z $(psql -X -At -d elsewhere -c "SELECT 1 FROM pg_event_trigger") ]] || fail "it left a trigger in elsewhere"
psql_q -d orders -f "$WORK/trigger.sql" >/dev/null
poll_now
wait_for 5 "the trigger from the printed script shown" metric_is 'enumwatch_notify_trigger_installed{target="app"}' 1
pass "install-trigger --print --dsn: refused in another database, installs in its own"
