#!/usr/bin/env bash
# One round trip per database (docs/fleet.md, "One round trip per database"): the quiet polls of
# 30 targets on one database's schemas leave together, in one pipeline, through one poll slot
# (max_concurrent_polls = 2), and every target is still polled every interval. A change in one
# schema is seen by its target alone. One target's read failing inside the shared round trip (its
# migration table dropped by a tenant) fails that target alone: the reads it aborted are sent again
# at once (not polled alone), and the others stay up. The shared backend killed mid-run: every
# target comes back.
# The first polls, and those after the kill, read the catalog in full once for all the targets
# asking (docs/fleet.md, "One full read per database"), and each target still sees its own scope
# alone: one on a schema named with a quote and a newline, one on every schema but t0, one whose
# ignore glob hides its only type. The monitoring role's sessions default to compiling every
# query that costs more than 1 with LLVM (jit_above_cost = 1): the daemon's reads turn the JIT
# off, and nothing is compiled.
source "$(dirname "$0")/lib.sh"
pg_start
N=30
ODD=$'we"ird\nsch'  # a schema name with a quote and a newline in it
TOTAL=$((N + 3))
psql_q -c "CREATE DATABASE app" -c "CREATE ROLE monitor LOGIN PASSWORD 'monitor-pw'"
# What the server compiles for the role is written to its data directory (jit_dump_bitcode).
psql_q -c "ALTER ROLE monitor SET jit = on" -c "ALTER ROLE monitor SET jit_above_cost = 1" \
  -c "ALTER ROLE monitor SET jit_dump_bitcode = on"
{
  for i in $(seq 0 $((N - 1))); do
    echo "CREATE SCHEMA t$i; CREATE TYPE t$i.state AS ENUM ('a', 'b'); GRANT USAGE ON SCHEMA t$i TO monitor;"
  done
  # The tenant of t0 owns its migration table, and may drop it.
  echo "CREATE ROLE tenant0 LOGIN PASSWORD 'tenant0-pw'; ALTER SCHEMA t0 OWNER TO tenant0;"
  echo "CREATE TABLE t0.versions (version_num text); INSERT INTO t0.versions VALUES ('r1');"
  echo "ALTER TABLE t0.versions OWNER TO tenant0; GRANT SELECT ON t0.versions TO monitor;"
} | psql_q -d app
odd_sql="\"${ODD//\"/\"\"}\""
psql_q -d app -c "CREATE SCHEMA $odd_sql" -c "CREATE TYPE $odd_sql.state AS ENUM ('x')" \
  -c "GRANT USAGE ON SCHEMA $odd_sql TO monitor"
for i in $(seq 0 $((N - 1))); do printf '[[enum]]\nschema = "t%s"\nname = "state"\nvalues = ["a", "b"]\n' "$i"; done >"$WORK/app.toml"
APP="host=127.0.0.1 port=$PGPORT dbname=app user=monitor password=monitor-pw"
daemon_port
{
  daemon_section
  printf 'log_level = "debug"\nmax_concurrent_polls = 2\n'
  printf '[defaults]\ninterval = "1s"\nnaming = "none"\nnotify = "off"\nmigration_lock = "off"\n'
  printf '[snapshots.app]\npath = "app.toml"\n'
  for i in $(seq 0 $((N - 1))); do
    printf '[[target]]\nname = "t%s"\ndsn = "%s"\nsnapshots = ["app"]\nschemas = ["t%s"]\nreport_unexpected = false\n' "$i" "$APP" "$i"
    ((i == 0)) && printf 'migration_table = "t0.versions"\n'
  done
  target_section odd "$APP" app
  printf 'schemas = ["we\\"ird\\nsch"]\nreport_unexpected = false\n'  # TOML's escapes: $ODD
  target_section wide "$APP" app
  printf 'exclude_schemas = ["t0"]\nreport_unexpected = false\n'
  target_section ignoring "$APP" app
  printf 'schemas = ["t1"]\nignore = ["t1.state"]\nreport_unexpected = false\n'
} >"$WORK/enumwatch.toml"
start_daemon "$WORK/enumwatch.toml"
wait_for 20 "every target polled" curl -sf "$BASE/readyz"

up_count() { curl -sf "$BASE/metrics" | grep -c '^enumwatch_up{target="[^"]*"} 1$' || true; }
# Full catalog reads after line $1 of the log, each for its own target and those asking with it.
full_reads() { tail -n +"$1" "$WORK/daemon.log" | grep -c 'a full read, for [0-9]* more target' || true; }
enums_seen() { metric "enumwatch_enums{source=\"database\",target=\"$1\"}"; }
reads=$(full_reads 1)
((reads >= 1 && reads <= 3)) || fail "$reads full catalog reads for the first polls of $TOTAL targets, want one or a few"
for t in t0 t5 t29 odd; do
  [[ $(enums_seen "$t") == 1 ]] || fail "target $t sees $(enums_seen "$t") enum types, want its own 1"
