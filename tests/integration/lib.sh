# Shared harness for integration tests: a throwaway PostgreSQL 15 and small assertions.
# Source it, then call pg_start. Everything is removed on exit, even on failure.
set -euo pipefail

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

source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/throwaway_pg.sh"

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
