#!/usr/bin/env bash
# Each drift kind produced by real DDL is reported, and the SQL that `diff --format sql` prints,
# applied with psql, removes it. Removals never lose data: with rows holding a dropped value the
# recipe fails and changes nothing.
source "$(dirname "$0")/lib.sh"
pg_start
psql_q -c "CREATE DATABASE shop"
DSN=$(dsn_for shop)
psql_q -d shop <<'SQL'
CREATE SCHEMA "Odd Schema";
CREATE TYPE public.order_status AS ENUM ('pending_payment', 'paid', 'cancelled', 'refunded');
CREATE TYPE "Odd Schema"."Mood" AS ENUM ('happy', 'it''s complicated', 'sad');
CREATE TYPE public.color AS ENUM ('red', 'green', 'blue');
CREATE TABLE public.orders (id serial, status public.order_status NOT NULL DEFAULT 'paid',
                            history public.order_status[] DEFAULT '{paid}', mood "Odd Schema"."Mood");
INSERT INTO public.orders (status, history, mood)
  VALUES ('paid', '{pending_payment,paid}', 'happy'), ('refunded', '{paid,refunded}', 'it''s complicated');
CREATE TABLE public.paints (c public.color DEFAULT 'green');
INSERT INTO public.paints VALUES ('red'), ('blue');
CREATE TYPE public.stage AS ENUM ('a', 'd');
SQL
expect_exit 0 "$ENUMWATCH" snapshot --dsn "$DSN" --output "$WORK/good.toml"

kinds_of() { python3 -c 'import json,sys; print(" ".join(sorted(i["kind"] for i in json.load(sys.stdin)["drift"])))'; }

# expect_kinds SNAPSHOT "kind kind...": diff reports exactly these kinds.
expect_kinds() {
  expect_exit 1 "$ENUMWATCH" diff --snapshot "$1" --dsn "$DSN" --format json
  local got
  got=$(echo "$OUT" | kinds_of)
  [[ $got == "$2" ]] || fail "expected kinds '$2', got '$got'"
}

# remediate SNAPSHOT: apply the printed SQL, then the diff must be clean.
remediate() {
  expect_exit 1 "$ENUMWATCH" diff --snapshot "$1" --dsn "$DSN" --format sql
  echo "$OUT" >"$WORK/fix.sql"
  psql_q -d shop -f "$WORK/fix.sql" >/dev/null || fail "remediation SQL failed: $(cat "$WORK/fix.sql")"
  expect_exit 0 "$ENUMWATCH" diff --snapshot "$1" --dsn "$DSN"
}

rows() { psql -X -At -d shop -c "$1"; }

# --- missing_value: the code has values the database lacks, in the middle and at the end.
sed 's/^values = \["a", "d"\]$/values = ["a", "b", "c", "d", "e"]/' "$WORK/good.toml" >"$WORK/missing.toml"
expect_kinds "$WORK/missing.toml" "missing_value missing_value missing_value"
remediate "$WORK/missing.toml"
[[ $(rows "SELECT enum_range(NULL::public.stage)") == "{a,b,c,d,e}" ]] || fail "ADD VALUE order is wrong"
expect_exit 0 "$ENUMWATCH" snapshot --dsn "$DSN" --output "$WORK/good.toml"

# --- case_mismatch: the post-mortem's PascalCase code against snake_case values.
sed 's/"pending_payment"/"PendingPayment"/' "$WORK/good.toml" >"$WORK/pascal.toml"
expect_kinds "$WORK/pascal.toml" "case_mismatch"
echo "$OUT" | grep -q '"expected":"PendingPayment","actual":"pending_payment"' || fail "case_mismatch sides: $OUT"
remediate "$WORK/pascal.toml"
[[ $(rows "SELECT history[1] FROM orders ORDER BY id LIMIT 1") == "PendingPayment" ]] || fail "rename lost the row value"
psql_q -d shop -c "ALTER TYPE public.order_status RENAME VALUE 'PendingPayment' TO 'pending_payment'"

# --- a value renamed by DDL in the database shows as missing + unexpected when spellings differ.
psql_q -d shop -c "ALTER TYPE public.color RENAME VALUE 'blue' TO 'azure'"
expect_kinds "$WORK/good.toml" "missing_value unexpected_value"
# Rows still hold 'azure': the recipe must fail and change nothing.
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/good.toml" --dsn "$DSN" --format sql
echo "$OUT" >"$WORK/unsafe.sql"
expect_contains "$OUT" "Rewrites under an ACCESS EXCLUSIVE lock"
psql -X -q -d shop -f "$WORK/unsafe.sql" >/dev/null 2>&1 || true
[[ $(rows "SELECT string_agg(c::text, ',' ORDER BY c) FROM paints") == "red,azure" ]] || fail "data changed"
[[ $(rows "SELECT enum_range(NULL::public.color)") == "{red,green,azure}" ]] || fail "type changed"
# Once no row holds it, the same recipe succeeds and keeps the column default.
psql_q -d shop -c "UPDATE paints SET c = 'red' WHERE c = 'azure'"
remediate "$WORK/good.toml"
[[ $(rows "SELECT enum_range(NULL::public.color)") == "{red,green,blue}" ]] || fail "color not recreated"
[[ $(rows "SELECT column_default FROM information_schema.columns WHERE table_name='paints'") == *"'green'"* ]] ||
  fail "default lost"

# --- unexpected_value added by DDL, in a quoted schema with quoted names.
psql_q -d shop -c "ALTER TYPE \"Odd Schema\".\"Mood\" ADD VALUE 'meh' AFTER 'happy'"
expect_kinds "$WORK/good.toml" "unexpected_value"
remediate "$WORK/good.toml"
[[ $(rows "SELECT mood FROM orders ORDER BY id") == $'happy\nit\'s complicated' ]] || fail "mood rows changed"

# --- order_mismatch: recreate keeps every row, array and default.
psql_q -d shop <<'SQL'
ALTER TABLE orders DROP COLUMN status, DROP COLUMN history;
DROP TYPE public.order_status;
CREATE TYPE public.order_status AS ENUM ('paid', 'pending_payment', 'cancelled', 'refunded');
ALTER TABLE orders ADD COLUMN status public.order_status NOT NULL DEFAULT 'paid',
                   ADD COLUMN history public.order_status[] DEFAULT '{paid}';
UPDATE orders SET status = 'refunded', history = '{pending_payment,refunded}' WHERE id = 2;
SQL
expect_kinds "$WORK/good.toml" "order_mismatch"
remediate "$WORK/good.toml"
[[ $(rows "SELECT status || ' ' || history::text FROM orders ORDER BY id") == $'paid {paid}\nrefunded {pending_payment,refunded}' ]] ||
  fail "order recreate changed rows: $(rows "SELECT status, history FROM orders")"
[[ $(rows "SELECT enum_range(NULL::public.order_status)") == "{pending_payment,paid,cancelled,refunded}" ]] ||
  fail "order not fixed"

# --- missing_type: DROP TYPE in the database.
psql_q -d shop -c "DROP TYPE public.stage"
expect_kinds "$WORK/good.toml" "missing_type"
remediate "$WORK/good.toml"

# --- unexpected_type: a type no snapshot names; DROP TYPE is refused while a column uses it.
psql_q -d shop -c "CREATE TYPE public.leftover AS ENUM ('x')"
expect_kinds "$WORK/good.toml" "unexpected_type"
remediate "$WORK/good.toml"
pass
