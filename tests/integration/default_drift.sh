#!/usr/bin/env bash
# default_mismatch beyond one literal (docs/check-enums.md, "Defaults"), against PostgreSQL 15:
# literal array defaults (both shapes pg_get_expr prints), defaults a column takes from its domain
# (over the type and over an array of it), a domain-typed column's own default, awkward names and
# values; read by a monitoring role that is not a superuser. `diff --format sql` applied with psql
# removes the drift; a default with no case-folded match gets only a comment.
source "$(dirname "$0")/lib.sh"
pg_start
psql_q -c "CREATE DATABASE shop" \
  -c "CREATE ROLE watcher LOGIN PASSWORD 'watch-pw' NOSUPERUSER NOCREATEDB NOCREATEROLE" \
  -c "GRANT CONNECT ON DATABASE shop TO watcher"
DSN="host=127.0.0.1 port=$PGPORT dbname=shop user=watcher password=watch-pw"

# The code renamed 'Paid' to 'paid' (and the odd value's spelling); the database still has the
# old spellings, and so do its defaults: a case_mismatch per type, and a default_mismatch per
# column whose default names an old spelling.
psql_q -d shop <<'SQL'
CREATE TYPE public.status AS ENUM ('new', 'Paid');
CREATE DOMAIN public.status_d AS public.status DEFAULT 'Paid';
CREATE DOMAIN public.status_list AS public.status[] DEFAULT '{new,Paid}';
CREATE TABLE public.orders (
  tags public.status[] DEFAULT '{new,Paid}',
  tags2 public.status[] DEFAULT ARRAY['Paid'::public.status, 'new', NULL],
  tags_ok public.status[] DEFAULT '{}',
  tags_fn public.status[] DEFAULT array_append('{}'::public.status[], 'Paid'),
  s public.status_d,
  s_own public.status_d DEFAULT 'Paid'::public.status_d,
  s_null public.status_d DEFAULT NULL,
  l public.status_list,
  l_own public.status_list DEFAULT '{Paid}'
);
CREATE SCHEMA "Odd ""Schema""";
SET search_path = "Odd ""Schema""";
CREATE TYPE "Mood, ""x""" AS ENUM ('calm', E'It''s, {Fine} \\ "Ü"\nyes');
CREATE DOMAIN "Mood dom, ""1""" AS "Mood, ""x""" DEFAULT E'It''s, {Fine} \\ "Ü"\nyes';
CREATE DOMAIN "Moods" AS "Mood, ""x"""[]
  DEFAULT ARRAY[E'It''s, {Fine} \\ "Ü"\nyes', 'calm']::"Mood, ""x"""[];
CREATE TABLE "T, ""1""" (
  "m ""x""" "Mood, ""x"""[] DEFAULT E'{calm,"It''s, {Fine} \\\\ \\"Ü\\"\nyes"}',
  d "Mood dom, ""1""",
  ds "Moods"
);
SQL
cat >"$WORK/snapshot.json" <<'JSON'
{"enum": [{"schema": "public", "name": "status", "values": ["new", "paid"]},
          {"schema": "Odd \"Schema\"", "name": "Mood, \"x\"",
           "values": ["calm", "it's, {fine} \\ \"ü\"\nyes"]}]}
JSON

# What PostgreSQL 15 prints for these defaults, as the monitoring role reads them.
PGUSER=watcher PGPASSWORD=watch-pw psql -X -At -d shop >"$WORK/printed" <<'SQL'
SELECT a.attname || ' ' || pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  WHERE d.adrelid = 'public.orders'::regclass ORDER BY a.attnum;
SELECT typname || ' ' || pg_get_expr(typdefaultbin, 0) FROM pg_type
  WHERE typnamespace = 'public'::regnamespace AND typtype = 'd' ORDER BY 1;
SQL
printed=$(cat "$WORK/printed")
for shape in "tags '{new,Paid}'::status[]" \
  "tags2 ARRAY['Paid'::status, 'new'::status, NULL::status]" \
  "s_own ('Paid'::status)::status_d" "s_null NULL::status" \
  "l_own '{Paid}'::status[]" "status_d 'Paid'::status" "status_list '{new,Paid}'::status[]"; do
  expect_contains "$printed" "$shape" "pg_get_expr's output"
done

expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/snapshot.json" --dsn "$DSN" --format json
python3 - "$OUT" <<'PY'
import json, sys
items = json.loads(sys.argv[1])["drift"]
kinds = sorted(i["kind"] for i in items)
assert kinds == ["case_mismatch"] * 2 + ["default_mismatch"] * 9, kinds
got = {i["used_by"][0]: i for i in items if i["kind"] == "default_mismatch"}
hostile_db = "It's, {Fine} \\ \"Ü\"\nyes"
hostile_code = "it's, {fine} \\ \"ü\"\nyes"
want = {
    # column: actual, expected, remediation_sql (raw strings: the SQL exactly)
    "public.orders.tags": ("Paid", "paid",
        r'''ALTER TABLE "public"."orders" ALTER COLUMN "tags" SET DEFAULT '{new,paid}';'''),
    "public.orders.tags2": ("Paid", "paid",
        r'''ALTER TABLE "public"."orders" ALTER COLUMN "tags2" SET DEFAULT '{paid,new,NULL}';'''),
    "public.orders.s": ("Paid", "paid",
        r'''ALTER DOMAIN "public"."status_d" SET DEFAULT 'paid';'''),
    "public.orders.s_own": ("Paid", "paid",
        r'''ALTER TABLE "public"."orders" ALTER COLUMN "s_own" SET DEFAULT 'paid';'''),
    "public.orders.l": ("Paid", "paid",
        r'''ALTER DOMAIN "public"."status_list" SET DEFAULT '{new,paid}';'''),
    "public.orders.l_own": ("Paid", "paid",
        r'''ALTER TABLE "public"."orders" ALTER COLUMN "l_own" SET DEFAULT '{paid}';'''),
    'Odd "Schema".T, "1".m "x"': (hostile_db, hostile_code,
        r'''ALTER TABLE "Odd ""Schema"""."T, ""1""" ALTER COLUMN "m ""x""" SET DEFAULT '''
        r'''E'{calm,"it''s, {fine} \\\\ \\"ü\\"\nyes"}';'''),
    'Odd "Schema".T, "1".d': (hostile_db, hostile_code,
        r'''ALTER DOMAIN "Odd ""Schema"""."Mood dom, ""1""" SET DEFAULT E'it''s, {fine} \\ "ü"\nyes';'''),
    'Odd "Schema".T, "1".ds': (hostile_db, hostile_code,
        r'''ALTER DOMAIN "Odd ""Schema"""."Moods" SET DEFAULT '''
        r'''E'{"it''s, {fine} \\\\ \\"ü\\"\nyes",calm}';'''),
}
assert sorted(got) == sorted(want), sorted(got)
for column, (actual, expected, sql) in want.items():
    i = got[column]
    assert i["severity"] == "critical", i
    assert (i["actual"], i["expected"], i["remediation_sql"]) == (actual, expected, sql), (i, sql)
assert "takes the default of domain public.status_d" in got["public.orders.s"]["message"]
assert "defaults to {new,Paid}, whose element \"Paid\"" in got["public.orders.tags"]["message"]
assert "domain" not in got["public.orders.s_own"]["message"]
PY
pass "array, domain and domain-array defaults are read as PostgreSQL prints them, by a non-superuser"

expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/snapshot.json" --dsn "$DSN" --format sql
echo "$OUT" >"$WORK/fix.sql"
[[ $(grep -c '^ALTER DOMAIN "public"."status_d" ' "$WORK/fix.sql") == 1 ]] || fail "ALTER DOMAIN not once: $OUT"
psql_q -d shop -f "$WORK/fix.sql" >/dev/null || fail "remediation SQL failed: $OUT"
expect_exit 0 "$ENUMWATCH" diff --snapshot "$WORK/snapshot.json" --dsn "$DSN"
# What an insert relying on the defaults now writes: only values the code can read.
row=$(psql -X -At -d shop <<'SQL'
INSERT INTO public.orders DEFAULT VALUES RETURNING tags, tags2, tags_ok, tags_fn, s, s_own, s_null, l, l_own;
INSERT INTO "Odd ""Schema"""."T, ""1""" DEFAULT VALUES RETURNING *;
SQL
)
expect_contains "$row" '{new,paid}|{paid,new,NULL}|{}|{paid}|paid|paid||{new,paid}|{paid}' "inserted row"
expect_contains "$row" $'{calm,"it\'s, {fine} \\\\ \\"ü\\"\nyes"}|it\'s, {fine} \\ "ü"\nyes|{"it\'s, {fine} \\\\ \\"ü\\"\nyes",calm}' "inserted row"
pass "the printed SQL applied with psql removes the drift; defaults write the code's values"

# A default with no case-folded match: only a comment saying what to run, in both shapes.
psql_q -d shop -c "ALTER TYPE public.status ADD VALUE 'legacy'"
psql_q -d shop -c "ALTER DOMAIN public.status_d SET DEFAULT 'legacy'" \
  -c "ALTER TABLE public.orders ALTER COLUMN tags SET DEFAULT '{new,legacy}'"
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/snapshot.json" --dsn "$DSN" --format json
python3 - "$OUT" <<'PY'
import json, sys
items = [i for i in json.loads(sys.argv[1])["drift"] if i["kind"] == "default_mismatch"]
got = {i["used_by"][0]: i for i in items}
assert sorted(got) == ["public.orders.s", "public.orders.tags"], sorted(got)
assert got["public.orders.s"]["actual"] == "legacy" and got["public.orders.s"]["expected"] is None
assert got["public.orders.s"]["remediation_sql"] == (
    "-- domain public.status_d defaults to 'legacy': choose which of the snapshot's values it "
    "should be, then run\n-- ALTER DOMAIN \"public\".\"status_d\" SET DEFAULT '<value>';"), got
assert got["public.orders.tags"]["actual"] == "legacy" and got["public.orders.tags"]["expected"] is None
assert got["public.orders.tags"]["remediation_sql"].startswith(
    "-- public.orders.tags defaults to '{new,legacy}', whose element \"legacy\" the snapshot lacks"), got
PY
pass "a default with no case-folded match gets a comment naming the statement to run"
