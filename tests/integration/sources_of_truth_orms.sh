#!/usr/bin/env bash
# The TypeScript and Go readers against what real ORMs create on a real PostgreSQL
# (docs/source-of-truth.md, "TypeScript and Go"): a Drizzle schema migrated by drizzle-kit, TypeORM
# entities synchronised by TypeORM, a Prisma schema with the SQL of its migration, and sqlc's
# schema with its generated Go. The snapshot each reader writes from the code diffs clean against
# the database the ORM made; the post-mortem's mistake seeded into the code (PendingPayment
# where the database spells pending_payment) is caught as case_mismatch.
#
# Prisma's migration engine is a binary that `prisma` downloads at install time, which this build
# may not do: the fixture commits the migration.sql that `prisma migrate dev` writes for its schema
# (CreateEnum, CreateTable, in Prisma's own layout), and the test applies it with psql. sqlc is not
# packaged either: its generated code is committed beside the schema it was generated from.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
APP=$ROOT/tests/fixtures/ts-app
[[ -d $APP/node_modules/drizzle-kit && -d $APP/node_modules/typeorm ]] ||
  fail "tests/fixtures/ts-app has no node_modules: scripts/test runs npm ci there"
JS=$ROOT/tools/enumwatch-js/enumwatch-js
GO=$ROOT/tools/enumwatch-go/enumwatch-go
pg_start
for db in drizzle typeorm prisma sqlc; do psql_q -c "CREATE DATABASE $db"; done
psql_q -c "CREATE ROLE monitor LOGIN PASSWORD 'monitor-pw'"
url() { echo "postgresql://$PGUSER:$PGPASSWORD@127.0.0.1:$PGPORT/$1"; }
monitor() { echo "host=127.0.0.1 port=$PGPORT dbname=$1 user=monitor password=monitor-pw"; }

# clean_against DB SNAPSHOT WHAT: enumwatch diff finds nothing.
clean_against() {
  expect_exit 0 "$ENUMWATCH" diff --snapshot "$2" --dsn "$(monitor "$1")" --format json
}
# case_mismatch_against DB SNAPSHOT VALUE: diff finds VALUE as the database's pending_payment.
case_mismatch_against() {
  expect_exit 1 "$ENUMWATCH" diff --snapshot "$2" --dsn "$(monitor "$1")" --format json
  python3 - "$OUT" "$3" <<'PY'
import json, sys
items = json.loads(sys.argv[1])["drift"]
hits = [i for i in items if i["kind"] == "case_mismatch" and i["enum"] == "order_status"]
assert hits and hits[0]["expected"] == sys.argv[2] and hits[0]["actual"] == "pending_payment", items
# A column that defaults to the database's spelling says so too: nothing else differs.
assert all(i["kind"] in ("case_mismatch", "default_mismatch") for i in items), items
PY
}
# A copy of a project with one spelling replaced, in $WORK/NAME.
seeded_copy() {  # SOURCE NAME FROM TO
  cp -r "$1" "$WORK/$2"
  rm -rf "$WORK/$2/node_modules"
  grep -rlF -- "$3" "$WORK/$2" | xargs sed -i "s/$3/$4/"
}

