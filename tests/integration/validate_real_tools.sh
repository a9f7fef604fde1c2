#!/usr/bin/env bash
# `enumwatch validate` (docs/validate.md) on what real migration tools write: Alembic's
# `upgrade --sql` for the shop fixture's next revisions (tests/fixtures/shop_revisions: a type
# recreated under a view, as alembic-postgresql-enum recreates it, which PostgreSQL refuses; the
# same with the view dropped and never re-created; a value spelled PascalCase, the post-mortem's
# mistake) and Django's `sqlmigrate` for a migration that changes a TextChoices CHECK
# (tests/fixtures/django_validate). Each finding is asserted with the line of the statement that
# caused it, and nothing is left behind.
source "$(dirname "$0")/lib.sh"
pg_start
TMPDIR=$WORK/tmp
mkdir -p "$TMPDIR"
chmod 755 "$TMPDIR"
export TMPDIR
PY=${SYSTEM_PYTHON:-/usr/bin/python3}
FIXTURES=$(cd "$(dirname "$0")/../fixtures" && pwd)
# The test's own server as the shadow: a database there costs a fraction of an initdb.
SHADOW="host=127.0.0.1 port=$PGPORT dbname=postgres user=postgres password=$PGPASSWORD"

left_behind() {
  compgen -G "$TMPDIR/enumwatch-validate.*" >/dev/null && return 0
  pgrep -f "$TMPDIR/enumwatch-validate[.]" >/dev/null && return 0  # this test's own only
  [[ $(psql -X -At -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'enumwatch_validate_%'") != 0 ]]
}
expect_clean() { ! left_behind || fail "something was left behind after $1: $(ls "$TMPDIR")"; }

# line_of FILE TEXT: the line of FILE that starts with TEXT (exactly one).
line_of() {
  local lines
  lines=$(awk -v text="$2" 'index($0, text) == 1 { print NR }' "$1")
  [[ $(wc -w <<<"$lines") == 1 ]] || fail "$1 has $(wc -w <<<"$lines") lines starting with: $2"
  echo "$lines"
}

alembic_sql() { (cd "$WORK/shop" && "$PY" -m alembic upgrade "$1" --sql) || fail "alembic upgrade $1 --sql failed"; }

# ---- Alembic -----------------------------------------------------------------------------------
cp -r "$FIXTURES/shop" "$WORK/shop"
VERSIONS=$WORK/shop/migrations/versions
cp "$FIXTURES/shop_revisions/0005_open_orders_view.py" "$VERSIONS/"
alembic_sql 0005 >"$WORK/schema.sql"
expect_contains "$(cat "$WORK/schema.sql")" "CREATE VIEW open_orders" "the starting schema"

# The code after the deploy: 0006 drops 'refunded', 0007 adds awaiting_shipment (shop/enums.py's
# style: snake_case values); the other types as they are.
cat >"$WORK/code_next.toml" <<'TOML'
[[enum]]
name = "order_status"
values = ["pending_payment", "paid", "awaiting_shipment", "cancelled"]
[[enum]]
name = "currency"
values = ["eur", "usd", "gbp"]
[[enum]]
schema = "billing"
name = "payment_state"
values = ["pending", "authorized", "captured", "failed"]
[[enum]]
schema = "risk"
name = "risk_level"
values = ["low", "medium", "high"]
TOML
# The code running now (revision 0004's), beside the new code during a rolling deploy.
sed -e 's/"paid", "awaiting_shipment", "cancelled"/"paid", "cancelled", "refunded"/' \
  "$WORK/code_next.toml" >"$WORK/code_running.toml"

# 1. The recreate as alembic-postgresql-enum writes it: the ALTER COLUMN ... TYPE fails on the
#    view (0A000), at its line, and the finding names the view and says what to do.
cp "$FIXTURES/shop_revisions/0006_drop_refunded.py" "$VERSIONS/"
alembic_sql 0005:0006 >"$WORK/0006.sql"
alter_line=$(line_of "$WORK/0006.sql" "ALTER TABLE public.orders ALTER COLUMN status TYPE")
expect_exit 1 "$ENUMWATCH" validate --snapshot "$WORK/code_next.toml" --migration "$WORK/0006.sql" \
  --schema-from "$WORK/schema.sql" --format json
python3 - "$WORK/out" "$alter_line" <<'PY' || fail "0006 on a view: $(cat "$WORK/0006.sql" "$WORK/out")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["shadow"] == "initdb", r
failed = [f for f in r["findings"] if f["kind"] == "migration_failed"]
assert len(failed) == 1, r["findings"]
f = failed[0]
assert f["severity"] == "critical" and f["line"] == int(sys.argv[2]) and f["file"].endswith("0006.sql"), f
assert "SQLSTATE 0A000" in f["message"] and "used by public.open_orders" in f["message"], f
assert "re-create them after it" in f["fix"] and "public.open_orders" in f["fix"], f
# rolled back whole: the view is still there, and the copy still has 'refunded'
assert not [x for x in r["findings"] if x["kind"] == "dependents_lost"], r["findings"]
assert any(d["kind"] == "unexpected_value" and d["actual"] == "refunded" for d in r["drift"]), r["drift"]
PY
expect_clean "a recreate refused by a view"
pass "alembic-postgresql-enum's recreate under a view: 0A000 at line $alter_line, naming public.open_orders"

# 2. The same, "fixed" by dropping the view first (and never re-creating it), then 0007 with its
#    PascalCase value. The deploy would succeed: the findings are a view lost at its DROP VIEW, the
#    value the running code still writes removed at the CREATE TYPE, and the code's
#    awaiting_shipment against the database's AwaitingShipment (case_mismatch, as `diff` reports
#    it) at the ADD VALUE.
rm "$VERSIONS/0006_drop_refunded.py"
cp "$FIXTURES/shop_revisions/0006_drop_refunded_without_view.py" "$FIXTURES/shop_revisions/0007_awaiting_shipment.py" "$VERSIONS/"
alembic_sql 0005:0006 >"$WORK/0006b.sql"
alembic_sql 0006:0007 >"$WORK/0007.sql"
drop_view_line=$(line_of "$WORK/0006b.sql" "DROP VIEW open_orders")
create_line=$(line_of "$WORK/0006b.sql" "CREATE TYPE public.order_status AS ENUM")
add_line=$(line_of "$WORK/0007.sql" "ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'AwaitingShipment'")
expect_exit 1 "$ENUMWATCH" validate --snapshot "$WORK/code_next.toml" --previous-snapshot "$WORK/code_running.toml" \
  --migration "$WORK/0006b.sql" --migration "$WORK/0007.sql" --schema-from "$WORK/schema.sql" \
  --shadow-dsn "$SHADOW" --format json
cp "$WORK/out" "$WORK/validate.json"
python3 - "$WORK/validate.json" "$drop_view_line" "$create_line" "$add_line" <<'PY' ||
import json, sys
r = json.load(open(sys.argv[1]))
drop_view, create, add = map(int, sys.argv[2:])
assert not [f for f in r["findings"] if f["kind"] == "migration_failed"], r["findings"]
lost = [f for f in r["findings"] if f["kind"] == "dependents_lost"]
view = [f for f in lost if f["message"].startswith("column status of view public.open_orders depended on public.order_status")]
assert view and all(f["line"] == drop_view and f["file"].endswith("0006b.sql") for f in view), lost
assert all(f["severity"] == "critical" and "public.open_orders" in f["message"] for f in lost), lost
removed = [f for f in r["findings"] if f["kind"] == "rename_breaks_running_code"]
assert len(removed) == 1 and "'refunded' of public.order_status is removed" in removed[0]["message"], removed
assert removed[0]["line"] == create and removed[0]["file"].endswith("0006b.sql"), removed
case = [d for d in r["drift"] if d["kind"] == "case_mismatch"]
assert len(case) == 1 and case[0]["expected"] == "awaiting_shipment" and case[0]["actual"] == "AwaitingShipment", r["drift"]
assert case[0]["severity"] == "critical", case
found = [f for f in r["findings"] if f["kind"] == "drift_after_migration" and "case_mismatch" in f["message"]]
assert len(found) == 1 and found[0]["line"] == add and found[0]["file"].endswith("0007.sql"), found
assert found[0]["severity"] == "critical", found
PY
  fail "0006 without the view, then 0007: $(cat "$WORK/validate.json")"
# The drift is what `enumwatch diff` reports on a database the same SQL migrated.
psql_q -c "CREATE DATABASE shop"
for f in schema 0006b 0007; do psql_q -d shop -f "$WORK/$f.sql" >/dev/null; done
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/code_next.toml" --dsn "host=127.0.0.1 port=$PGPORT dbname=shop" --format json
python3 - "$WORK/validate.json" "$WORK/out" <<'PY' || fail "validate's drift is not diff's: $(cat "$WORK/out")"
import json, sys
key = lambda d: (d["schema"], d["enum"], d["kind"], json.dumps(d["expected"]), json.dumps(d["actual"]))
validated = sorted(map(key, json.load(open(sys.argv[1]))["drift"]))
diffed = sorted(map(key, json.load(open(sys.argv[2]))["drift"]))
assert validated == diffed and validated, (validated, diffed)
PY
expect_clean "the Alembic revisions"
pass "the view dropped at line $drop_view_line, 'refunded' removed at line $create_line, AwaitingShipment (case_mismatch, as diff) at 0007.sql:$add_line"

# ---- Django --------------------------------------------------------------------------------------
# sqlmigrate needs Django's connection to the test's server (3.2 asks which migrations are
# applied); the SQL is what `migrate` would run.
(cd "$FIXTURES/django_validate" && PYTHONDONTWRITEBYTECODE=1 "$PY" manage.py sqlmigrate shipping 0001 >"$WORK/dj_0001.sql" &&
  PYTHONDONTWRITEBYTECODE=1 "$PY" manage.py sqlmigrate shipping 0002 >"$WORK/dj_0002.sql") ||
  fail "manage.py sqlmigrate failed (python3-django installed?)"
expect_contains "$(cat "$WORK/dj_0002.sql")" "CHECK (\"status\" IN ('pending', 'in_transit', 'delivered', 'returned'))" "sqlmigrate 0002"
check_snapshot() {
  printf '[[check]]\ntable = "shipping_shipment"\ncolumn = "status"\nvalues = [%s]\n' "$1"
}
# 3. The code's new choices: no drift. The constraint swap locks the table without lock_timeout
#    (warnings), nothing critical.
check_snapshot '"pending", "in_transit", "delivered", "returned"' >"$WORK/dj_new.toml"
expect_exit 0 "$ENUMWATCH" validate --snapshot "$WORK/dj_new.toml" --migration "$WORK/dj_0002.sql" \
  --schema-from "$WORK/dj_0001.sql" --shadow-dsn "$SHADOW" --fail-on critical --format json
python3 - "$WORK/out" <<'PY' || fail "sqlmigrate 0002 against the new choices: $(cat "$WORK/out")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["drift"] == [], r["drift"]
assert {f["kind"] for f in r["findings"]} == {"lock_without_timeout"}, r["findings"]
assert [s["tag"] for s in r["statements"]] == ["BEGIN", "ALTER TABLE", "ALTER TABLE", "COMMIT"], r["statements"]
PY
# 4. Code that still has the old choices (deployed before its models changed): 'lost' can no
#    longer be written (missing_value, critical), 'returned' cannot be read.
check_snapshot '"pending", "in_transit", "delivered", "lost"' >"$WORK/dj_old.toml"
expect_exit 1 "$ENUMWATCH" validate --snapshot "$WORK/dj_old.toml" --migration "$WORK/dj_0002.sql" \
  --schema-from "$WORK/dj_0001.sql" --shadow-dsn "$SHADOW" --fail-on critical --format json
python3 - "$WORK/out" <<'PY' || fail "sqlmigrate 0002 against the old choices: $(cat "$WORK/out")"
import json, sys
r = json.load(open(sys.argv[1]))
drift = sorted((d["kind"], d["expected"], d["actual"]) for d in r["drift"])
assert drift == [("missing_value", "lost", None), ("unexpected_value", None, "returned")], drift
assert all(d["table"] == "shipping_shipment" and d["column"] == "status" for d in r["drift"]), r["drift"]
assert any(f["kind"] == "drift_after_migration" and f["severity"] == "critical" for f in r["findings"]), r["findings"]
PY
expect_clean "the Django migrations"
pass "sqlmigrate 0002 (a TextChoices CHECK): no drift against the new choices, missing_value 'lost' against the old"