done
[[ $(enums_seen wide) == "$N" ]] || fail "wide sees $(enums_seen wide) enum types, want $N (all but t0's)"
[[ $(enums_seen ignoring) == 0 ]] || fail "ignoring sees $(enums_seen ignoring) enum types, want 0"
[[ $(up_count) == "$TOTAL" ]] || fail "$(up_count) of $TOTAL targets up"
pass "$TOTAL targets' first polls in $reads full read(s), each target seeing its own scope"
ok_polls() { metric "enumwatch_polls_total{outcome=\"ok\",target=\"$1\"}"; }
# The largest number of reads one round trip carried with one schema fingerprint query for all of
# them, from the debug log, after line $1.
largest_round_trip() {
  tail -n +"$1" "$WORK/daemon.log" |
    sed -n 's/.* \([0-9]*\) reads in one round trip, one schema fingerprint query$/\1/p' |
    sort -n | tail -n 1
}
sleep 3  # every target past its first, full read
from=$(wc -l <"$WORK/daemon.log")
for i in 0 1 29; do eval "before_$i=$(ok_polls t$i)"; done
sleep 4
largest=$(largest_round_trip "$from")
[[ -n $largest ]] || fail "no shared round trip in the log"
# Each poll, about a tenth of the targets read in full instead, alone (each target's every-tenth
# full read falls on a poll of its own phase).
((largest >= N * 2 / 3)) || fail "the largest round trip carried $largest reads, want most of the $N"
for i in 0 1 29; do
  eval "before=\$before_$i"
  now=$(ok_polls "t$i")
  ((now - before >= 3)) || fail "t$i polled $((now - before)) times in 4 s at interval 1s"
done
[[ $(up_count) == "$TOTAL" ]] || fail "$(up_count) of $TOTAL targets up"
pass "$N targets' quiet polls in one round trip ($largest reads), each polled every second through 2 slots"

# A change in one tenant's schema: that target alone drifts, at once.
psql_q -d app -c "ALTER TYPE t7.state ADD VALUE 'c'"
wait_for 5 "t7's drift" bash -c "curl -sf $BASE/api/v1/targets/t7 | grep -q unexpected_value"
for t in t6 t8 t29; do
  [[ $(curl -sf "$BASE/api/v1/targets/$t" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["drift"]))') == 0 ]] ||
    fail "$t drifts after a change in t7"
done
pass "a change in t7 is seen by t7 alone"

# The tenant drops its migration table: t0's fingerprint fails inside the shared round trip. t0
# goes down with the table's own message; the reads beside it in the round trip are untouched.
dropped_at=$(wc -l <"$WORK/daemon.log")
PGPASSWORD=tenant0-pw psql -X -q -h 127.0.0.1 -p "$PGPORT" -U tenant0 -d app -c "DROP TABLE t0.versions"
wait_for 10 "t0 down" metric_is 'enumwatch_up{target="t0"}' 0
curl -sf "$BASE/api/v1/targets/t0" | grep -q 'versions' || fail "t0's error does not name its migration table"
before=$(ok_polls t1)
sleep 3
now=$(ok_polls t1)
((now - before >= 2)) || fail "t1 polled $((now - before)) times in 3 s beside the failing t0"
[[ $(up_count) == $((TOTAL - 1)) ]] || fail "$(up_count) targets up, want $((TOTAL - 1)) (all but t0)"
# (Not all 29 in every round trip: a target whose every-tenth, full read is due goes alone.)
from=$(wc -l <"$WORK/daemon.log")
sleep 3
largest=$(largest_round_trip "$from")
((largest >= N / 2)) || fail "round trips carry $largest reads beside a failing target, want most of $((N - 1))"
# The reads after t0's in the round trip, which its failure aborted, were sent again at once, not
# polled alone.
alone=$(tail -n +"$dropped_at" "$WORK/daemon.log" | grep 'in the shared round trip failed, it polls alone' | grep -cv 'target t0:' || true)
((alone == 0)) || fail "$alone reads beside the failing t0 fell back to polling alone"
pass "t0's read failing in the shared round trip fails t0 alone; the reads after it go again at once"

# The shared backend killed: every target comes back over a new session.
from=$(wc -l <"$WORK/daemon.log")
psql -X -q -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'monitor'" >/dev/null
sleep 1
wait_for 15 "every target but t0 back up" bash -c "[[ \$(curl -sf $BASE/metrics | grep -c '^enumwatch_up{target=\"[^\"]*\"} 1\$') == $((TOTAL - 1)) ]]"
reads=$(full_reads "$from")
((reads <= TOTAL / 3)) || fail "$reads full catalog reads over the new session for $TOTAL targets, want a few"
[[ $(enums_seen wide) == "$N" && $(enums_seen t5) == 1 ]] || fail "a target's scope changed after the kill"
sessions=$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'monitor'")
[[ $sessions == 1 ]] || fail "$sessions sessions after the kill, want 1"
kill -0 "$DAEMON_PID" || fail "the daemon died"
pass "the shared backend killed: every target back over one new session, in $reads full read(s)"
compiled=$(find "$PGDATA" -maxdepth 1 -name '*.bc' | wc -l)
((compiled == 0)) || fail "the server compiled $compiled queries for the daemon's sessions (jit)"
# The control: the same role's own query is compiled.
PGPASSWORD=monitor-pw psql -X -q -h 127.0.0.1 -p "$PGPORT" -U monitor -d app -c "SELECT count(*) FROM pg_catalog.pg_class" >/dev/null
compiled=$(find "$PGDATA" -maxdepth 1 -name '*.bc' | wc -l)
((compiled > 0)) || fail "the control query was not compiled: jit_dump_bitcode shows nothing"
pass "no query of the daemon's was compiled by the server's JIT"
