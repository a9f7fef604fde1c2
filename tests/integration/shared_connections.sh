#!/usr/bin/env bash
# One poll connection per database (docs/fleet.md, "One connection per database"): 20 targets on
# one database's 20 schemas hold one poll backend and one LISTEN backend, not 40; 5 on another
# database one more; a target whose DSN differs (another application_name) gets its own. A change
# in one schema is seen by its target alone, at once. When the shared session is killed mid-run,
# every target on it comes back over one new session, and none stays down.
source "$(dirname "$0")/lib.sh"
pg_start
psql_q -c "CREATE DATABASE app" -c "CREATE DATABASE other" \
  -c "CREATE ROLE monitor LOGIN PASSWORD 'monitor-pw'"
{
  for i in $(seq 0 19); do
    echo "CREATE SCHEMA t$i; CREATE TYPE t$i.state AS ENUM ('a', 'b'); GRANT USAGE ON SCHEMA t$i TO monitor;"
  done
} | psql_q -d app
{
  for i in $(seq 0 4); do
    echo "CREATE SCHEMA o$i; CREATE TYPE o$i.state AS ENUM ('a', 'b'); GRANT USAGE ON SCHEMA o$i TO monitor;"
  done
} | psql_q -d other
"$ENUMWATCH" install-trigger --dsn "$(dsn_for app)" --monitoring-role monitor >/dev/null
for i in $(seq 0 19); do printf '[[enum]]\nschema = "t%s"\nname = "state"\nvalues = ["a", "b"]\n' "$i"; done >"$WORK/app.toml"
for i in $(seq 0 4); do printf '[[enum]]\nschema = "o%s"\nname = "state"\nvalues = ["a", "b"]\n' "$i"; done >"$WORK/other.toml"
APP="host=127.0.0.1 port=$PGPORT dbname=app user=monitor password=monitor-pw"
OTHER="host=127.0.0.1 port=$PGPORT dbname=other user=monitor password=monitor-pw"
daemon_port
{
  daemon_section
  printf '[defaults]\ninterval = "1s"\ninterval_listening = "1s"\nnaming = "none"\n'
  printf '[snapshots.app]\npath = "app.toml"\n[snapshots.other]\npath = "other.toml"\n'
  for i in $(seq 0 19); do
    printf '[[target]]\nname = "t%s"\ndsn = "%s"\nsnapshots = ["app"]\nschemas = ["t%s"]\nreport_unexpected = false\n' "$i" "$APP" "$i"
  done
  for i in $(seq 0 4); do
    printf '[[target]]\nname = "o%s"\ndsn = "%s"\nsnapshots = ["other"]\nschemas = ["o%s"]\nreport_unexpected = false\n' "$i" "$OTHER" "$i"
  done
  printf '[[target]]\nname = "odd"\ndsn = "%s application_name=odd-one"\nsnapshots = ["app"]\nschemas = ["t0"]\nreport_unexpected = false\n' "$APP"
} >"$WORK/enumwatch.toml"
start_daemon_ready "$WORK/enumwatch.toml" 20
wait_for 10 "listening" metric_is 'enumwatch_notify_listening{target="t19"}' 1

# backends DB [APPLICATION_NAME]: the monitoring role's sessions on DB.
backends() {
  psql -X -At -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'monitor' AND datname = '$1'${2:+ AND application_name = '$2'}"
}
up_count() { curl -sf "$BASE/metrics" | grep -c '^enumwatch_up{target="[^"]*"} 1$'; }
sleep 2  # several polls of every target
[[ $(backends app enumwatch) == 2 ]] || fail "20 targets on app hold $(backends app enumwatch) sessions, want 2 (a poll, a LISTEN)"
[[ $(backends app odd-one) == 2 ]] || fail "the target with another DSN holds $(backends app odd-one) sessions, want 2"
[[ $(backends other) == 1 ]] || fail "5 targets on other (no trigger) hold $(backends other) sessions, want 1"
[[ $(up_count) == 26 ]] || fail "$(up_count) of 26 targets up"
pass "26 targets, 3 DSNs: 5 backends (a poll per DSN, a LISTEN per DSN with the trigger)"

# A change in one tenant's schema: that target alone drifts, seen at once.
psql_q -d app -c "ALTER TYPE t7.state ADD VALUE 'c'"
wait_for 5 "t7's drift" bash -c "curl -sf $BASE/api/v1/targets/t7 | grep -q unexpected_value"
for t in t6 t8 o0 odd; do
  curl -sf "$BASE/api/v1/targets/$t" | grep -q '"drift":\[\]' || fail "$t drifts after a change in t7"
done
pass "a change in one schema: its target alone drifts"

# The shared poll session dies: every target on it comes back over one new session.
killed=$(psql -X -At -d postgres -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = 'monitor' AND datname = 'app' AND application_name = 'enumwatch' AND query NOT LIKE 'LISTEN%'")
[[ $killed == 1 ]] || fail "expected one shared poll session to kill, found $killed"
all_up_again() { [[ $(up_count) == 26 ]] && [[ $(backends app enumwatch) == 2 ]]; }
wait_for 15 "every target up again over one new session" all_up_again
sleep 2
[[ $(backends app enumwatch) == 2 ]] || fail "after the kill: $(backends app enumwatch) sessions on app"
metric_above 'enumwatch_polls_total{outcome="ok",target="t13"}' 3 || fail "t13 stopped polling"
[[ $(metric 'enumwatch_internal_errors_total{component="scheduler"}') == 0 ]] || fail "internal errors"
pass "the shared session killed: every target back over one new session, none left down"
