#!/usr/bin/env bash
# `enumwatch check` and `config-check`: exit codes, JSON shape, target selection, migration
# revisions, password files, and errors that name file and line.
source "$(dirname "$0")/lib.sh"
pg_start
for db in clean drifted; do
  enum_database "$db" order_status pending_payment paid cancelled refunded
  psql_q -d "$db" -c "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)" \
    -c "INSERT INTO alembic_version VALUES ('4f2a9c1')"
done
psql_q -d drifted -c "ALTER TYPE order_status RENAME VALUE 'pending_payment' TO 'PendingPayment'"
echo secret-pw >"$WORK/pg.pass"
chmod 600 "$WORK/pg.pass"
mkdir -p "$WORK/snapshots" "$WORK/state"
cat >"$WORK/snapshots/orders-app.toml" <<'TOML'
[snapshot]
revision = "4f2a9c1"

[[enum]]
name = "order_status"
values = ["pending_payment", "paid", "cancelled", "refunded"]
TOML
cat >"$WORK/enumwatch.toml" <<TOML
[daemon]
state_dir = "$WORK/state"

[defaults]
timeout = "5s"
migration_table = "alembic_version"

$(snapshot_section orders-app snapshots/orders-app.toml)

[[target]]
name = "clean"
dsn = "host=127.0.0.1 port=$PGPORT dbname=clean user=postgres"
password_file = "$WORK/pg.pass"
snapshots = ["orders-app"]

[[target]]
name = "drifted"
dsn = "postgresql://postgres:secret-pw@localhost:$PGPORT/drifted"
snapshots = ["orders-app"]
TOML
# enumwatch runs without PGPASSWORD: the password file and the URI must be what authenticates.
ew() { env -u PGPASSWORD "$ENUMWATCH" "$@"; }

expect_exit 0 ew config-check --config "$WORK/enumwatch.toml"
expect_exit 0 ew check --config "$WORK/enumwatch.toml" --target clean
expect_contains "$OUT" "clean"
expect_contains "$OUT" "no drift"

expect_exit 1 ew check --config "$WORK/enumwatch.toml" --format json
expect_not_contains "$OUT" "secret-pw"
echo "$OUT" | python3 -c '
import json, sys
targets = {t["name"]: t for t in json.load(sys.stdin)["targets"]}
assert set(targets) == {"clean", "drifted"}, targets
for t in targets.values():
    assert set(t) >= {"name", "up", "error", "polled_at", "migration_revision", "drift"}, t
    assert t["up"] is True and t["error"] is None and t["migration_revision"] == "4f2a9c1", t
assert targets["clean"]["drift"] == []
kinds = [i["kind"] for i in targets["drifted"]["drift"]]
assert "case_mismatch" in kinds and "naming_violation" in kinds, kinds
' || fail "check JSON is not as expected"

# ENUMWATCH_CONFIG stands in for --config.
ENUMWATCH_CONFIG=$WORK/enumwatch.toml expect_exit 1 ew check --target drifted
expect_contains "$OUT" "case_mismatch"
expect_exit 2 ew check --config "$WORK/enumwatch.toml" --target nope
expect_contains "$ERR" 'no target named "nope"'

# The database moves to a new migration revision: revision_mismatch against the snapshot.
psql_q -d clean -c "UPDATE alembic_version SET version_num = 'b7e1d00'"
expect_exit 1 ew check --config "$WORK/enumwatch.toml" --target clean
expect_contains "$OUT" "revision_mismatch"
expect_contains "$OUT" "b7e1d00"

# A migration table that does not exist is a clear error for that target, exit 2.
sed -i 's/migration_table = "alembic_version"/migration_table = "flyway_history"/' "$WORK/enumwatch.toml"
expect_exit 2 ew check --config "$WORK/enumwatch.toml" --target clean
expect_contains "$OUT" 'reading migration_table "flyway_history" failed'
expect_contains "$OUT" "set migration_table"

# Bad configs and bad snapshots: exit 2, one line naming file, line and what is wrong.
printf '[daemon]\nlisten = "127.0.0.1:9747"\nlisten_port = 1\n' >"$WORK/bad.toml"
expect_exit 2 ew config-check --config "$WORK/bad.toml"
[[ $ERR == "enumwatch: $WORK/bad.toml:3:1: unknown key daemon.listen_port"* ]] || fail "bad config message: $ERR"
[[ $(echo "$ERR" | wc -l) -eq 1 ]] || fail "error is not one line"
write_enum_snapshot "$WORK/snapshots/orders-app.toml" order_status a a
expect_exit 2 ew config-check --config "$WORK/enumwatch.toml"
expect_contains "$ERR" "orders-app.toml:3:"
expect_contains "$ERR" 'duplicate value "a"'
expect_exit 2 ew check --config "$WORK/enumwatch.toml"
expect_exit 2 ew check --config "$WORK/missing.toml"
expect_contains "$ERR" "missing.toml: cannot read config"

# help and version
expect_exit 0 ew --version
expect_contains "$OUT" "enumwatch "
expect_exit 0 ew help diff
expect_contains "$OUT" "--against"
expect_contains "$OUT" "--dsn-file"
expect_contains "$OUT" "visible to"  # --help says why a password does not belong in --dsn
expect_exit 2 ew diff --snapshot x.toml --dsn "dbname=x" --against y.toml
expect_contains "$ERR" "excludes"

# --dsn-file and PG* variables instead of a password on the command line.
write_enum_snapshot "$WORK/ok.toml" order_status pending_payment paid cancelled refunded
dsn_for clean >"$WORK/dsn"
chmod 600 "$WORK/dsn"
expect_exit 0 ew diff --snapshot "$WORK/ok.toml" --dsn-file "$WORK/dsn" --schema public
PGDATABASE=clean expect_exit 0 "$ENUMWATCH" snapshot --schema public  # PGHOST, PGPORT, PGPASSWORD … from lib.sh
expect_contains "$OUT" 'name = "order_status"'
pass
