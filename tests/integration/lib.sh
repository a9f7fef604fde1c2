# Shared harness for integration tests: a throwaway PostgreSQL 15 and small assertions.
# Source it, then call pg_start. Everything is removed on exit, even on failure.
# One test, alone: `bash tests/integration/NAME.sh` (KEEP_WORK=1 keeps its directory). CTest passes
# the binaries; run by hand, they default to those of ENUMWATCH_BUILD_DIR (./build, what
# scripts/test builds first) when it holds them.
set -euo pipefail

BUILD_TREE=${ENUMWATCH_BUILD_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
[[ -n ${ENUMWATCH:-} || ! -x $BUILD_TREE/daemon/enumwatch ]] || ENUMWATCH=$BUILD_TREE/daemon/enumwatch
[[ -n ${CATALOG_SQL_DUMP:-} || ! -x $BUILD_TREE/bench/catalog_sql_dump ]] ||
  CATALOG_SQL_DUMP=$BUILD_TREE/bench/catalog_sql_dump
[[ -n ${MAN_DIR:-} || ! -d $BUILD_TREE/man ]] || MAN_DIR=$BUILD_TREE/man
[[ -n ${MIGRATION_LOCK_SQL:-} || ! -x $BUILD_TREE/tests/print_migration_lock_sql ]] ||
  MIGRATION_LOCK_SQL=$BUILD_TREE/tests/print_migration_lock_sql
ENUMWATCH=${ENUMWATCH:?set ENUMWATCH to the enumwatch binary (or build it in $BUILD_TREE)}
TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "/tmp/enumwatch-${TEST_NAME}.XXXXXX")
chmod 755 "$WORK"
CLEANUPS=()

cleanup() {
  local rc=$?
  for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${CLEANUPS[i]}" >/dev/null 2>&1 || true; done
  [[ -n ${KEEP_WORK:-} ]] && echo "kept $WORK" >&2 || rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'echo "FAIL [$TEST_NAME]: line $LINENO: command failed: $BASH_COMMAND" >&2' ERR
trap 'exit 130' INT TERM

on_exit() { CLEANUPS+=("$1"); }

# No test measures LLVM's JIT, and each backend that compiles a query loads its library: 2.6 % of
# the sanitizer pass's CPU (docs/design.md, "Tests and CI"). The benchmarks keep the default.
PG_JIT=off
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/throwaway_pg.sh"
# The tests' helper programs (servers, proxies, the browser driver): tests/support/.
SUPPORT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../support" && pwd)

# Starts a cluster on 127.0.0.1:$PGPORT with a socket in $WORK/pg; stopped on exit.
pg_start() {
  PG_DIR=$WORK/pg
  on_exit pg_stop
  pg_cluster_start
}

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

fail() {
  echo "FAIL [$TEST_NAME]: $*" >&2
  exit 1
}

# expect_exit CODE command...: runs it, keeps stdout in $OUT and stderr in $ERR.
expect_exit() {
  local want=$1
  shift
  local rc=0
  "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
  if [[ $rc -ne $want ]]; then
    echo "--- stdout"; echo "$OUT"; echo "--- stderr"; echo "$ERR"
    fail "expected exit $want, got $rc from: $*"
  fi
}

expect_contains() {
  local haystack=$1 needle=$2 what=${3:-output}
  [[ $haystack == *"$needle"* ]] || { echo "$haystack"; fail "$what lacks: $needle"; }
}

expect_not_contains() {
  local haystack=$1 needle=$2 what=${3:-output}
  [[ $haystack != *"$needle"* ]] || { echo "$haystack"; fail "$what must not contain: $needle"; }
}

pass() { echo "PASS [$TEST_NAME]${1:+: $1}"; }

# ---- daemon helpers ------------------------------------------------------------------------

# daemon_port: a free port for the daemon; sets PORT and BASE (its URL).
daemon_port() {
  PORT=$(free_port)
  BASE=http://127.0.0.1:$PORT
}

# daemon_section: the [daemon] table of a test config, listening on $PORT, state in $WORK. Use it
# first in the config's heredoc; more [daemon] keys may follow it.
daemon_section() { printf '[daemon]\nlisten = "127.0.0.1:%s"\nstate_dir = "%s"\n' "$PORT" "$WORK"; }

# start_daemon CONFIG: runs `enumwatch run` in the background (log in $WORK/daemon.log) and
# waits until /healthz answers. Sets DAEMON_PID. The daemon is killed on exit.
start_daemon() {
  "$ENUMWATCH" run --config "$1" >>"$WORK/daemon.log" 2>&1 &
  DAEMON_PID=$!
  on_exit "kill -9 $DAEMON_PID"
  wait_for 10 "daemon answers /healthz" curl -sf "$BASE/healthz"
}

# wait_for SECONDS WHAT command...: retries the command every 100 ms until it succeeds.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "--- daemon log"; tail -n 30 "$WORK/daemon.log" 2>/dev/null
      fail "timed out after ${seconds}s waiting for: $what"
    fi
    sleep 0.1
  done
}

