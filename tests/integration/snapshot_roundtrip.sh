#!/usr/bin/env bash
# Capturing a snapshot from a database full of awkward names and diffing it back finds no drift.
source "$(dirname "$0")/lib.sh"
pg_start
psql_q -c "CREATE DATABASE awkward"
long_value=$(printf 'v%.0s' {1..63})
psql_q -d awkward <<SQL
CREATE SCHEMA "Sales Team";
CREATE SCHEMA app;
CREATE TYPE public.status AS ENUM ('new', 'done');
CREATE TYPE app.status AS ENUM ('x', 'y');
CREATE TYPE "Sales Team"."Deal ""Stage""" AS ENUM ('it''s open', 'Won Big', 'perdu à jamais', 'back\slash', '$long_value');
CREATE TYPE public.priority AS ENUM ('low', 'high');
ALTER TYPE public.priority ADD VALUE 'medium' BEFORE 'high';
ALTER TYPE public.priority ADD VALUE 'lowest' BEFORE 'low';
CREATE DOMAIN public.status_d AS public.status;
CREATE TABLE public.tickets (id int, status public.status DEFAULT 'new', history public.status[], s2 public.status_d);
CREATE TABLE "Sales Team".deals (stage "Sales Team"."Deal ""Stage""");
-- A type that belongs to an extension (pg_depend deptype 'e') is not the application's.
CREATE TYPE public.extension_owned AS ENUM ('x');
ALTER EXTENSION plpgsql ADD TYPE public.extension_owned;
SQL
DSN=$(dsn_for awkward)

expect_exit 0 "$ENUMWATCH" snapshot --dsn "$DSN" --output "$WORK/snap.toml" --revision abc123
snap=$(cat "$WORK/snap.toml")
expect_contains "$snap" 'revision = "abc123"'
expect_contains "$snap" 'name = "Deal \"Stage\""'
expect_contains "$snap" '"it'"'"'s open", "Won Big", "perdu à jamais", "back\\slash", "'"$long_value"'"'
# Values added with BEFORE have fractional sort orders; they come out in the type's order.
expect_contains "$snap" 'values = ["lowest", "low", "medium", "high"]'
expect_contains "$snap" 'schema = "app"'
expect_not_contains "$snap" "secret-pw"
expect_not_contains "$snap" "extension_owned"

expect_exit 0 "$ENUMWATCH" diff --snapshot "$WORK/snap.toml" --dsn "$DSN"
expect_contains "$OUT" "no drift"

# The JSON form round-trips too, and JSON diff output is {"drift": []}.
expect_exit 0 "$ENUMWATCH" snapshot --dsn "$DSN" --format json --output "$WORK/snap.json"
expect_exit 0 "$ENUMWATCH" diff --snapshot "$WORK/snap.json" --dsn "$DSN" --format json
[[ $OUT == '{"drift":[]}' ]] || fail "unexpected JSON: $OUT"
expect_exit 0 "$ENUMWATCH" diff --snapshot "$WORK/snap.toml" --against "$WORK/snap.json"

# --schema limits the capture.
expect_exit 0 "$ENUMWATCH" snapshot --dsn "$DSN" --schema app
expect_contains "$OUT" 'schema = "app"'
expect_not_contains "$OUT" 'schema = "public"'

# used_by lists direct, array and domain columns of a drifting type.
sed 's/"new", "done"/"new", "done", "archived"/' "$WORK/snap.toml" >"$WORK/more.toml"
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/more.toml" --dsn "$DSN" --format json
echo "$OUT" | python3 -c '
import json, sys
items = json.load(sys.stdin)["drift"]
assert len(items) == 1, items
item = items[0]
assert item["kind"] == "missing_value" and item["expected"] == "archived" and item["actual"] is None, item
assert item["schema"] == "public" and item["enum"] == "status", item
assert sorted(item["used_by"]) == ["public.tickets.history", "public.tickets.s2", "public.tickets.status"], item
assert set(item) == {"target","snapshot","schema","enum","kind","severity","expected","actual","message",
                     "remediation_sql","code_fix","used_by","table","column","impact","changed_by",
                     "migrating"}, item
assert item["changed_by"] is None, item  # no trigger, no log
assert item["migrating"] is False, item  # a one-shot diff holds nothing back
assert item["table"] is None and item["column"] is None, item
assert [(i["value"], i["rows"]) for i in item["impact"]] == [("archived", 0)], item
' || fail "diff JSON is not as expected"
pass
