#!/usr/bin/env bash
# Remediation on schemas as teams have them (issue 15). One database per kind of object that can
# depend on an enum, each with rows, all named with quotes, spaces, capitals and non-ASCII. The
# snapshot reorders the values, so the fix is the create-swap-drop recipe; piped into psql it must
# leave no drift, every row as it was, and the schema (pg_dump --schema-only: definitions, owners,
# grants, comments) identical except for the enum's value order. Then what must fail cleanly:
# objects PostgreSQL cannot keep (refused in a comment, nothing run), a dependent naming a dropped
# value, a lock held by another session (lock_timeout), and a dependent the self-check misses.
source "$(dirname "$0")/lib.sh"
pg_start
psql_q -c "CREATE ROLE \"Read Er\"; CREATE ROLE app_owner"

S='"Shop ünï"'
T="$S.\"Order \"\"Status\"\"\""
TBL="$S.\"Orders Tab\""
# The snapshot: the database's values in another order (order_mismatch: the type is recreated).
cat >"$WORK/snapshot.toml" <<'EOF'
[[enum]]
schema = "Shop ünï"
name = "Order \"Status\""
values = ["void", "it's done", "Paid", "new"]
EOF

base_sql() {
  cat <<SQL
CREATE SCHEMA $S;
CREATE TYPE $T AS ENUM ('new', 'Paid', 'it''s done', 'void');
CREATE TABLE $TBL (id int PRIMARY KEY, "Status" $T NOT NULL DEFAULT 'new', "Hist ö" $T[]);
INSERT INTO $TBL SELECT i, (ARRAY['new', 'Paid', 'it''s done', 'void']::$T[])[1 + i % 4],
                        ARRAY['new', 'Paid']::$T[] FROM generate_series(1, 200) i;
SQL
}

# make_db NAME SQL: a database with the base schema plus SQL.
make_db() {
  psql_q -c "CREATE DATABASE \"$1\""
  { base_sql; echo "$2"; } | psql_q -d "$1" >/dev/null
}

schema_dump() {
  # The enum's own CREATE TYPE is the one thing meant to change; everything else must not.
  pg_dump --schema-only -d "$1" >"$WORK/dump" || fail "pg_dump $1 failed"
  grep -q 'CREATE TABLE' "$WORK/dump" || fail "pg_dump $1 is empty"
  # (\restrict lines carry a random key per dump.)
  sed '/^CREATE TYPE .* AS ENUM (/,/^);/d' "$WORK/dump" | grep -v -e '^--' -e '^$' -e '^\\\(un\)\?restrict '
}
rows_of() {
  psql -X -At -d "$1" -c "SELECT id, \"Status\"::text, \"Hist ö\"::text[] FROM $TBL ORDER BY id"
}

# remediated NAME: applies `diff --format sql`; no drift after, rows and schema unchanged.
remediated() {
  local db=$1 dsn
  dsn=$(dsn_for "$db")
  schema_dump "$db" >"$WORK/$db.before"
  rows_of "$db" >"$WORK/$db.rows.before"
  expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/snapshot.toml" --dsn "$dsn" --format sql
  echo "$OUT" >"$WORK/$db.sql"
  psql_q -d "$db" -f "$WORK/$db.sql" >/dev/null 2>"$WORK/$db.psql" ||
    fail "$db: the recipe failed: $(cat "$WORK/$db.psql")"
  expect_exit 0 "$ENUMWATCH" diff --snapshot "$WORK/snapshot.toml" --dsn "$dsn"
  schema_dump "$db" >"$WORK/$db.after"
  rows_of "$db" >"$WORK/$db.rows.after"
  diff -u "$WORK/$db.rows.before" "$WORK/$db.rows.after" || fail "$db: rows changed"
  diff -u "$WORK/$db.before" "$WORK/$db.after" || fail "$db: the schema changed beyond the enum"
  grep -q CASCADE "$WORK/$db.sql" && fail "$db: the recipe uses CASCADE"
  echo "ok: $db"
}

make_db partial_index "CREATE INDEX \"Live Ünï\" ON $TBL (id) WHERE \"Status\" <> 'void';
  COMMENT ON INDEX $S.\"Live Ünï\" IS 'only live orders';"
make_db expression_index "CREATE INDEX \"By \"\"Paid\"\"\" ON $TBL ((\"Status\" = 'Paid'), id);"
make_db check_constraint "ALTER TABLE $TBL ADD CONSTRAINT \"not it's\" CHECK (\"Status\" <> 'it''s done' OR id > 0);
  ALTER TABLE $TBL ADD CONSTRAINT \"arr ok\" CHECK (NOT ('void' = ANY (\"Hist ö\"))) NOT VALID;"