# metric 'name{labels}': the sample's value from a fresh scrape (empty when absent).
metric() {
  curl -sf "$BASE/metrics" | awk -v key="$1" '$1 == key { value = $2 } END { print value }'
}

metric_is() { [[ $(metric "$1") == "$2" ]]; }

daemon_log_has() { grep -q -- "$1" "$WORK/daemon.log"; }

# metric_above 'name{labels}' N: true once the sample is greater than N (re-read on every call).
metric_above() {
  local value
  value=$(metric "$1")
  [[ -n $value ]] && python3 -c "import sys; sys.exit(0 if float('$value') > float('$2') else 1)"
}

# start_webhook_receiver: an HTTP receiver on a free port (HOOK_PORT) that answers 200 to every
# POST and appends it to $WORK/hooks.log as one line, "PATH BODY"; stopped on exit.
start_webhook_receiver() {
  HOOK_PORT=$(free_port)
  python3 "$SUPPORT_DIR/webhook_receiver.py" "$HOOK_PORT" "$WORK/hooks.log" &
  on_exit "kill $!"
  wait_for 10 "webhook receiver" bash -c "exec 3<>/dev/tcp/127.0.0.1/$HOOK_PORT"
}

# start_silent_server: a TCP listener that accepts connections and never says a word (a hung
# database host). Sets SILENT_PORT; waits until it accepts; stopped on exit.
start_silent_server() {
  SILENT_PORT=$(free_port)
  python3 "$SUPPORT_DIR/silent_server.py" "$SILENT_PORT" &
  on_exit "kill $!"
  wait_for 10 "silent server listening" bash -c "exec 3<>/dev/tcp/127.0.0.1/$SILENT_PORT"
}

# start_tcp_proxy TARGET_PORT: a TCP proxy on 127.0.0.1:$PROXY_PORT to 127.0.0.1:TARGET_PORT, a
# network that can partition: while $WORK/proxy-stalled exists it forwards nothing in either
# direction and holds new connections unanswered, without closing anything (a firewall dropping
# packets); once the file is gone it forwards again. Stopped on exit.
start_tcp_proxy() {
  PROXY_PORT=$(free_port)
  python3 "$SUPPORT_DIR/stalling_proxy.py" "$PROXY_PORT" "$1" "$WORK/proxy-stalled" &
  on_exit "kill $!"
  wait_for 10 "proxy listening" bash -c "exec 3<>/dev/tcp/127.0.0.1/$PROXY_PORT"
}

# A second throwaway cluster that stays up while the first one is hurt; sets OTHER_PORT.
start_other_cluster() {
  local saved_port=${PGPORT:-} saved_data=${PGDATA:-} saved_dir=${PG_DIR:-}
  PG_DIR=$WORK/pg-other
  pg_cluster_start
  OTHER_PORT=$PGPORT
  on_exit "as_pg $PG_BIN/pg_ctl -D $WORK/pg-other/data -m immediate -w stop"
  PGPORT=$saved_port PGDATA=$saved_data PG_DIR=$saved_dir
  export PGPORT
}

# write_token FILE TOKEN: an api token file as the daemon requires it (not world-readable; the
# group nogroup so that a daemon run as nobody can read it).
write_token() {
  printf '%s\n' "$2" >"$1"
  chgrp nogroup "$1" 2>/dev/null || true
  chmod 0640 "$1"
}

