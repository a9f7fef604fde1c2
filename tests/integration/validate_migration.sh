#!/usr/bin/env bash
# `enumwatch validate` (docs/validate.md): migrations run on a throwaway PostgreSQL of enumwatch's
# own (initdb) or on --shadow-dsn, and what they would do is reported: a value added and used in
# one transaction (55P04, pointing at both lines), a type recreated under a table (rewrite,
# ACCESS EXCLUSIVE without lock_timeout, reorder), drift left against the code, Flyway and
# golang-migrate directory order, names full of quotes and newlines, SQL that does not parse,
# no initdb or pg_dump to be found, an old pg_dump, SIGINT and --timeout mid-run, a shadow role
# without CREATEDB. Each time nothing is left behind:
# no temporary directory, no server, no database.
source "$(dirname "$0")/lib.sh"
pg_start
TMPDIR=$WORK/tmp
mkdir -p "$TMPDIR"
chmod 755 "$TMPDIR"
export TMPDIR

left_behind() {
  compgen -G "$TMPDIR/enumwatch-validate.*" >/dev/null && return 0
  pgrep -f "$TMPDIR/enumwatch-validate[.]" >/dev/null && return 0  # this test's own only
  [[ $(psql -X -At -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'enumwatch_validate_%'") != 0 ]]
}
expect_clean() { ! left_behind || fail "something was left behind after $1: $(ls "$TMPDIR"; pgrep -af "$TMPDIR/enumwatch-validate[.]")"; }

cat >"$WORK/schema.sql" <<'SQL'
-- the production schema the migrations start from
CREATE TYPE public.order_status AS ENUM ('pending', 'paid', 'shipped');
CREATE TABLE public.orders (id serial PRIMARY KEY, status public.order_status NOT NULL);
SQL
# Section 9's production, 2 million rows, filled while the other sections run.
psql_q -c "CREATE DATABASE production" -c "CREATE ROLE reader LOGIN PASSWORD 'reader-pw'" \
  -c "GRANT pg_read_all_data TO reader"
psql_q -d production -f "$WORK/schema.sql" \
  -c "INSERT INTO public.orders (status) SELECT (ARRAY['pending', 'paid', 'shipped'])[1 + i % 3]::public.order_status FROM generate_series(1, 2000000) i" \
  -c "ANALYZE public.orders" >"$WORK/production.log" 2>&1 &
production_filling=$!
cat >"$WORK/app.toml" <<'TOML'
[[enum]]
name = "order_status"
values = ["pending", "paid", "shipped", "refunded"]
TOML

# 1. A value added and used in the same transaction: 55P04, the line of the use, the line of the
#    ADD VALUE and how to commit between them.
cat >"$WORK/same_tx.sql" <<'SQL'
-- Alembic-style: one transaction for the whole file
ALTER TYPE public.order_status ADD VALUE 'refunded';

UPDATE public.orders SET status = 'refunded' WHERE id < 0;
SQL
expect_exit 1 "$ENUMWATCH" validate --snapshot "$WORK/app.toml" --migration "$WORK/same_tx.sql" \
  --schema-from "$WORK/schema.sql" --format json
json=$(cat "$WORK/out")
python3 - "$json" <<'PY' || fail "55P04 report: $json"
import json, sys
r = json.loads(sys.argv[1])
assert r["shadow"] == "initdb", r
f = [x for x in r["findings"] if x["kind"] == "migration_failed"]
assert len(f) == 1 and f[0]["severity"] == "critical", f
assert f[0]["line"] == 4 and f[0]["file"].endswith("same_tx.sql"), f
assert "55P04" in f[0]["message"] and "added at line 2" in f[0]["message"], f
assert "autocommit_block" in f[0]["fix"], f
assert [s["tag"] for s in r["statements"]] == ["ALTER TYPE", ""], r["statements"]
# the transaction was rolled back: the copy still lacks the value, so the code drifts
assert any(d["kind"] == "missing_value" and d["expected"] == "refunded" for d in r["drift"]), r["drift"]
PY
expect_clean "a failed migration"
pass "55P04: the use at line 4, the ADD VALUE at line 2, rolled back, drift reported"

# 2. The same change done right: its own file, nothing to report, exit 0.
printf "ALTER TYPE public.order_status ADD VALUE IF NOT EXISTS 'refunded';\n" >"$WORK/good.sql"
expect_exit 0 "$ENUMWATCH" validate --snapshot "$WORK/app.toml" --migration "$WORK/good.sql" \
  --schema-from "$WORK/schema.sql"
expect_contains "$(cat "$WORK/out")" "no findings" "the text verdict"
pass "ADD VALUE in a file of its own: no findings, exit 0"

# 3. A type recreated under a table, without lock_timeout and in another order: the table is
#    rewritten under ACCESS EXCLUSIVE, the order changes meaning.
cat >"$WORK/recreate.sql" <<'SQL'
BEGIN;
ALTER TYPE public.order_status RENAME TO order_status_old;
CREATE TYPE public.order_status AS ENUM ('refunded', 'shipped', 'paid', 'pending');
ALTER TABLE public.orders ALTER COLUMN status TYPE public.order_status
  USING status::text::public.order_status;
DROP TYPE public.order_status_old;
COMMIT;
SQL
expect_exit 1 "$ENUMWATCH" validate --snapshot "$WORK/app.toml" --migration "$WORK/recreate.sql" \
  --schema-from "$WORK/schema.sql" --format json
json=$(cat "$WORK/out")
python3 - "$json" <<'PY' || fail "recreate report: $json"
import json, sys
r = json.loads(sys.argv[1])
kinds = {f["kind"]: f for f in r["findings"]}
rw = kinds["table_rewrite"]
assert rw["line"] == 4 and rw["severity"] == "warning" and "public.orders" in rw["message"], rw
lk = kinds["lock_without_timeout"]
assert lk["line"] == 4 and "AccessExclusiveLock" in lk["message"], lk
alter = [s for s in r["statements"] if s["line"] == 4][0]
assert alter["tag"] == "ALTER TABLE", alter
assert {"relation": "public.orders", "mode": "AccessExclusiveLock", "rewrite": True} in alter["locks"], alter
assert alter["rows"] is None, alter
# locks on the type created in the same transaction are not findings; the rename locks no table
assert all(not s["locks"] for s in r["statements"] if s["line"] != 4), r["statements"]
assert kinds["order_changed"]["severity"] == "info", kinds
assert any(d["kind"] == "order_mismatch" for d in r["drift"]), r["drift"]
PY
# With lock_timeout set first, the lock is no longer a finding; the rewrite still is.
sed 's/^BEGIN;/BEGIN;\nSET LOCAL lock_timeout = '"'"'5s'"'"';/' "$WORK/recreate.sql" >"$WORK/recreate_timeout.sql"
expect_exit 1 "$ENUMWATCH" validate --snapshot "$WORK/app.toml" --migration "$WORK/recreate_timeout.sql" \
  --schema-from "$WORK/schema.sql" --format json
python3 -c "
import json, sys
kinds = [f['kind'] for f in json.load(open('$WORK/out'))['findings']]
assert 'lock_without_timeout' not in kinds and 'table_rewrite' in kinds, kinds" ||
  fail "lock_timeout set: $(cat "$WORK/out")"
expect_exit 0 "$ENUMWATCH" validate --snapshot "$WORK/app.toml" --migration "$WORK/recreate_timeout.sql" \
  --schema-from "$WORK/schema.sql" --fail-on critical
"$ENUMWATCH" validate --snapshot "$WORK/app.toml" --migration "$WORK/recreate.sql" \
  --schema-from "$WORK/schema.sql" --format markdown >"$WORK/md" || true
expect_contains "$(cat "$WORK/md")" "| warning | table_rewrite | " "the markdown table"
expect_clean "the recreate"
pass "a recreate: rewrite and ACCESS EXCLUSIVE at line 4, reorder; lock_timeout honoured; --fail-on; markdown"

# 3b. A type dropped with CASCADE takes a view's column and the table's column with it
#     (dependents_lost); a rolling deploy meets a renamed value the running code still writes
#     (rename_breaks_running_code, at the RENAME's line) and a new one it cannot read.
cat >"$WORK/schema_view.sql" <<'SQL'
CREATE TYPE public.order_status AS ENUM ('pending', 'paid', 'shipped');
CREATE TABLE public.orders (id serial PRIMARY KEY, status public.order_status NOT NULL);
CREATE VIEW public.open_orders AS SELECT id, status FROM public.orders WHERE status = 'pending';
SQL
cat >"$WORK/cascade.sql" <<'SQL'
DROP TYPE public.order_status CASCADE;
CREATE TYPE public.order_status AS ENUM ('pending', 'paid', 'shipped', 'refunded');
ALTER TABLE public.orders ADD COLUMN status public.order_status;
SQL
expect_exit 1 "$ENUMWATCH" validate --snapshot "$WORK/app.toml" --migration "$WORK/cascade.sql" \
  --schema-from "$WORK/schema_view.sql" --format json
python3 -c "
import json
lost = [f['message'] for f in json.load(open('$WORK/out'))['findings'] if f['kind'] == 'dependents_lost']
assert any(m.startswith('column status of view public.open_orders depended on public.order_status') for m in lost), lost
assert not any('of table public.orders' in m for m in lost), lost  # re-added under the new type" ||
  fail "dependents_lost: $(cat "$WORK/out")"
printf '[[enum]]\nname = "order_status"\nvalues = ["pending", "paid", "shipped"]\n' >"$WORK/running.toml"
printf '[[enum]]\nname = "order_status"\nvalues = ["pending", "paid", "dispatched"]\n' >"$WORK/next.toml"
cat >"$WORK/rename.sql" <<'SQL'
-- the shipped state is called dispatched from now on
ALTER TYPE public.order_status RENAME VALUE 'shipped' TO 'dispatched';
SQL
expect_exit 1 "$ENUMWATCH" validate --snapshot "$WORK/next.toml" --previous-snapshot "$WORK/running.toml" \
  --migration "$WORK/rename.sql" --schema-from "$WORK/schema.sql" --format json
python3 -c "
import json
f = {x['kind']: x for x in json.load(open('$WORK/out'))['findings']}
r = f['rename_breaks_running_code']
assert r['line'] == 2 and \"renamed to 'dispatched'\" in r['message'] and 'running' in r['message'], r
u = f['unreadable_by_running_code']
assert u['severity'] == 'warning' and u['message'].startswith(\"value 'dispatched'\"), u" ||
  fail "rolling deploy: $(cat "$WORK/rename.sql"; cat "$WORK/out")"
expect_clean "dependents and renames"
pass "DROP TYPE CASCADE loses the view's column; a rename the running code uses, at its line"

# 4. A directory in Flyway order (V2 before V10), down and non-SQL files skipped; golang-migrate.
mkdir -p "$WORK/flyway" "$WORK/gomigrate"
printf "CREATE TYPE public.channel AS ENUM ('web');\n" >"$WORK/flyway/V1__init.sql"
printf "ALTER TYPE public.channel ADD VALUE 'store';\n" >"$WORK/flyway/V2__store.sql"
printf "ALTER TYPE public.channel ADD VALUE 'phone';\n" >"$WORK/flyway/V10__phone.sql"
printf "DROP TYPE public.channel;\n" >"$WORK/flyway/U2__undo.sql"
echo "not sql" >"$WORK/flyway/README.md"
cp "$WORK/flyway/V1__init.sql" "$WORK/gomigrate/1_init.up.sql"
cp "$WORK/flyway/V2__store.sql" "$WORK/gomigrate/2_store.up.sql"
cp "$WORK/flyway/V10__phone.sql" "$WORK/gomigrate/10_phone.up.sql"
printf "DROP TYPE public.channel;\n" >"$WORK/gomigrate/10_phone.down.sql"
printf '[[enum]]\nname = "channel"\nvalues = ["web", "store", "phone"]\n' >"$WORK/channel.toml"
for dir in flyway gomigrate; do
  expect_exit 0 "$ENUMWATCH" validate --snapshot "$WORK/channel.toml" --migration "$WORK/$dir" --format json
  python3 -c "
import json
r = json.load(open('$WORK/out'))
files = [s['file'].rsplit('/', 1)[1] for s in r['statements']]
assert len(files) == 3 and files[1].startswith(('V2', '2_')) and files[2].startswith(('V10', '10_')), files
assert r['drift'] == [] and r['findings'] == [], r" || fail "$dir order: $(cat "$WORK/out")"
done
pass "Flyway and golang-migrate directories in version order, undo and down files skipped"

# 5. Hostile names: quotes, a newline, a backslash in schema, type and values; the drift is
#    reported, and the text output carries no raw control character.
cat >"$WORK/hostile.sql" <<'SQL'
CREATE SCHEMA "we""ird
schema";
CREATE TYPE "we""ird
schema"."ty\pe" AS ENUM ('a''b', 'line
break', 'DROP TABLE x; --');
SQL
printf '[[enum]]\nschema = "we\\"ird\\nschema"\nname = "ty\\\\pe"\nvalues = ["a'"'"'b", "line\\nbreak", "DROP TABLE x; --", "new"]\n' >"$WORK/hostile.toml"
expect_exit 1 "$ENUMWATCH" validate --snapshot "$WORK/hostile.toml" --migration "$WORK/hostile.sql"
python3 - "$WORK/out" <<'PY' || fail "hostile names: $(cat "$WORK/out")"
import sys
text = open(sys.argv[1], encoding="utf-8").read()
assert "drift_after_migration" in text and "missing_value" in text, text
bad = [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) < 0xa0]
assert not bad, bad
PY
expect_exit 1 "$ENUMWATCH" validate --snapshot "$WORK/hostile.toml" --migration "$WORK/hostile.sql" --format json
python3 -c "
import json
r = json.load(open('$WORK/out'))
assert r['drift'][0]['schema'] == 'we\"ird\nschema' and r['drift'][0]['expected'] == 'new', r['drift']" ||
  fail "hostile JSON: $(cat "$WORK/out")"
pass "names with quotes, newlines and backslashes: drift reported, text escaped, JSON exact"

# 6. Bad input: SQL that does not parse (file, line, column, the parser's message), a missing
#    file; each one line, exit 2, before anything starts.
printf "ALTER TYPE public.order_status ADD VALUE 'x';\nALTER TYPE public.order_status ADD VALU 'y';\n" >"$WORK/broken.sql"
expect_exit 2 "$ENUMWATCH" validate --snapshot "$WORK/app.toml" --migration "$WORK/broken.sql"
err=$(cat "$WORK/err")
expect_contains "$err" "broken.sql:2:" "the parse error"
expect_contains "$err" 'syntax error at or near "VALU"' "the parse error"
[[ $(wc -l <"$WORK/err") == 1 ]] || fail "the parse error is not one line: $err"
expect_exit 2 "$ENUMWATCH" validate --snapshot "$WORK/app.toml" --migration "$WORK/nope.sql"
expect_clean "bad input"
pass "unparsable SQL: file:line:column and the parser's message, exit 2"

# 6b. No PostgreSQL to run or dump with: no initdb in PATH or /usr/lib/postgresql/*/bin; with
#     --dsn, no pg_dump, or one older than production's server. Each one line naming what is
#     missing and what to install, exit 2, before any server starts; nothing left behind.
mkdir -p "$WORK/nopg" "$WORK/oldpg"
one_line_error() {
  expect_contains "$ERR" "$1" "the error"
  [[ $(wc -l <"$WORK/err") == 1 ]] || fail "not one line: $ERR"
  expect_clean "$2"
}
# without_pg_dirs CMD...: CMD in a mount namespace of its own where /usr/lib/postgresql is an
# empty directory: the fallback place enumwatch looks for PostgreSQL's programs holds none.
without_pg_dirs() {
  local ns=(unshare --mount --propagation private)
  [[ $(id -u) == 0 ]] || ns=(unshare --map-root-user --mount)
  "${ns[@]}" /bin/sh -c 'mount -t tmpfs -o size=1m none /usr/lib/postgresql && exec "$@"' sh "$@"
}
if without_pg_dirs true 2>/dev/null; then
  expect_exit 2 without_pg_dirs env PATH="$WORK/nopg" "$ENUMWATCH" validate --snapshot "$WORK/app.toml" \
    --migration "$WORK/good.sql"
  one_line_error "validate: no initdb in PATH or /usr/lib/postgresql/*/bin: install the PostgreSQL server" "no initdb"
  expect_exit 2 without_pg_dirs env PATH="$WORK/nopg" "$ENUMWATCH" validate --snapshot "$WORK/app.toml" \
    --migration "$WORK/good.sql" --dsn "host=127.0.0.1 port=$PGPORT dbname=postgres user=reader password=reader-pw"
  one_line_error "validate --dsn needs pg_dump, as new as the server (Debian: postgresql-client-15 or newer): none in PATH" "no pg_dump"
  no_programs="no initdb, no pg_dump, "
else
  echo "SKIP [$TEST_NAME]: no mount namespace here (unshare): the missing initdb and pg_dump cases did not run" >&2
  no_programs=""
fi
# An old pg_dump first in PATH: refused by its version once production's server_version_num is
# read, before it runs against production and before any server starts. It says it is 11, and
# leaves a mark if it is ever run for a dump.
cat >"$WORK/oldpg/pg_dump" <<'SH'
#!/bin/sh
[ "$1" = --version ] && { echo "pg_dump (PostgreSQL) 11.22"; exit 0; }
echo "dumped" >"${0%/*}/ran"
echo "pg_dump: error: aborting because of server version mismatch" >&2
exit 1
SH
chmod +x "$WORK/oldpg/pg_dump"
expect_exit 2 env PATH="$WORK/oldpg:$PATH" "$ENUMWATCH" validate --snapshot "$WORK/app.toml" \
  --migration "$WORK/good.sql" --dsn "host=127.0.0.1 port=$PGPORT dbname=postgres user=reader password=reader-pw"
one_line_error "$WORK/oldpg/pg_dump is pg_dump 11.22, older than production's server (PostgreSQL 15), which it cannot dump: install pg_dump 15 or newer (Debian: postgresql-client-15)" "an old pg_dump"
expect_not_contains "$ERR" "reader-pw" "the error"
[[ ! -e $WORK/oldpg/ran ]] || fail "the old pg_dump was run against production"
# A pg_dump that cannot say its version is refused too.
printf '#!/bin/sh\necho "command not found: pg_dump" >&2\nexit 127\n' >"$WORK/oldpg/pg_dump"
expect_exit 2 env PATH="$WORK/oldpg:$PATH" "$ENUMWATCH" validate --snapshot "$WORK/app.toml" \
  --migration "$WORK/good.sql" --dsn "host=127.0.0.1 port=$PGPORT dbname=postgres user=reader password=reader-pw"
one_line_error "cannot tell which version $WORK/oldpg/pg_dump is: \`pg_dump --version\` printed \"command not found: pg_dump\" and failed" "a broken pg_dump"
# As root the throwaway server runs as postgres, which cannot enter a TMPDIR private to root.
if [[ $(id -u) == 0 ]]; then
  mkdir -m 700 "$WORK/private"
  expect_exit 2 env TMPDIR="$WORK/private" "$ENUMWATCH" validate --snapshot "$WORK/app.toml" --migration "$WORK/good.sql"
  one_line_error "validate: the postgres user cannot reach the temporary directory $WORK/private/enumwatch-validate." "a private TMPDIR"
  expect_contains "$ERR" "set TMPDIR to a directory every user may enter" "the error"
  [[ -z $(ls -A "$WORK/private") ]] || fail "left in the private TMPDIR: $(ls -A "$WORK/private")"
fi
pass "${no_programs}an old or broken pg_dump, a TMPDIR the server cannot enter: one line each, exit 2, nothing left"

# 7. SIGINT while the migration runs, and --timeout: exit 2, the server stopped, the directory
#    removed.
printf "SELECT pg_sleep(60);\n" >"$WORK/slow.sql"
"$ENUMWATCH" validate --snapshot "$WORK/app.toml" --migration "$WORK/slow.sql" >"$WORK/out" 2>"$WORK/err" &
validate_pid=$!
wait_for 30 "the throwaway server running" pgrep -f "$TMPDIR/enumwatch-validate[.].*data" 
sleep 1
kill -INT "$validate_pid"
rc=0
wait "$validate_pid" || rc=$?
[[ $rc == 2 ]] || fail "SIGINT: exit $rc, want 2: $(cat "$WORK/err")"
expect_contains "$(cat "$WORK/err")" "interrupted by SIGINT" "the SIGINT message"
wait_for 10 "the throwaway server gone" bash -c "! pgrep -f '$TMPDIR/enumwatch-validate[.]'"
expect_clean "SIGINT"
expect_exit 2 "$ENUMWATCH" validate --snapshot "$WORK/app.toml" --migration "$WORK/slow.sql" --timeout 4s
expect_contains "$(cat "$WORK/err")" "timed out" "the --timeout message"
expect_clean "--timeout"
pass "SIGINT and --timeout mid-migration: exit 2, nothing left"

# 8. --shadow-dsn: a database of its own, dropped afterwards; a role without CREATEDB is an
#    error, never a silent fallback.
psql_q -c "CREATE ROLE shadow LOGIN CREATEDB PASSWORD 'shadow-pw'" -c "CREATE ROLE plain LOGIN PASSWORD 'plain-pw'"
expect_exit 1 "$ENUMWATCH" validate --snapshot "$WORK/app.toml" --migration "$WORK/same_tx.sql" \
  --schema-from "$WORK/schema.sql" --format json \
  --shadow-dsn "host=127.0.0.1 port=$PGPORT dbname=postgres user=shadow password=shadow-pw"
python3 -c "
import json
r = json.load(open('$WORK/out'))
assert r['shadow'] == 'shadow-dsn' and r['findings'][0]['kind'] == 'migration_failed', r" ||
  fail "shadow-dsn: $(cat "$WORK/out")"
expect_clean "--shadow-dsn"
expect_exit 2 "$ENUMWATCH" validate --snapshot "$WORK/app.toml" --migration "$WORK/good.sql" \
  --shadow-dsn "host=127.0.0.1 port=$PGPORT dbname=postgres user=plain password=plain-pw"
err=$(cat "$WORK/err")
expect_contains "$err" "CREATEDB" "the error for a role without CREATEDB"
expect_not_contains "$err" "plain-pw" "the error"
expect_clean "a role without CREATEDB"
pass "--shadow-dsn: a database of its own, dropped; without CREATEDB exit 2 naming it"

# 9. --dsn: production (2 million rows, a plain role with pg_read_all_data) is the starting point
#    and weighs the findings: the rewrite is critical and names its rows, a removed value that
#    rows still hold is reported from pg_stats; production's catalog and row counters do not move.
wait "$production_filling" || fail "filling production failed: $(cat "$WORK/production.log")"
catalog_of() {
  psql -X -At -d production -c "SELECT md5(string_agg(c.oid || c.relname || c.relfilenode, ',' ORDER BY c.oid)) FROM pg_class c" \
    -c "SELECT md5(string_agg(enumtypid || enumlabel, ',' ORDER BY enumtypid, enumsortorder)) FROM pg_enum"
}
writes_of() {
  psql -X -At -d production -c "SELECT pg_stat_force_next_flush()" >/dev/null
  psql -X -At -d production -c "SELECT n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables WHERE relname = 'orders'"
}
catalog_before=$(catalog_of)
writes_before=$(writes_of)
cat >"$WORK/drop_shipped.sql" <<'SQL'
SET lock_timeout = '5s';
ALTER TYPE public.order_status RENAME TO order_status_old;
CREATE TYPE public.order_status AS ENUM ('pending', 'paid', 'refunded');
ALTER TABLE public.orders ALTER COLUMN status TYPE public.order_status
  USING status::text::public.order_status;
DROP TYPE public.order_status_old;
SQL
printf '[[enum]]\nname = "order_status"\nvalues = ["pending", "paid", "refunded"]\n' >"$WORK/no_shipped.toml"
# The copy is empty: the rewrite of production's rows is not run, only weighed; the cast of
# 'shipped' fails on no row there, and pg_stats says production has about 667 k.
expect_exit 1 "$ENUMWATCH" validate --snapshot "$WORK/no_shipped.toml" --migration "$WORK/drop_shipped.sql" \
  --dsn "host=127.0.0.1 port=$PGPORT dbname=production user=reader password=reader-pw" --format json
python3 - "$WORK/out" <<'PY' || fail "--dsn: $(cat "$WORK/out")"
import json, sys
r = json.load(open(sys.argv[1]))
f = {x["kind"]: x for x in r["findings"]}
rw = f["table_rewrite"]
assert rw["severity"] == "critical" and "2.0 M rows" in rw["message"], rw
alter = [s for s in r["statements"] if s["tag"] == "ALTER TABLE"][0]
assert 1.9e6 < alter["rows"] < 2.1e6, alter
gone = f["value_removed_rows_remain"]
assert gone["severity"] == "critical" and "'shipped'" in gone["message"] and " k rows" in gone["message"], gone
assert "lock_without_timeout" not in f, f
assert r["drift"] == [], r["drift"]
PY
expect_not_contains "$(cat "$WORK/out" "$WORK/err")" "reader-pw" "validate's output"
[[ $(catalog_of) == "$catalog_before" ]] || fail "production's catalog changed"
[[ $(writes_of) == "$writes_before" ]] || fail "production's rows were written: $writes_before -> $(writes_of)"
expect_exit 2 "$ENUMWATCH" validate --snapshot "$WORK/app.toml" --migration "$WORK/good.sql" \
  --dsn "host=127.0.0.1 port=$PGPORT dbname=production user=reader password=wrong-pw"
expect_not_contains "$(cat "$WORK/err")" "wrong-pw" "the error"
expect_clean "--dsn"
pass "--dsn: the rewrite of 2 M rows is critical, a removed value production holds is reported; production unchanged"

# 10. Real Alembic: the shop fixture's history up to 0004 is the starting schema, and a new
#     revision adds a value and uses it in its own transaction (the 55P04 every ORM's users
#     report); `alembic upgrade --sql` writes both, as a deploy would run them.
cp -r "$(dirname "$0")/../fixtures/shop" "$WORK/shop"
cat >"$WORK/shop/migrations/versions/0005_disputed.py" <<'PY'
"""orders can be disputed: the value is added and used in one transaction (the mistake)

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade():
    op.execute("ALTER TYPE order_status ADD VALUE 'disputed'")
    op.execute("UPDATE orders SET status = 'disputed' WHERE id IN (SELECT order_id FROM billing.payments WHERE state = 'failed')")


def downgrade():
    pass
PY
(cd "$WORK/shop" && "${SYSTEM_PYTHON:-/usr/bin/python3}" -m alembic upgrade 0004 --sql >"$WORK/alembic_schema.sql" &&
  "${SYSTEM_PYTHON:-/usr/bin/python3}" -m alembic upgrade 0004:0005 --sql >"$WORK/alembic_0005.sql") ||
  fail "alembic upgrade --sql failed"
update_line=$(grep -n "^UPDATE orders SET status = 'disputed'" "$WORK/alembic_0005.sql" | cut -d: -f1)
add_line=$(grep -n "^ALTER TYPE order_status ADD VALUE 'disputed'" "$WORK/alembic_0005.sql" | cut -d: -f1)
cat >"$WORK/shop.toml" <<'TOML'
[[enum]]
name = "order_status"
values = ["pending_payment", "paid", "cancelled", "refunded", "disputed"]
TOML
expect_exit 1 "$ENUMWATCH" validate --snapshot "$WORK/shop.toml" --migration "$WORK/alembic_0005.sql" \
  --schema-from "$WORK/alembic_schema.sql" --format json
python3 - "$WORK/out" "$update_line" "$add_line" <<'PY' || fail "alembic 0005: $(cat "$WORK/alembic_0005.sql"; cat "$WORK/out")"
import json, sys
r = json.load(open(sys.argv[1]))
failed = [f for f in r["findings"] if f["kind"] == "migration_failed"]
assert len(failed) == 1 and failed[0]["line"] == int(sys.argv[2]), failed
assert "55P04" in failed[0]["message"] and f"added at line {sys.argv[3]}" in failed[0]["message"], failed
assert any(d["kind"] == "missing_value" and d["expected"] == "disputed" for d in r["drift"]), r["drift"]
PY
expect_clean "alembic"
pass "alembic upgrade --sql: 0005's UPDATE fails with 55P04 at line $update_line, the ADD VALUE at line $add_line"

# 11. The pre-commit hook, run by real pre-commit on a repository with a Flyway directory: it
#     passes, then stops the commit that adds a value and uses it in one file.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export PRE_COMMIT_HOME=$WORK/pre-commit-cache GIT_CONFIG_GLOBAL=$WORK/gitconfig
git config --global user.email ci@example.invalid
git config --global user.name CI
git config --global init.defaultBranch main
mkdir -p "$WORK/repo/db/migrations"
cp "$WORK/flyway/V1__init.sql" "$WORK/flyway/V2__store.sql" "$WORK/repo/db/migrations/"
printf '[[enum]]\nname = "channel"\nvalues = ["web", "store"]\n' >"$WORK/repo/db/enums.toml"
hook() {
  (cd "$WORK/repo" && PATH="$(dirname "$ENUMWATCH"):$PATH" \
    "${SYSTEM_PYTHON:-/usr/bin/python3}" -m pre_commit try-repo "$ROOT" enumwatch-validate --all-files)
}
(cd "$WORK/repo" && git init -q . && git add -A && git commit -qm "channels")
expect_exit 0 hook
printf "ALTER TYPE public.channel ADD VALUE 'phone';\nCREATE TABLE public.calls (c public.channel DEFAULT 'phone');\n" \
  >"$WORK/repo/db/migrations/V3__phone.sql"
printf '[[enum]]\nname = "channel"\nvalues = ["web", "store", "phone"]\n' >"$WORK/repo/db/enums.toml"
(cd "$WORK/repo" && git add -A)
expect_exit 1 hook
expect_contains "$OUT" "55P04" "the hook's output"
expect_clean "the pre-commit hook"
pass "pre-commit's enumwatch-validate passes a good directory and stops a 55P04"