make_db views_on_views "CREATE INDEX \"Live\" ON $TBL (id) WHERE \"Status\" <> 'void';
  CREATE VIEW $S.\"V1 ä\" AS SELECT id, \"Status\" FROM $TBL WHERE \"Status\" <> 'new';
  CREATE VIEW $S.\"V2\" WITH (security_barrier = true) AS SELECT * FROM $S.\"V1 ä\" WHERE \"Status\" = 'Paid';
  CREATE VIEW $S.\"V3\" AS SELECT count(*) AS n FROM $S.\"V2\";
  ALTER VIEW $S.\"V2\" OWNER TO app_owner;
  GRANT SELECT ON $S.\"V2\" TO \"Read Er\"; REVOKE ALL ON $S.\"V1 ä\" FROM PUBLIC;
  COMMENT ON VIEW $S.\"V2\" IS 'paid orders, it''s a view';
  COMMENT ON COLUMN $S.\"V1 ä\".\"Status\" IS 'the status, as the view shows it';"
make_db materialized_views "CREATE MATERIALIZED VIEW $S.\"Counts\" AS SELECT \"Status\", count(*) FROM $TBL GROUP BY 1;
  CREATE UNIQUE INDEX \"Counts by status\" ON $S.\"Counts\" (\"Status\");
  CREATE MATERIALIZED VIEW $S.\"Empty\" AS SELECT id FROM $TBL WHERE \"Status\" = 'void' WITH NO DATA;
  GRANT SELECT ON $S.\"Counts\" TO \"Read Er\";"
make_db policy "ALTER TABLE $TBL ENABLE ROW LEVEL SECURITY;
  CREATE POLICY \"Only \"\"Paid\"\"\" ON $TBL AS RESTRICTIVE FOR SELECT TO \"Read Er\" USING (\"Status\" = 'Paid');
  CREATE POLICY \"writes\" ON $TBL FOR INSERT WITH CHECK (\"Status\" <> 'void');"
make_db trigger "CREATE FUNCTION $S.touch() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN NEW; END \$\$;
  CREATE TRIGGER \"On Paid\" BEFORE UPDATE ON $TBL FOR EACH ROW WHEN (NEW.\"Status\" = 'Paid') EXECUTE FUNCTION $S.touch();
  CREATE TRIGGER \"Off\" AFTER UPDATE OF \"Status\" ON $TBL FOR EACH ROW WHEN (OLD.\"Status\" IS DISTINCT FROM NEW.\"Status\") EXECUTE FUNCTION $S.touch();
  ALTER TABLE $TBL DISABLE TRIGGER \"Off\";"
make_db rule "CREATE RULE \"Keep void\" AS ON DELETE TO $TBL WHERE OLD.\"Status\" = 'void' DO INSTEAD NOTHING;"
make_db functions "CREATE FUNCTION $S.\"Is Paid\"(s $T) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT s = ''Paid''';
  CREATE FUNCTION $S.next_status(s $T) RETURNS $T LANGUAGE plpgsql AS \$f\$ BEGIN RETURN 'Paid'; END \$f\$;
  CREATE PROCEDURE $S.\"Mark\"(s $T) LANGUAGE sql AS \$\$ SELECT 1 \$\$;
  CREATE VIEW $S.paid AS SELECT id, $S.\"Is Paid\"(\"Status\") AS paid FROM $TBL;
  REVOKE ALL ON FUNCTION $S.\"Is Paid\"($T) FROM PUBLIC;
  GRANT EXECUTE ON FUNCTION $S.\"Is Paid\"($T) TO \"Read Er\" WITH GRANT OPTION;
  ALTER FUNCTION $S.next_status($T) OWNER TO app_owner;
  COMMENT ON FUNCTION $S.\"Is Paid\"($T) IS 'true for ''Paid''';"
make_db statistics "CREATE STATISTICS $S.\"St\" ON (\"Status\" = 'Paid'), id FROM $TBL;"
make_db other_defaults "ALTER TABLE $TBL ADD COLUMN label text DEFAULT ('new'::$T)::text;"
make_db partitions "CREATE TABLE $S.\"Events\" (k int, \"Status\" $T) PARTITION BY LIST (k);
  CREATE TABLE $S.\"Events 1\" PARTITION OF $S.\"Events\" FOR VALUES IN (1);
  CREATE INDEX \"Live events\" ON $S.\"Events\" (k) WHERE \"Status\" <> 'void';
  CREATE VIEW $S.\"Events view\" AS SELECT * FROM $S.\"Events 1\";
  INSERT INTO $S.\"Events\" VALUES (1, 'Paid'), (1, 'void');"

