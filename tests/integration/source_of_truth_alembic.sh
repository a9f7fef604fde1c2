#!/usr/bin/env bash
# Source of truth from code, end to end: a real SQLAlchemy + Alembic application
# (tests/fixtures/shop) migrates a real PostgreSQL step by step with real Alembic; enumwatch-py
# writes the snapshot from the code (by import and by reading the source, which must agree), and
# `enumwatch diff` reports exactly the drift expected at each step of the migration history —
# a missing schema, a value added later, the post-mortem's PascalCase labels — and none at head.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=${SYSTEM_PYTHON:-/usr/bin/python3} # Debian's, with python3-sqlalchemy and python3-alembic
TOOL=$ROOT/tools/enumwatch-py/enumwatch-py
cp -r "$ROOT/tests/fixtures/shop" "$WORK/shop"
cd "$WORK/shop"
pg_start
psql_q -c "CREATE DATABASE shop"
export SHOP_DATABASE_URL="postgresql+psycopg2:///shop"
DSN=$(dsn_for shop)

# The snapshot from the code, both ways.
expect_exit 0 "$PY" "$TOOL" --metadata shop.models:Base.metadata --output "$WORK/imported.toml"
expect_contains "$ERR" "orders.channel: channel: native_enum=False without create_constraint=True: the database does not check the values, skipped"
expect_exit 0 "$PY" "$TOOL" --scan shop migrations --output "$WORK/code.toml" --strict
expect_contains "$(cat "$WORK/code.toml")" 'revision = "0004"' "the scanned snapshot"
expect_exit 0 "$ENUMWATCH" diff --snapshot "$WORK/code.toml" --against "$WORK/imported.toml"
expect_exit 0 "$ENUMWATCH" diff --snapshot "$WORK/imported.toml" --against "$WORK/code.toml"
pass "import mode and static mode produce the same snapshot"

# drift_is STEP EXPECTED: diff the code against the database and compare the drift, as
# "kind schema.enum expected->actual" lines, with EXPECTED exactly.
drift_is() {
  local step=$1 want=$2 rc=0
  "$ENUMWATCH" diff --snapshot "$WORK/code.toml" --dsn "$DSN" --format json >"$WORK/drift.json" || rc=$?
  local got
  got=$("$PY" - "$WORK/drift.json" <<'PY'
import json, sys
def side(v):
    return "-" if v is None else ",".join(v) if isinstance(v, list) else v
for item in json.load(open(sys.argv[1]))["drift"]:
    print(f'{item["kind"]} {item["schema"]}.{item["enum"]} {side(item["expected"])}->{side(item["actual"])}')
PY
)
  got=$(sort <<<"$got")
  want=$(sed 's/^ *//' <<<"$want" | sed '/^$/d' | sort)
  if [[ $got != "$want" ]]; then
    echo "--- expected"; echo "$want"; echo "--- got"; echo "$got"
    fail "drift after migration $step"
  fi
  [[ -z $want && $rc -eq 0 || -n $want && $rc -eq 1 ]] || fail "diff exit $rc after migration $step"
}

migrate() { expect_exit 0 "$PY" -m alembic upgrade "$1"; }

migrate 0001
drift_is 0001 "
  missing_type billing.payment_state pending,authorized,captured,failed->-
  missing_type risk.risk_level low,medium,high->-
  missing_value public.order_status refunded->-
  missing_value public.currency gbp->-"
pass "0001: the code is ahead: missing schema types and values"

migrate 0002
drift_is 0002 "
  case_mismatch billing.payment_state pending->Pending
  case_mismatch billing.payment_state authorized->Authorized
  case_mismatch billing.payment_state captured->Captured
  case_mismatch billing.payment_state failed->Failed
  missing_value public.order_status refunded->-
  missing_value public.currency gbp->-"
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/code.toml" --dsn "$DSN" --format sql
expect_contains "$OUT" "ALTER TYPE \"billing\".\"payment_state\" RENAME VALUE 'Pending' TO 'pending';"
expect_contains "$OUT" "ALTER TYPE \"public\".\"order_status\" ADD VALUE IF NOT EXISTS 'refunded' AFTER 'cancelled';"
pass "0002: the post-mortem's PascalCase labels are case_mismatch, with the RENAME that fixes them"

migrate 0003
drift_is 0003 "
  case_mismatch billing.payment_state pending->Pending
  case_mismatch billing.payment_state authorized->Authorized
  case_mismatch billing.payment_state captured->Captured
  case_mismatch billing.payment_state failed->Failed"
# The daemon's view of the same moment: the code was built for 0004, the database is at 0003.
cat >"$WORK/enumwatch.toml" <<TOML
$(snapshot_section code "$WORK/code.toml")
$(target_section shop shop code)
migration_table = "alembic_version"
naming = "none"
TOML
expect_exit 1 "$ENUMWATCH" check --config "$WORK/enumwatch.toml" --format json
expect_contains "$OUT" '"migration_revision":"0003"'
expect_contains "$OUT" '"kind":"revision_mismatch","severity":"warning","expected":"0004","actual":"0003"'
pass "0003: the added values arrive; revision_mismatch against the code's head"

migrate 0004
drift_is 0004 ""
expect_exit 0 "$ENUMWATCH" check --config "$WORK/enumwatch.toml"
# The migrations alone, replayed statically, build exactly what the database holds at head.
expect_exit 0 "$PY" "$TOOL" --scan migrations --output "$WORK/migrations.toml" --strict
expect_exit 0 "$ENUMWATCH" snapshot --dsn "$DSN" --output "$WORK/database.toml"
expect_exit 0 "$ENUMWATCH" diff --snapshot "$WORK/migrations.toml" --against "$WORK/database.toml"
pass "0004: code and database agree; the replayed migrations match the database"

# The pre-commit hook, run by real pre-commit on a repository of the app: the database snapshot
# is captured with `enumwatch snapshot` after migrating (here: at head) and committed.
export PRE_COMMIT_HOME=$WORK/pre-commit-cache GIT_CONFIG_GLOBAL=$WORK/gitconfig
git config --global user.email ci@example.invalid
git config --global user.name CI
git config --global init.defaultBranch main
mkdir -p db
expect_exit 0 "$ENUMWATCH" snapshot --dsn "$DSN" --schema public --schema billing --schema risk \
  --output db/enums.toml
git init -q . && git add -A && git commit -qm "shop at 0004"
hook() { "$PY" -m pre_commit try-repo "$ROOT" enumwatch-enums --all-files; }
expect_exit 0 hook
expect_contains "$OUT" "enums in the code match the database snapshot"
# A developer reintroduces the post-mortem's bug in the code: the commit is stopped, no database.
sed -i 's/PAID = "paid"/PAID = "Paid"/' shop/enums.py
expect_exit 1 hook
expect_contains "$OUT" "public.order_status: case_mismatch: the code writes 'Paid', the database has 'paid'"
pass "the pre-commit hook passes on matching code and stops the post-mortem's bug"
