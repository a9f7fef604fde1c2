#!/usr/bin/env bash
# Unreachable databases, wrong passwords and servers that never answer: exit 2 with a one-line
# message that never contains the password, within the timeout, without hiding other targets.
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status paid
write_enum_snapshot "$WORK/snap.toml" order_status paid
unset PGPASSWORD

closed_port=$(free_port)
expect_exit 2 "$ENUMWATCH" diff --snapshot "$WORK/snap.toml" --dsn "host=127.0.0.1 port=$closed_port dbname=orders user=postgres password=hunter2"
expect_contains "$ERR" "Connection refused"
expect_not_contains "$ERR" "hunter2"

for dsn in "host=127.0.0.1 port=$PGPORT dbname=orders user=postgres password=hunter2" \
           "postgresql://postgres:hunter2@localhost:$PGPORT/orders"; do
  expect_exit 2 "$ENUMWATCH" diff --snapshot "$WORK/snap.toml" --dsn "$dsn"
  expect_contains "$ERR" "password authentication failed"
  expect_not_contains "$ERR" "hunter2"
  [[ $(echo "$ERR" | wc -l) -eq 1 ]] || fail "error is not one line: $ERR"
done
expect_exit 2 "$ENUMWATCH" snapshot --dsn "host=no-such-host.invalid dbname=x password=hunter2"
expect_contains "$ERR" "no-such-host.invalid"
expect_not_contains "$ERR" "hunter2"

# A host that accepts TCP but never speaks: the poll times out at its timeout.
start_silent_server
silent_port=$SILENT_PORT
start=$(date +%s%N)
expect_exit 2 "$ENUMWATCH" diff --snapshot "$WORK/snap.toml" --timeout 1s \
  --dsn "host=127.0.0.1 port=$silent_port dbname=orders user=postgres password=hunter2"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_contains "$ERR" "timed out"
((elapsed_ms < 4000)) || fail "timeout took ${elapsed_ms}ms"

# check: the silent and the refused target fail, the good one is still reported.
cat >"$WORK/enumwatch.toml" <<TOML
[daemon]
state_dir = "$WORK"
[defaults]
timeout = "1500ms"
$(snapshot_section app "$WORK/snap.toml")
[[target]]
name = "good"
dsn = "host=127.0.0.1 port=$PGPORT dbname=orders user=postgres password=secret-pw"
snapshots = ["app"]
[[target]]
name = "silent"
dsn = "host=127.0.0.1 port=$silent_port dbname=orders user=postgres password=hunter2"
snapshots = ["app"]
[[target]]
name = "refused"
dsn = "host=127.0.0.1 port=$closed_port dbname=orders user=postgres"
snapshots = ["app"]
TOML
start=$(date +%s%N)
expect_exit 2 "$ENUMWATCH" check --config "$WORK/enumwatch.toml"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
((elapsed_ms < 4000)) || fail "check waited ${elapsed_ms}ms: targets were not polled concurrently"
expect_contains "$OUT" "good"
expect_contains "$OUT" "no drift"
expect_contains "$OUT" "silent"
expect_contains "$OUT" "timed out"
expect_contains "$OUT" "refused"
expect_not_contains "$OUT$ERR" "hunter2"
expect_not_contains "$OUT$ERR" "secret-pw"
pass