# Domains and composite types over the enum (issue 24): recreated under their own names with
# their defaults, NOT NULL, constraints (one NOT VALID), owners, grants and comments; their
# columns (plain, arrays, a domain over a domain, over the array, a composite in a composite)
# converted; a view and a function over them dropped and re-created.
make_db domains "CREATE DOMAIN $S.\"Dom ö\" AS $T DEFAULT 'new' CONSTRAINT \"not 'void'\" CHECK (VALUE <> 'void');
  ALTER DOMAIN $S.\"Dom ö\" ADD CONSTRAINT later CHECK (VALUE <> 'it''s done') NOT VALID;
  COMMENT ON DOMAIN $S.\"Dom ö\" IS 'a status that is never void';
  COMMENT ON CONSTRAINT \"not 'void'\" ON DOMAIN $S.\"Dom ö\" IS 'void is for orders only';
  ALTER DOMAIN $S.\"Dom ö\" OWNER TO app_owner;
  REVOKE USAGE ON DOMAIN $S.\"Dom ö\" FROM PUBLIC; GRANT USAGE ON DOMAIN $S.\"Dom ö\" TO \"Read Er\";
  CREATE DOMAIN $S.\"Dom 2\" AS $S.\"Dom ö\" NOT NULL;
  CREATE DOMAIN $S.\"Dom arr\" AS $T[] CHECK (cardinality(VALUE) < 5);
  CREATE TABLE $S.\"Uses dom\" (id int, d $S.\"Dom ö\", d2 $S.\"Dom 2\" DEFAULT 'Paid', da $S.\"Dom arr\", dd $S.\"Dom ö\"[]);
  INSERT INTO $S.\"Uses dom\" SELECT i, 'Paid', 'new', ARRAY['new', 'Paid']::$T[], ARRAY['Paid']::$S.\"Dom ö\"[]
    FROM generate_series(1, 50) i;
  INSERT INTO $S.\"Uses dom\" (id, d2) VALUES (0, 'new');
  CREATE VIEW $S.\"Dom view\" AS SELECT id, d FROM $S.\"Uses dom\" WHERE d2::$T = 'Paid';
  CREATE FUNCTION $S.is_new(s $S.\"Dom ö\") RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT s::$T = ''new''';"
make_db composites "CREATE TYPE $S.\"Comp ö\" AS (s $T, \"Note \"\"n\"\"\" text COLLATE \"C\", hist $T[]);
  COMMENT ON TYPE $S.\"Comp ö\" IS 'an order''s status with a note';
  COMMENT ON COLUMN $S.\"Comp ö\".s IS 'the status';
  CREATE TYPE $S.\"Outer\" AS (inner_c $S.\"Comp ö\", n int);
  CREATE TABLE $S.\"Uses comp\" (id int, c $S.\"Comp ö\", ca $S.\"Comp ö\"[], o $S.\"Outer\");
  INSERT INTO $S.\"Uses comp\" SELECT i, ROW('Paid', 'it''s, \"quoted\" (x)', ARRAY['new', 'void'])::$S.\"Comp ö\",
    ARRAY[ROW('new', NULL, NULL)::$S.\"Comp ö\"], ROW(ROW('it''s done', 'n', '{}'), i)::$S.\"Outer\"
    FROM generate_series(1, 50) i;
  CREATE VIEW $S.\"Comp view\" AS SELECT id, (c).s FROM $S.\"Uses comp\" WHERE (c).s = 'Paid';
  CREATE FUNCTION $S.first_status(o $S.\"Outer\") RETURNS $S.\"Comp ö\" LANGUAGE sql AS 'SELECT (o).inner_c';"
table_rows() {
  psql -X -At -d "$1" -c "SELECT t::text FROM $S.\"$2\" t ORDER BY id"
}
table_rows domains "Uses dom" >"$WORK/domains.table.before"
table_rows composites "Uses comp" >"$WORK/composites.table.before"

for db in partial_index expression_index check_constraint views_on_views materialized_views policy \
  trigger rule functions statistics other_defaults partitions domains composites; do
  remediated "$db"
done
table_rows domains "Uses dom" | diff -u "$WORK/domains.table.before" - || fail "domain columns changed"
table_rows composites "Uses comp" | diff -u "$WORK/composites.table.before" - ||
  fail "composite columns changed"
expect_contains "$(cat "$WORK/domains.sql")" 'Recreated over the new type under their own names'
psql_q -d domains -c "INSERT INTO $S.\"Uses dom\" (id, d) VALUES (99, 'void')" >/dev/null 2>&1 &&
  fail "the recreated domain lost its CHECK"
defaults=$(psql -X -q -At -d domains -c "INSERT INTO $S.\"Uses dom\" (id) VALUES (98) RETURNING d, d2" 2>&1) || true
[[ $defaults == 'new|Paid' ]] ||
  fail "the recreated domain lost its default, or the column its own: psql said: $defaults"
psql -X -At -d composites -c "SELECT $S.first_status(o) FROM $S.\"Uses comp\" WHERE id = 1" |
  grep -qx "(\"it's done\",n,{})" || fail "the function over the composite does not work"
psql -X -At -d materialized_views -c "SELECT count(*) FROM $S.\"Counts\"" | grep -qx 4 ||
  fail "the populated materialized view was not refreshed"
psql -X -At -d materialized_views -c "SELECT relispopulated FROM pg_class WHERE relname = 'Empty'" |
  grep -qx f || fail "the unpopulated materialized view was filled"
grep -q 'Rewrites under an ACCESS EXCLUSIVE lock .*"Orders Tab" ([0-9.]* kB, ~200 rows)' \
  "$WORK/views_on_views.sql" || fail "the comment lacks the table's size and rows"

# ---- a value renamed (case) and the type recreated in one script: the dependents are re-created
# with the new spelling, which is the only one the new type has.
make_db renamed "CREATE VIEW $S.paid AS SELECT id FROM $TBL WHERE \"Status\" = 'Paid';
  ALTER TABLE $TBL ALTER COLUMN \"Status\" SET DEFAULT 'Paid';"
sed 's/"Paid"/"paid"/' "$WORK/snapshot.toml" >"$WORK/renamed.toml"
rows_of renamed | sed 's/|Paid|/|paid|/; s/Paid}/paid}/' >"$WORK/renamed.rows.expected"
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/renamed.toml" --dsn "$(dsn_for renamed)" --format sql
echo "$OUT" >"$WORK/renamed.sql"
psql_q -d renamed -f "$WORK/renamed.sql" >/dev/null 2>"$WORK/renamed.err" ||
  fail "rename + recreate failed: $(cat "$WORK/renamed.err")"
expect_exit 0 "$ENUMWATCH" diff --snapshot "$WORK/renamed.toml" --dsn "$(dsn_for renamed)"
rows_of renamed | diff -u "$WORK/renamed.rows.expected" - || fail "rows changed beyond the rename"
psql -X -At -d renamed -c "SELECT count(*) FROM $S.paid" | grep -qx 50 || fail "the view lost its rows"
psql -X -At -d renamed -c "SELECT pg_get_viewdef('$S.paid'::regclass)" | grep -q "'paid'" ||
  fail "the view still names the old spelling"

# ---- a role that may not read definitions (pg_get_viewdef revoked): the drift is still reported,
# the SQL says the dependents were not read, and stderr says why.
make_db hardened "CREATE VIEW $S.v AS SELECT id FROM $TBL;
  CREATE ROLE weak LOGIN PASSWORD 'weak'; GRANT USAGE ON SCHEMA $S TO weak;
  REVOKE EXECUTE ON FUNCTION pg_catalog.pg_get_viewdef(oid) FROM PUBLIC;"
weak_dsn="host=127.0.0.1 port=$PGPORT dbname=hardened user=weak password=weak"
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/snapshot.toml" --dsn "$weak_dsn" --format sql
expect_contains "$OUT" "The objects that depend on the type were not read"
expect_contains "$ERR" "reading the dependents of a drifting type failed"
expect_contains "$ERR" "permission denied for function pg_get_viewdef"

# ---- refused: PostgreSQL cannot change the type under these; the SQL says so and runs nothing --
refused() {
  local db=$1 reason=$2
  schema_dump "$db" >"$WORK/$db.before"
  expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/snapshot.toml" --dsn "$(dsn_for "$db")" --format sql
  expect_contains "$OUT" "enumwatch cannot recreate"
  expect_contains "$OUT" "$reason"
  expect_not_contains "$OUT" "BEGIN;"
  psql_q -d "$db" -c "$OUT" >/dev/null 2>&1 || true  # comments only: nothing to run
  schema_dump "$db" >"$WORK/$db.after"
  diff -q "$WORK/$db.before" "$WORK/$db.after" >/dev/null || fail "$db: the refusal changed something"
  echo "ok: $db refused"
}
make_db partition_key "CREATE TABLE $S.\"By status\" (\"Status\" $T) PARTITION BY LIST (\"Status\");"
refused partition_key "partition key"
make_db typed_table "CREATE TYPE $S.\"Comp\" AS (s $T); CREATE TABLE $S.typed OF $S.\"Comp\";"
refused typed_table "depends on it"
make_db range "CREATE TYPE $S.\"Status range\" AS RANGE (subtype = $T);"
refused range "depends on it"
make_db generated "ALTER TABLE $TBL ADD COLUMN paid boolean GENERATED ALWAYS AS (\"Status\" = 'Paid') STORED;"
refused generated "generated column"

# ---- a dependent that names a value the snapshot drops: said up front, fails, changes nothing --
make_db names_dropped "UPDATE $TBL SET \"Status\" = 'new' WHERE \"Status\" = 'void';
  ALTER TABLE $TBL ADD CONSTRAINT \"no void\" CHECK (\"Status\" <> 'void');"
cat >"$WORK/drop_void.toml" <<'EOF'
[[enum]]
schema = "Shop ünï"
name = "Order \"Status\""
values = ["new", "Paid", "it's done"]
EOF
schema_dump names_dropped >"$WORK/names_dropped.before"
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/drop_void.toml" --dsn "$(dsn_for names_dropped)" --format sql
expect_contains "$OUT" "names 'void', which the snapshot drops"
echo "$OUT" >"$WORK/drop_void.sql"
psql_q -d names_dropped -f "$WORK/drop_void.sql" >/dev/null 2>&1 && fail "the recipe should fail"
schema_dump names_dropped >"$WORK/names_dropped.after"
diff -u "$WORK/names_dropped.before" "$WORK/names_dropped.after" || fail "the failed recipe changed things"

# ---- lock_timeout: another session holds a lock; the recipe gives up fast, changing nothing ----
make_db locked "CREATE VIEW $S.v AS SELECT * FROM $TBL WHERE \"Status\" = 'Paid';"
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/snapshot.toml" --dsn "$(dsn_for locked)" \
  --format sql --lock-timeout 300ms
echo "$OUT" >"$WORK/locked.sql"
expect_contains "$OUT" "SET LOCAL lock_timeout = '300ms';"
schema_dump locked >"$WORK/locked.before"
psql -X -d locked -c "BEGIN; LOCK TABLE $TBL IN ACCESS SHARE MODE; SELECT pg_sleep(20);" >/dev/null 2>&1 &
holder=$!
on_exit "kill $holder"
for _ in $(seq 50); do
  psql -X -At -d locked -c "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
    WHERE c.relname = 'Orders Tab' AND l.mode = 'AccessShareLock' AND l.pid <> pg_backend_pid()" |
    grep -qx 1 && break
  sleep 0.1
done
started=$(date +%s%N)
psql_q -d locked -f "$WORK/locked.sql" >/dev/null 2>"$WORK/locked.err" && fail "the recipe ran under a lock"
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
grep -q "lock timeout" "$WORK/locked.err" || fail "expected a lock timeout: $(cat "$WORK/locked.err")"
((elapsed_ms < 10000)) || fail "the recipe waited ${elapsed_ms} ms behind the lock"
kill "$holder" 2>/dev/null || true
schema_dump locked >"$WORK/locked.after"
diff -u "$WORK/locked.before" "$WORK/locked.after" || fail "the timed-out recipe changed things"

# ---- the self-check: a dependent the recipe fails to re-create rolls everything back ------------
make_db self_check "CREATE INDEX \"Live\" ON $TBL (id) WHERE \"Status\" <> 'void';
  CREATE VIEW $S.v AS SELECT id FROM $TBL WHERE \"Status\" = 'Paid';"
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/snapshot.toml" --dsn "$(dsn_for self_check)" --format sql
echo "$OUT" | grep -v '^CREATE INDEX "Live"' >"$WORK/self_check.sql"
schema_dump self_check >"$WORK/self_check.before"
psql_q -d self_check -f "$WORK/self_check.sql" >/dev/null 2>"$WORK/self_check.err" &&
  fail "a recipe that loses an index must not commit"
grep -q "enumwatch self-check: dependents missing or changed" "$WORK/self_check.err" ||
  fail "expected the self-check to fire: $(cat "$WORK/self_check.err")"
schema_dump self_check >"$WORK/self_check.after"
diff -u "$WORK/self_check.before" "$WORK/self_check.after" || fail "the rolled-back recipe changed things"

pass "12 dependent kinds kept, domains and composites recreated, 4 refused, dropped value / lock / self-check fail cleanly"