# ---- Drizzle: drizzle-kit generate, then drizzle-kit migrate -------------------------------
(
  cd "$APP"
  DRIZZLE_OUT=$WORK/drizzle-migrations DATABASE_URL=$(url drizzle) \
    node_modules/.bin/drizzle-kit generate --config drizzle/drizzle.config.ts >"$WORK/drizzle.log" 2>&1 &&
    DRIZZLE_OUT=$WORK/drizzle-migrations DATABASE_URL=$(url drizzle) \
      node_modules/.bin/drizzle-kit migrate --config drizzle/drizzle.config.ts >>"$WORK/drizzle.log" 2>&1
) || fail "drizzle-kit: $(tail -n 20 "$WORK/drizzle.log")"
grep -q 'CREATE TYPE "billing"."currency"' "$WORK"/drizzle-migrations/*.sql || fail "drizzle-kit wrote no enum"
psql_q -d drizzle -c "GRANT USAGE ON SCHEMA billing TO monitor"
"$JS" snapshot --project "$APP/drizzle" --output "$WORK/drizzle.toml" 2>"$WORK/js.err" || fail "enumwatch-js: $(cat "$WORK/js.err")"
clean_against drizzle "$WORK/drizzle.toml"
seeded_copy "$APP/drizzle" drizzle-seeded '"pending_payment", "paid"' '"PendingPayment", "paid"'
"$JS" snapshot --project "$WORK/drizzle-seeded" --output "$WORK/drizzle-seeded.toml" 2>/dev/null
case_mismatch_against drizzle "$WORK/drizzle-seeded.toml" PendingPayment
pass "Drizzle: drizzle-kit's migration diffs clean; a PascalCase value in pgEnum is case_mismatch"

# ---- TypeORM: synchronize ------------------------------------------------------------------
(
  cd "$APP"
  node_modules/.bin/tsc -p typeorm/tsconfig.json --outDir "$WORK/typeorm-dist" >"$WORK/typeorm.log" 2>&1 &&
    NODE_PATH=$APP/node_modules DATABASE_URL=$(url typeorm) node "$WORK/typeorm-dist/synchronize.js" >>"$WORK/typeorm.log" 2>&1
) || fail "TypeORM: $(tail -n 20 "$WORK/typeorm.log")"
[[ $(psql -X -At -d typeorm -c "SELECT count(*) FROM pg_type WHERE typname IN ('order_status', 'channel') AND typtype = 'e'") == 2 ]] ||
  fail "TypeORM created no enum types"
"$JS" snapshot --project "$APP/typeorm" --output "$WORK/typeorm.toml" 2>"$WORK/js.err" || fail "enumwatch-js: $(cat "$WORK/js.err")"
clean_against typeorm "$WORK/typeorm.toml"
seeded_copy "$APP/typeorm" typeorm-seeded 'PendingPayment = "pending_payment"' 'PendingPayment = "PendingPayment"'
"$JS" snapshot --project "$WORK/typeorm-seeded" --output "$WORK/typeorm-seeded.toml" 2>/dev/null
case_mismatch_against typeorm "$WORK/typeorm-seeded.toml" PendingPayment
pass "TypeORM: synchronize's types diff clean; an enum member's PascalCase value is case_mismatch"

# ---- Prisma: the migration SQL Prisma writes for the schema --------------------------------
psql_q -d prisma -f "$APP/prisma/prisma/migrations/20260101000000_init/migration.sql"
"$JS" snapshot --project "$APP/prisma" --output "$WORK/prisma.toml" 2>"$WORK/js.err" || fail "enumwatch-js: $(cat "$WORK/js.err")"
clean_against prisma "$WORK/prisma.toml"
# The post-mortem: @map forgotten on one value, so Prisma writes the member's name.
seeded_copy "$APP/prisma" prisma-seeded 'PendingPayment @map("pending_payment")' 'PendingPayment'
rm -rf "$WORK/prisma-seeded/prisma/migrations"  # the migrations would name the trap themselves
"$JS" snapshot --project "$WORK/prisma-seeded" --output "$WORK/prisma-seeded.toml" 2>/dev/null
case_mismatch_against prisma "$WORK/prisma-seeded.toml" PendingPayment
pass "Prisma: its migration's types diff clean; @map forgotten on a value is case_mismatch"

# ---- Go: sqlc's schema in the database, its generated code read -----------------------------
SHOP=$ROOT/tools/enumwatch-go/testdata/cases/sqlc-shop
psql_q -d sqlc -f "$SHOP/db/migrations/0001_init.up.sql"
# 0002 is a goose file: its Up section is the migration (goose runs the Down section on rollback).
sed '/^-- +goose Down/,$d' "$SHOP/db/migrations/0002_refunds.sql" | psql_q -d sqlc
psql_q -d sqlc -c "GRANT USAGE ON SCHEMA billing, risk TO monitor"
"$GO" snapshot --project "$SHOP" --output "$WORK/sqlc.toml" 2>"$WORK/go.err" || fail "enumwatch-go: $(cat "$WORK/go.err")"
clean_against sqlc "$WORK/sqlc.toml"
SPELLING=$ROOT/tools/enumwatch-go/testdata/cases/sqlc-spelling
psql_q -c "CREATE DATABASE sqlc_spelling"
psql_q -d sqlc_spelling -f "$SPELLING/db/schema.sql"
"$GO" snapshot --project "$SPELLING" --output "$WORK/spelling.toml" 2>"$WORK/go.err" || true
[[ -s $WORK/spelling.toml ]] || fail "enumwatch-go wrote nothing: $(cat "$WORK/go.err")"
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/spelling.toml" --dsn "$(monitor sqlc_spelling)" --format json
python3 - "$OUT" <<'PY'
import json, sys
items = json.loads(sys.argv[1])["drift"]
hits = [i for i in items if i["kind"] == "case_mismatch" and i["enum"] == "order_status"]
assert hits and hits[0]["expected"] == "PendingPayment" and hits[0]["actual"] == "pending_payment", items
PY
pass "Go: sqlc's schema diffs clean against its generated code; a hand-edited PascalCase constant is case_mismatch"
