#!/usr/bin/env bash
# CHECK-constraint enums (docs/snapshot-format.md [[check]]) against PostgreSQL 15: created by SQLAlchemy's DDL,
# by Django's migrations, and by hand in every form PostgreSQL normalises them to; awkward names;
# non-membership CHECKs ignored; every kind; the swap remediation applied to a table with rows
# (refused without loss while rows hold a dropped value, then validated); column defaults.
source "$(dirname "$0")/lib.sh"
PY=${SYSTEM_PYTHON:-/usr/bin/python3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOOL=$ROOT/tools/enumwatch-py/enumwatch-py
pg_start
psql_q -c "CREATE DATABASE hand" -c "CREATE DATABASE sa" -c "CREATE DATABASE dj" -c "CREATE DATABASE rows"

# ---- by hand, every normalised form, awkward names -------------------------------------------
psql_q -d hand <<'SQL'
CREATE SCHEMA "Sales ""EU""";
CREATE TABLE t (
  a varchar(20) CHECK (a IN ('web', 'store', 'it''s')),
  b text CHECK (b IN ('x','y')),
  c text CHECK (c = 'only'),
  d varchar CHECK (d = 'p' OR d = 'q'),
  e text CHECK (e IS NOT NULL AND e IN ('m','n')),
  f text CHECK (f = ANY ('{u,"v w"}')),
  g char(3) CHECK (g IN ('abc','def')),
  h text CHECK (length(h) < 5),
  i varchar(10) CHECK (i::text = ANY (ARRAY['k'::varchar, 'l'::varchar]::text[])),
  j text CHECK (j IN ('a', NULL)),
  k integer CHECK (k IN (1, 2)),
  l text CHECK (l <> 'x')
);
CREATE TABLE "Sales ""EU"""."Odd
Table" ("col ""q""" text CONSTRAINT "chk
newline" CHECK ("col ""q""" IN ('line
break', 'quote''s', 'back\slash', 'Ünïcödé')));
SQL
HAND=$(dsn_for hand)
expect_exit 0 "$ENUMWATCH" snapshot --dsn "$HAND" --format json --output "$WORK/hand.json"
python3 - "$WORK/hand.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
got = {(c["schema"], c["table"], c["column"]): c["values"] for c in doc["check"]}
want = {
    ("public", "t", "a"): ["it's", "store", "web"],
    ("public", "t", "b"): ["x", "y"],
    ("public", "t", "c"): ["only"],
    ("public", "t", "d"): ["p", "q"],
    ("public", "t", "e"): ["m", "n"],
    ("public", "t", "f"): ["u", "v w"],
    ("public", "t", "g"): ["abc", "def"],
    ("public", "t", "i"): ["k", "l"],
    ('Sales "EU"', "Odd\nTable", 'col "q"'): ["back\\slash", "line\nbreak", "quote's", "Ünïcödé"],
}
assert got == want, f"checks read: {got}"
PY
# The captured snapshot matches its database, in TOML too (names survive the round trip).
expect_exit 0 "$ENUMWATCH" snapshot --dsn "$HAND" --output "$WORK/hand.toml"
expect_exit 0 "$ENUMWATCH" diff --snapshot "$WORK/hand.toml" --dsn "$HAND"
pass "every normalised form is read, awkward names round-trip, non-membership CHECKs ignored"

# ---- SQLAlchemy's DDL: Enum(native_enum=False, create_constraint=True) -----------------------
mkdir -p "$WORK/saapp/app"
touch "$WORK/saapp/app/__init__.py"
cat >"$WORK/saapp/app/models.py" <<'PYM'
import enum
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Channel(enum.Enum):
    WEB = "web"
    STORE = "store"


class Order(Base):
    __tablename__ = "orders"
    id = sa.Column(sa.Integer, primary_key=True)
    channel = sa.Column(
        sa.Enum(Channel, native_enum=False, create_constraint=True, length=12,
                values_callable=lambda e: [m.value for m in e]),
        nullable=False,
    )
    state = sa.Column("State", sa.Enum("Open", "closed", native_enum=False, create_constraint=True))
    free = sa.Column(sa.Enum("x", "y", native_enum=False))  # no CHECK: not an entry
PYM
(cd "$WORK/saapp" && "$PY" -c '
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateTable
from app.models import Base
for t in Base.metadata.sorted_tables:
    print(str(CreateTable(t).compile(dialect=postgresql.dialect())).strip() + ";")
') >"$WORK/sa.sql"
expect_contains "$(cat "$WORK/sa.sql")" "CHECK"
psql_q -d sa -f "$WORK/sa.sql"
SA=$(dsn_for sa)
expect_exit 0 "$PY" "$TOOL" --scan "$WORK/saapp" --output "$WORK/sa-static.toml"
expect_exit 0 "$ENUMWATCH" diff --snapshot "$WORK/sa-static.toml" --dsn "$SA"
(cd "$WORK/saapp" && expect_exit 0 "$PY" "$TOOL" --metadata app.models:Base.metadata --output "$WORK/sa-import.toml")
expect_exit 0 "$ENUMWATCH" diff --snapshot "$WORK/sa-import.toml" --dsn "$SA"
expect_contains "$(cat "$WORK/sa-static.toml")" 'values = ["store", "web"]'
pass "SQLAlchemy native_enum=False: static and import mode snapshots match the DDL's database"

# ---- Django: the fixture app's migrations create the database --------------------------------
DJANGO_APP=$ROOT/tests/fixtures/django_shop
if "$PY" -c 'import django, psycopg2' 2>/dev/null; then
  (cd "$DJANGO_APP" && PGDATABASE=dj "$PY" manage.py migrate orders -v 0)
  (cd "$DJANGO_APP" && expect_exit 0 "$PY" "$TOOL" --django django_shop.settings --output "$WORK/dj-import.toml")
  expect_exit 0 "$ENUMWATCH" diff --snapshot "$WORK/dj-import.toml" --dsn "$(dsn_for dj)"
  how="migrate"
else
  # Without Django: the committed `manage.py sqlmigrate orders 0001` output.
  psql_q -d dj -f "$DJANGO_APP/orders/migrations/0001_initial.sql"
  how="committed sqlmigrate output"
fi
expect_exit 0 "$PY" "$TOOL" --scan "$DJANGO_APP" --output "$WORK/dj-static.toml"
expect_exit 0 "$ENUMWATCH" diff --snapshot "$WORK/dj-static.toml" --dsn "$(dsn_for dj)"
expect_contains "$(cat "$WORK/dj-static.toml")" 'table = "Refund Log"'
pass "Django TextChoices + CheckConstraint: the static snapshot matches the database ($how)"

# ---- every kind on a check, and the swap remediation on a table with rows ---------------------
ROWS=$(dsn_for rows)
psql_q -d rows <<'SQL'
CREATE TABLE orders (id serial, channel varchar(10) NOT NULL DEFAULT 'fax'
  CONSTRAINT orders_channel_check CHECK (channel IN ('web', 'Store', 'fax', 'legacy')));
INSERT INTO orders (channel) SELECT (ARRAY['web', 'Store', 'fax'])[1 + g % 3] FROM generate_series(1, 3000) g;
ANALYZE orders;
SQL
cat >"$WORK/want.toml" <<'TOML'
[[check]]
table = "orders"
column = "channel"
values = ["web", "store", "phone"]
TOML
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/want.toml" --dsn "$ROWS" --schema public --format json
python3 - "$OUT" <<'PY'
import json, sys
items = [i for i in json.loads(sys.argv[1])["drift"] if i["enum"] == "orders.channel"]
kinds = sorted(i["kind"] for i in items)
assert kinds == ["case_mismatch", "default_mismatch", "missing_value", "unexpected_value", "unexpected_value"], kinds
for i in items:
    assert i["table"] == "orders" and i["column"] == "channel", i
    assert i["used_by"] == ["public.orders.channel"], i
default = next(i for i in items if i["kind"] == "default_mismatch")
assert default["actual"] == "fax" and default["expected"] is None and default["severity"] == "critical", default
fax = next(i for i in items if i["kind"] == "unexpected_value" and i["actual"] == "fax")
assert fax["impact"][0]["rows"] == 1000, fax["impact"]
PY
pass "case_mismatch, missing_value, unexpected_value and default_mismatch on a check, with impact"

# The recipe drops "fax" and "legacy", and rows hold "fax": it fails in its first transaction
# and nothing changes, neither rows nor constraint.
"$ENUMWATCH" diff --snapshot "$WORK/want.toml" --dsn "$ROWS" --schema public --format sql >"$WORK/fix.sql" || true
before=$(psql -X -At -d rows -c "SELECT count(*), pg_get_constraintdef(c.oid) FROM orders, pg_constraint c WHERE c.conname = 'orders_channel_check' GROUP BY 2")
rc=0
psql -X -q -v ON_ERROR_STOP=1 -d rows -f "$WORK/fix.sql" >"$WORK/fix.out" 2>&1 || rc=$?
[[ $rc -ne 0 ]] || fail "the recipe ran although rows hold a dropped value"
expect_contains "$(cat "$WORK/fix.out")" "hold a value the snapshot drops; nothing was changed"
after=$(psql -X -At -d rows -c "SELECT count(*), pg_get_constraintdef(c.oid) FROM orders, pg_constraint c WHERE c.conname = 'orders_channel_check' GROUP BY 2")
[[ $before == "$after" ]] || fail "the failed recipe changed something: $before -> $after"
[[ $(psql -X -At -d rows -c "SELECT count(*) FROM pg_constraint WHERE conrelid = 'orders'::regclass") == 1 ]] ||
  fail "the failed recipe left a constraint behind"

# Once the code keeps "fax" and "Store" (the safer fix), the recipe adds "phone", drops "legacy"
# (no row holds it), and ends validated under the old name.
cat >"$WORK/want.toml" <<'TOML'
[[check]]
table = "orders"
column = "channel"
values = ["web", "Store", "fax", "phone"]
TOML
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/want.toml" --dsn "$ROWS" --schema public --format sql
psql_q -d rows -f - <<<"$OUT"
expect_exit 0 "$ENUMWATCH" diff --snapshot "$WORK/want.toml" --dsn "$ROWS" --schema public
[[ $(psql -X -At -d rows -c "SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'orders'::regclass") == "orders_channel_check|t" ]] ||
  fail "the swapped constraint is not validated under its old name"
[[ $(psql -X -At -d rows -c "SELECT count(*) FROM orders") == 3000 ]] || fail "rows were lost"
psql_q -d rows -c "INSERT INTO orders (channel) VALUES ('phone')"
if psql -X -q -d rows -c "INSERT INTO orders (channel) VALUES ('legacy')" 2>/dev/null; then
  fail "the new constraint allows a dropped value"
fi
pass "check remediation: refused without loss while rows hold a dropped value, then validated"

# ---- the swap keeps every conjunct it does not rewrite (docs/check-enums.md) -----------------
# NOT NULL and a length bound AND-ed with the list stay required after the recipe: NULL and a
# too-long value are still refused. A list OR-ed with something else is not rewritten at all.
psql_q -d rows <<'SQL'
CREATE TABLE tickets (state text CONSTRAINT tickets_state_check
  CHECK (state IN ('open', 'closed') AND state IS NOT NULL AND length(state) < 8));
INSERT INTO tickets VALUES ('open'), ('closed');
CREATE TABLE loose (kind text CONSTRAINT loose_kind_check CHECK (kind IN ('a', 'b') OR length(kind) > 10));
SQL
cat >"$WORK/tickets.toml" <<'TOML'
[[check]]
table = "tickets"
column = "state"
values = ["open", "closed", "held"]
[[check]]
table = "loose"
column = "kind"
values = ["a", "b", "c"]
TOML
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/tickets.toml" --dsn "$ROWS" --schema public --format sql
fix=$OUT
expect_contains "$fix" "Kept from the old constraint, unchanged: (state IS NOT NULL) AND (length(state) < 8)"
expect_contains "$fix" 'cannot rewrite the CHECK on public.loose.kind'
psql_q -d rows -v ON_ERROR_STOP=1 -f - <<<"$fix"
psql_q -d rows -c "INSERT INTO tickets VALUES ('held')"
for bad in "NULL" "'pending'"; do
  if psql -X -q -d rows -c "INSERT INTO tickets VALUES ($bad)" 2>/dev/null; then
    fail "after the swap, tickets.state accepts $bad"
  fi
done
[[ $(psql -X -At -d rows -c "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'tickets_state_check'") == *"IS NOT NULL"*"length(state) < 8"* ]] ||
  fail "the swapped constraint lost a conjunct"
[[ $(psql -X -At -d rows -c "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'loose_kind_check'") == *"length(kind) > 10"* ]] ||
  fail "the OR-ed constraint was changed"
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/tickets.toml" --dsn "$ROWS" --schema public --format json
python3 - "$OUT" <<'PY'
import json, sys
enums = sorted({i["enum"] for i in json.loads(sys.argv[1])["drift"]} & {"tickets.state", "loose.kind"})
assert enums == ["loose.kind"], enums  # tickets.state matches now; loose.kind was left alone
PY
psql_q -d rows -c "DROP TABLE tickets, loose"
pass "the swap keeps IS NOT NULL and other conjuncts (NULL still refused); an OR-ed list is only commented"

# ---- a domain's CHECK is a check enum of every column typed by it (docs/check-enums.md) --------
# Read for each column of the domain (with the domain's default); the swap is ALTER DOMAIN in one
# transaction: refused without loss while a row of either table holds a dropped value, then
# applied, and both columns allow exactly the snapshot's values.
psql_q -c "CREATE DATABASE dom"
psql_q -d dom <<'SQL'
CREATE SCHEMA "Shop ""D""";
CREATE DOMAIN "Shop ""D"""."Chan ö" AS varchar(20) DEFAULT 'fax'
  CONSTRAINT "chan's check" CHECK (VALUE IN ('web', 'store', 'fax') AND VALUE IS NOT NULL);
CREATE TABLE "Shop ""D""".orders (id int, channel "Shop ""D"""."Chan ö");
CREATE TABLE "Shop ""D""".returns (channel "Shop ""D"""."Chan ö" DEFAULT 'web');
INSERT INTO "Shop ""D""".orders VALUES (1, 'web'), (2, 'fax');
INSERT INTO "Shop ""D""".returns VALUES ('store');
SQL
DOM=$(dsn_for dom)
expect_exit 0 "$ENUMWATCH" snapshot --dsn "$DOM" --format json --output "$WORK/dom.json"
python3 - "$WORK/dom.json" <<'PY'
import json, sys
got = {(c["schema"], c["table"], c["column"]): c["values"] for c in json.load(open(sys.argv[1]))["check"]}
assert got == {('Shop "D"', "orders", "channel"): ["fax", "store", "web"],
               ('Shop "D"', "returns", "channel"): ["fax", "store", "web"]}, got
PY
cat >"$WORK/dom.toml" <<'TOML'
[[check]]
schema = 'Shop "D"'
table = "orders"
column = "channel"
values = ["web", "store", "phone"]
[[check]]
schema = 'Shop "D"'
table = "returns"
column = "channel"
values = ["web", "store", "phone"]
TOML
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/dom.toml" --dsn "$DOM" --format json
python3 - "$OUT" <<'PY'
import json, sys
items = json.loads(sys.argv[1])["drift"]
kinds = sorted((i["kind"], i["enum"]) for i in items)
assert ("missing_value", "orders.channel") in kinds and ("unexpected_value", "returns.channel") in kinds, kinds
# The domain's default 'fax' is what orders.channel gets: the code cannot read it.
assert ("default_mismatch", "orders.channel") in kinds, kinds
PY
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/dom.toml" --dsn "$DOM" --format sql
fix=$OUT
expect_contains "$fix" 'ALTER DOMAIN "Shop ""D"""."Chan ö" ADD CONSTRAINT'
expect_contains "$fix" 'Kept from the old constraint, unchanged: (VALUE IS NOT NULL)'
expect_not_contains "$fix" 'ALTER TABLE "Shop ""D""".orders ADD CONSTRAINT'
# A row holds 'fax', which the snapshot drops: the swap fails and changes nothing.
schema_before=$(pg_dump --schema-only -d dom | grep -v -e '^--' -e '^\\')
if psql -X -q -d dom -v ON_ERROR_STOP=1 -f - <<<"$fix" 2>"$WORK/dom.err"; then
  fail "the domain swap ran while a row holds a dropped value"
fi
expect_contains "$(cat "$WORK/dom.err")" "contains values that violate the new constraint"
[[ $(pg_dump --schema-only -d dom | grep -v -e '^--' -e '^\\') == "$schema_before" ]] ||
  fail "the refused domain swap changed the schema"
psql_q -d dom -c "UPDATE \"Shop \"\"D\"\"\".orders SET channel = 'web' WHERE id = 2" \
  -c "ALTER DOMAIN \"Shop \"\"D\"\"\".\"Chan ö\" SET DEFAULT 'web'"
psql_q -d dom -v ON_ERROR_STOP=1 -f - <<<"$fix"
expect_exit 0 "$ENUMWATCH" diff --snapshot "$WORK/dom.toml" --dsn "$DOM"
psql_q -d dom -c "INSERT INTO \"Shop \"\"D\"\"\".returns VALUES ('phone')"
if psql -X -q -d dom -c "INSERT INTO \"Shop \"\"D\"\"\".returns VALUES (NULL)" 2>/dev/null; then
  fail "after the domain swap, NULL is allowed"
fi
[[ $(psql -X -At -d dom -c "SELECT conname FROM pg_constraint WHERE contypid = '\"Shop \"\"D\"\"\".\"Chan ö\"'::regtype") == "chan's check" ]] ||
  fail "the domain's constraint lost its name"
pass "a domain's CHECK is read for each of its columns; ALTER DOMAIN swap refused without loss, then applied"

# ---- defaults: one outside the snapshot, fixed by case-folding --------------------------------
psql_q -d rows <<'SQL'
CREATE TYPE status AS ENUM ('pending', 'Paid', 'paid');
CREATE TABLE payments (s status DEFAULT 'Paid');
SQL
cat >"$WORK/status.toml" <<'TOML'
[[enum]]
name = "status"
values = ["pending", "paid"]
TOML
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/status.toml" --dsn "$ROWS" --schema public --format json
python3 - "$OUT" <<'PY'
import json, sys
items = [i for i in json.loads(sys.argv[1])["drift"] if i["kind"] == "default_mismatch" and i["enum"] == "status"]
assert len(items) == 1, items
i = items[0]
assert i["actual"] == "Paid" and i["expected"] == "paid" and i["used_by"] == ["public.payments.s"], i
assert i["remediation_sql"] == 'ALTER TABLE "public"."payments" ALTER COLUMN "s" SET DEFAULT \'paid\';', i
PY
psql_q -d rows -c 'ALTER TABLE "public"."payments" ALTER COLUMN "s" SET DEFAULT '"'paid'"
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/status.toml" --dsn "$ROWS" --schema public --format json
expect_not_contains "$OUT" "default_mismatch"
pass "a default outside the snapshot is default_mismatch; its remediation applied clears it"

# ---- checks = false: the daemon and check read no CHECKs --------------------------------------
cat >"$WORK/enumwatch.toml" <<TOML
[defaults]
schemas = ["public"]
naming = "none"
checks = false
$(snapshot_section want "$WORK/want.toml")
$(target_section hand rows want)
report_unexpected = false
TOML
expect_exit 0 "$ENUMWATCH" check --config "$WORK/enumwatch.toml"
sed -i 's/^checks = false/checks = true/' "$WORK/enumwatch.toml"
psql_q -d rows -c "ALTER TABLE orders DROP CONSTRAINT orders_channel_check"
expect_exit 1 "$ENUMWATCH" check --config "$WORK/enumwatch.toml"
expect_contains "$OUT" "missing_type"
pass "checks = false ignores checks; a dropped constraint is missing_type"

# naming and unexpected_type on checks, through the daemon's own poll (check).
psql_q -d rows -c "CREATE TABLE extra (kind text CHECK (kind IN ('a', 'b')))" \
  -c "ALTER TABLE orders ADD CONSTRAINT orders_channel_check CHECK (channel IN ('web', 'Store', 'fax', 'phone'))"
sed -i -e 's/^naming = "none"/naming = "snake_case"/' -e '/^report_unexpected = false/d' "$WORK/enumwatch.toml"
expect_exit 1 "$ENUMWATCH" check --config "$WORK/enumwatch.toml" --format json
python3 - "$OUT" <<'PY'
import json, sys
items = json.loads(sys.argv[1])["targets"][0]["drift"]
kinds = sorted((i["kind"], i["enum"]) for i in items if i["kind"] in ("naming_violation", "unexpected_type"))
assert ("naming_violation", "orders.channel") in kinds, kinds
assert ("unexpected_type", "extra.kind") in kinds, kinds
assert all(i["kind"] != "order_mismatch" for i in items), items
PY
pass "naming_violation and unexpected_type on checks; never order_mismatch"