# make_test_ca: a throwaway CA in $WORK (ca.pem, ca.key). issue_cert NAME SUBJECT_ALT_NAME: a
# certificate it signs, $WORK/NAME.pem and $WORK/NAME.key (e.g. issue_cert server IP:127.0.0.1).
make_test_ca() {
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/ca.key" -out "$WORK/ca.pem" -days 2 \
    -subj /CN=enumwatch-test-ca 2>/dev/null
}
issue_cert() {
  openssl req -newkey rsa:2048 -nodes -keyout "$WORK/$1.key" -out "$WORK/$1.csr" -subj "/CN=$1" 2>/dev/null
  printf 'subjectAltName=%s\n' "$2" >"$WORK/$1.ext"
  openssl x509 -req -in "$WORK/$1.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial \
    -out "$WORK/$1.pem" -days 2 -extfile "$WORK/$1.ext" 2>/dev/null
}

# ---- fixtures: the preamble most tests share ---------------------------------------------------
# A database with an enum, a snapshot file declaring one, and the config's tables, for names and
# labels without control characters (a test about awkward text writes its own). For example:
#   enum_database orders order_status pending_payment paid
#   write_enum_snapshot "$WORK/app.toml" order_status pending_payment paid refunded
#   cat >"$WORK/enumwatch.toml" <<TOML
#   $(daemon_section)
#   $(snapshot_section app app.toml)
#   $(target_section orders orders app)
#   TOML
#   start_daemon_up "$WORK/enumwatch.toml" 10 orders

# sql_literal TEXT: TEXT as an SQL string literal ('it''s').
sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }

# toml_string TEXT: TEXT as a TOML basic string ("say \"hi\"").
toml_string() {
  local text=${1//\\/\\\\}
  printf '"%s"' "${text//\"/\\\"}"
}

# toml_array TEXT...: a TOML array of strings (["a", "b"]; [] for none).
toml_array() {
  local items="" text
  for text in "$@"; do items+="${items:+, }$(toml_string "$text")"; done
  printf '[%s]' "$items"
}

# enum_database DB TYPE LABEL...: a new database DB of the test cluster holding the enum TYPE (a
# name as SQL reads it: order_status, app.order_status) with these labels.
enum_database() {
  local db=$1 type=$2 labels="" label
  shift 2
  for label in "$@"; do labels+="${labels:+, }$(sql_literal "$label")"; done
  psql_q -c "CREATE DATABASE $db"
  psql_q -d "$db" -c "CREATE TYPE $type AS ENUM ($labels)"
}

# enum_entry TYPE LABEL...: one [[enum]] of a snapshot file (TYPE in the search path's schemas).
enum_entry() {
  local type=$1
  shift
  printf '[[enum]]\nname = %s\nvalues = %s\n' "$(toml_string "$type")" "$(toml_array "$@")"
}

# write_enum_snapshot FILE TYPE LABEL...: a snapshot file declaring the one enum TYPE.
write_enum_snapshot() {
  local file=$1
  shift
  enum_entry "$@" >"$file"
}

# snapshot_section NAME [PATH]: the config's [snapshots.NAME] table, read from PATH (relative to the
# config) when given, else one the API manages.
snapshot_section() {
  printf '[snapshots.%s]\n' "$1"
  [[ $# -lt 2 ]] || printf 'path = %s\n' "$(toml_string "$2")"
}

# target_section NAME DB SNAPSHOT...: a [[target]] NAME on database DB of the test cluster (or on
# DB as a whole DSN when it holds an "="), judged against these snapshots; more keys may follow.
target_section() {
  local name=$1 dsn=$2
  shift 2
  [[ $dsn == *=* ]] || dsn=$(dsn_for "$dsn")
  printf '[[target]]\nname = %s\ndsn = %s\nsnapshots = %s\n' "$(toml_string "$name")" \
    "$(toml_string "$dsn")" "$(toml_array "$@")"
}

# start_daemon_ready CONFIG SECONDS: start_daemon, then waits up to SECONDS until /readyz answers
# (every target polled once).
start_daemon_ready() {
  start_daemon "$1"
  wait_for "$2" "every target polled once (/readyz)" curl -sf "$BASE/readyz"
}

# start_daemon_up CONFIG SECONDS TARGET...: start_daemon, then waits up to SECONDS for each TARGET
# in turn until its enumwatch_up is 1.
start_daemon_up() {
  local config=$1 seconds=$2 target
  shift 2
  start_daemon "$config"
  for target in "$@"; do
    wait_for "$seconds" "$target up" metric_is "enumwatch_up{target=\"$target\"}" 1
  done
}

# stop_daemon: SIGTERM to the daemon, and waits for it to end, whatever its exit code (a test that
# checks the code kills and waits itself).
stop_daemon() {
  kill -TERM "$DAEMON_PID"
  wait "$DAEMON_PID" || true
}
