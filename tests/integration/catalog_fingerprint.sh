#!/usr/bin/env bash
# The fingerprint a poll reads before deciding to read the whole catalog (schema_fingerprint.hpp):
# every change a full read would see changes what it is made of (the schemas' hashes and the
# migration revision), an unrelated change does not, and it is stable between sessions. Runs the
# daemon's own SQL (written out by catalog_sql_dump) in psql.
source "$(dirname "$0")/lib.sh"
: "${CATALOG_SQL_DUMP:?set CATALOG_SQL_DUMP to the catalog_sql_dump binary}"
pg_start
"$CATALOG_SQL_DUMP" "$WORK"
enum_database app mood happy sad
psql_q -d app -c "CREATE TABLE person (id int, m mood DEFAULT 'happy')" \
  -c "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)" \
  -c "INSERT INTO alembic_version VALUES ('r1')" \
  -c "CREATE TABLE unrelated (id int)"

# The schemas' hashes for every schema ($1, $2 = no include list, no exclusions).
sed "s/\\\$1::text\\[\\]/'{}'::text[]/g; s/\\\$2::text\\[\\]/'{}'::text[]/g" \
  "$WORK/schema_hashes.sql" >"$WORK/fp.sql"
schema_hashes() { psql -X -A -t -v ON_ERROR_STOP=1 -d app -F ' ' -f "$WORK/fp.sql"; }
# fingerprint: the schemas' hashes and the revision, as one SHA-256.
fingerprint() {
  { schema_hashes && psql -X -A -t -v ON_ERROR_STOP=1 -d app -f "$WORK/alembic_revision.sql"; } |
    sha256sum | cut -d' ' -f1
}

hashes=$(schema_hashes)
# One hash per part of the one schema (enum types, columns), and whether the trigger is installed
# (it is not; NULL prints as nothing).
[[ $(grep -c '^[euc] public [0-9a-f]\{64\}$' <<<"$hashes") == 2 ]] ||
  fail "want the enum types' and the columns' hashes of public, got: $hashes"
grep -qx -- '-  f' <<<"$hashes" || fail "no trigger row: $hashes"
before=$(fingerprint)
[[ $(fingerprint) == "$before" ]] || fail "two sessions disagree on an unchanged catalog"

# changes SQL WHAT: the fingerprint after SQL differs from the one before it.
changes() {
  local was
  was=$(fingerprint)
  psql_q -d app -c "$1"
  [[ $(fingerprint) != "$was" ]] || fail "the fingerprint missed: $2"
}
# unchanged SQL WHAT: the fingerprint after SQL is the one before it.
unchanged() {
  local was
  was=$(fingerprint)
  psql_q -d app -c "$1"
  [[ $(fingerprint) == "$was" ]] || fail "the fingerprint changed on: $2"
}

changes "ALTER TYPE mood ADD VALUE 'meh'" "an added value"
changes "ALTER TYPE mood RENAME VALUE 'meh' TO 'so_so'" "a renamed value"
changes "ALTER TYPE mood ADD VALUE 'ecstatic' BEFORE 'happy'" "a value added in front (order)"
changes "CREATE TYPE colour AS ENUM ('red', 'green')" "a new type"
changes "ALTER TABLE person ADD COLUMN favourite colour" "a new column using a type"
changes "ALTER TABLE person ADD COLUMN past colour[]" "an array column of a type"
changes "CREATE DOMAIN primary_colour AS colour; CREATE TABLE paint (c primary_colour)" \
  "a column of a domain over a type"
changes "ALTER TABLE person ALTER COLUMN m SET DEFAULT 'sad'" "a changed default"
changes "ALTER TABLE person ALTER COLUMN m DROP DEFAULT" "a dropped default"
changes "DROP TABLE paint; DROP DOMAIN primary_colour" "a dropped domain column"
changes "UPDATE alembic_version SET version_num = 'r2'" "a revision bump"
changes "DELETE FROM alembic_version" "an emptied migration table"
changes "ALTER TABLE person DROP COLUMN past, DROP COLUMN favourite; DROP TYPE colour" "a dropped type"
changes "ALTER TYPE mood RENAME TO feeling" "a renamed type"
changes "CREATE SCHEMA \"we\"\"ird
schema\"; CREATE TYPE \"we\"\"ird
schema\".\"it's\" AS ENUM ('a''b', 'c\"
d')" "a type whose names hold quotes and newlines"
changes "ALTER TYPE \"we\"\"ird
schema\".\"it's\" RENAME VALUE 'a''b' TO 'a''c'" "a renamed value full of quotes"
changes "ALTER TABLE unrelated ADD COLUMN channel text CONSTRAINT ch CHECK (channel IN ('web', 'store'))" \
  "a new CHECK-constraint enum"
changes "ALTER TABLE unrelated DROP CONSTRAINT ch, ADD CONSTRAINT ch CHECK (channel IN ('web', 'fax'))" \
  "a swapped CHECK constraint"
changes "ALTER TABLE unrelated ALTER COLUMN channel SET DEFAULT 'fax'" "a check column's default"
pass "every change a full read would see changes the fingerprint"

unchanged "INSERT INTO person VALUES (1, 'happy'), (2, 'sad')" "rows written"
unchanged "ALTER TABLE unrelated ADD COLUMN note text DEFAULT 'x'" "a column of another type"
unchanged "ALTER TABLE unrelated ADD COLUMN n int CHECK (n > 0)" "a CHECK on a number"
unchanged "CREATE INDEX ON person (m)" "an index on an enum column"
unchanged "BEGIN; ALTER TYPE feeling ADD VALUE 'rolled_back'; ROLLBACK" "a rolled-back change"
unchanged "CREATE TYPE pair AS (a int, b text)" "a composite type"
pass "rows, other tables, indexes and rolled-back changes leave it alone"
