#!/usr/bin/env bash
# Migration awareness: the daemon re-reads the migration table between polls, polls at once when
# the revision changes (drift shows up in seconds although the interval is ten minutes), names the
# migration in the drift message, exports the revision, and reads Flyway and schema_migrations
# tables as well as Alembic's.
source "$(dirname "$0")/lib.sh"
pg_start
enum_database orders order_status pending_payment paid
psql_q -c "CREATE DATABASE flyway" -c "CREATE DATABASE rails"
psql_q -d orders -c "CREATE TABLE orders (id int, status order_status)" \
  -c "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)" \
  -c "INSERT INTO alembic_version VALUES ('r1')"
# Flyway: the latest *successful versioned* migration counts; repeatables and failures do not.
psql_q -d flyway -c "CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY,
    version varchar(50), description varchar(200), success boolean NOT NULL)" \
  -c "INSERT INTO flyway_schema_history VALUES (1, '1', 'init', true), (2, '1.1', 'add', true),
      (3, NULL, 'views', true), (4, '1.2', 'broken', false)"
# Rails: one row per applied migration; the greatest is the schema's version.
psql_q -d rails -c "CREATE TABLE schema_migrations (version varchar PRIMARY KEY)" \
  -c "INSERT INTO schema_migrations VALUES ('20240101000000'), ('20250301120000'), ('20241231235959')"
write_enum_snapshot "$WORK/orders.toml" order_status pending_payment paid
printf '[snapshot]\nrevision = "1.1"\n' >"$WORK/empty.toml"

daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "10m"
timeout = "3s"
revision_check_interval = "300ms"
$(snapshot_section orders-app orders.toml)
$(snapshot_section empty empty.toml)
$(target_section orders orders orders-app)
migration_table = "alembic_version"
$(target_section flyway flyway empty)
migration_table = "flyway_schema_history"
$(target_section rails rails empty)
migration_table = "public.schema_migrations"
TOML
expect_exit 0 "$ENUMWATCH" config-check --config "$WORK/enumwatch.toml"
start_daemon_ready "$WORK/enumwatch.toml" 10
[[ $(metric 'enumwatch_migration_revision_info{revision="r1",target="orders"}') == 1 ]] || fail "alembic revision"
[[ $(metric 'enumwatch_migration_revision_info{revision="1.1",target="flyway"}') == 1 ]] || fail "flyway revision"
[[ $(metric 'enumwatch_migration_revision_info{revision="20250301120000",target="rails"}') == 1 ]] ||
  fail "schema_migrations revision"
status=$(curl -sf "$BASE/api/v1/targets/flyway")
expect_contains "$status" '"drift":[]' "flyway at the snapshot's revision"
expect_contains "$(curl -sf "$BASE/api/v1/targets/rails")" '"kind":"revision_mismatch"' "rails status"
pass "Alembic, Flyway and schema_migrations revisions are read"

# A migration: adds a value the code does not know and records the new revision. With a 10-minute
# interval, only the revision check can make the daemon see it now.
polls_before=$(metric 'enumwatch_polls_total{outcome="ok",target="orders"}')
psql_q -d orders -c "ALTER TYPE order_status ADD VALUE 'refunded'" \
  -c "UPDATE alembic_version SET version_num = 'r2'"
wait_for 5 "revision r2 exported" metric_is 'enumwatch_migration_revision_info{revision="r2",target="orders"}' 1
[[ -z $(metric 'enumwatch_migration_revision_info{revision="r1",target="orders"}') ]] || fail "stale r1 series"
status=$(curl -sf "$BASE/api/v1/targets/orders")
expect_contains "$status" '"kind":"unexpected_value"' "orders status"
expect_contains "$status" "(appeared after migration to revision r2)" "orders drift message"
daemon_log_has "target orders: migration revision changed from r1 to r2; polling now" ||
  fail "the log does not say why it polled"
polls_after=$(metric 'enumwatch_polls_total{outcome="ok",target="orders"}')
python3 -c "import sys; sys.exit(0 if float('$polls_after') - float('$polls_before') < 3 else 1)" ||
  fail "revision checks must not be full polls ($polls_before -> $polls_after)"
pass "a new revision triggers an immediate poll and is named in the drift message"

# One-shot check reads the same formats.
cat >"$WORK/check.toml" <<TOML
$(snapshot_section empty empty.toml)
$(target_section flyway flyway empty)
migration_table = "flyway_schema_history"
TOML
expect_exit 0 "$ENUMWATCH" check --config "$WORK/check.toml" --format json
expect_contains "$OUT" '"migration_revision":"1.1"'
# The wrong tool for a table is a clear error that says what to set.
printf 'migration_tool = "alembic"\n' >>"$WORK/check.toml"
expect_exit 2 "$ENUMWATCH" check --config "$WORK/check.toml"
expect_contains "$OUT$ERR" 'reading migration_table "flyway_schema_history" failed (migration_tool alembic)'
expect_contains "$OUT$ERR" "migration_tool"
pass "check reads Flyway tables and explains a wrong migration_tool"
