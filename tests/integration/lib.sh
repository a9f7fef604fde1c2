# Shared harness for integration tests: a throwaway PostgreSQL 15 and small assertions.
# Source it, then call pg_start. Everything is removed on exit, even on failure.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
ENUMWATCH=${ENUMWATCH:?set ENUMWATCH to the enumwatch binary}
TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "/tmp/enumwatch-${TEST_NAME}.XXXXXX")
chmod 755 "$WORK"
CLEANUPS=()

cleanup() {
  local rc=$?
  for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${CLEANUPS[i]}" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

on_exit() { CLEANUPS+=("$1"); }

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Starts a cluster listening on 127.0.0.1:$PGPORT and a socket in $WORK/pg; sets PG* variables.
pg_start() {
  PGDATA=$WORK/pg/data
  mkdir -p "$WORK/pg"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$WORK/pg"
  PGPORT=$(free_port)
  echo secret-pw >"$WORK/pg/pwfile"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$WORK/pg/pwfile"
  as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=scram-sha-256 --pwfile="$WORK/pg/pwfile" \
    -E UTF8 --locale=C.UTF-8 >"$WORK/pg/initdb.log" 2>&1
  cat >>"$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$WORK/pg'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
CONF
  on_exit pg_stop
  pg_ctl_start
  export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGPASSWORD=secret-pw PGDATABASE=postgres
}

pg_ctl_start() {
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$WORK/pg/server.log" -w -t 60 start >/dev/null
}

pg_stop() {
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
}

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

dsn_for() { echo "host=127.0.0.1 port=$PGPORT dbname=$1 user=postgres password=secret-pw"; }

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
