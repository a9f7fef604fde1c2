#!/usr/bin/env bash
# Migrations in flight (docs/migration-locks.md): while a migration tool holds its lock on the
# database, drift that appears is held as migrating (`"migrating": true`, the gauge
# enumwatch_migration_in_progress at 1, a line on the page) and no alert fires; the target is
# polled at once when the lock goes away, and the end state is judged; a lock held past
# migration_grace releases the alert and the page says the migration seems stuck.
#
# Sqitch is the real tool (Debian's sqitch): a deploy of three changes, the second adding an enum
# value and the third, held open by the test, while which the code's snapshot is registered anew.
# Flyway, golang-migrate, Atlas and Liquibase are not packaged: a test session takes each one's
# lock exactly as the tool does (the same function and key, or Liquibase's UPDATE of its table).
source "$(dirname "$0")/lib.sh"
command -v sqitch >/dev/null || fail "sqitch is not installed (scripts/test installs it)"
pg_start
psql_q -c "CREATE DATABASE app" -c "CREATE ROLE monitor LOGIN PASSWORD 'monitor-pw'" \
  -c "CREATE ROLE deploy LOGIN PASSWORD 'deploy-pw'"
psql_q -d app <<'SQL'
GRANT CREATE ON DATABASE app TO deploy;
GRANT CREATE ON SCHEMA public TO deploy;
SET ROLE deploy;
CREATE TYPE public.order_status AS ENUM ('new', 'paid');
CREATE SCHEMA fly;
CREATE TYPE fly.state AS ENUM ('a');
CREATE SCHEMA gm;
CREATE TYPE gm.state AS ENUM ('a');
CREATE SCHEMA atl;
CREATE TYPE atl.state AS ENUM ('a');
CREATE SCHEMA lb;
CREATE TYPE lb.state AS ENUM ('a');
-- Liquibase's lock table, as CreateDatabaseChangeLogLockTableGenerator makes it, with its one row.
CREATE TABLE lb.databasechangeloglock (id int PRIMARY KEY, locked boolean NOT NULL,
  lockgranted timestamp, lockedby varchar(255));
INSERT INTO lb.databasechangeloglock VALUES (1, false, NULL, NULL);
GRANT USAGE ON SCHEMA fly, gm, atl, lb TO monitor;
GRANT SELECT ON lb.databasechangeloglock TO monitor;
SQL
"$ENUMWATCH" install-trigger --dsn "$(dsn_for app)" --monitoring-role monitor >/dev/null
MONITOR="host=127.0.0.1 port=$PGPORT dbname=app user=monitor password=monitor-pw"
DEPLOY_URI="db:pg://deploy:deploy-pw@127.0.0.1:$PGPORT/app"

write_token "$WORK/api.token" "in-flight-token-0123456789"
start_webhook_receiver
daemon_port
write_enum_snapshot "$WORK/app-v1.toml" order_status new paid
write_enum_snapshot "$WORK/app-v2.toml" order_status new paid chargeback
for s in fly gm atl lb; do printf '[[enum]]\nschema = "%s"\nname = "state"\nvalues = ["a"]\n' "$s" >"$WORK/$s.toml"; done
# A long interval: every poll after the first is one that something asked for (a notification,
# the API, a released lock, a passed grace). Each emulated tool has a target of its own schema,
# and polls when the test asks (notify off), so that a notification cannot land between two of
# Flyway's migrations.
{
  daemon_section
  cat <<TOML
api_token_file = "api.token"
[defaults]
interval = "1h"
interval_listening = "1h"
drift_for = "0s"
naming = "none"
$(snapshot_section app)
$(snapshot_section fly fly.toml)
$(snapshot_section gm gm.toml)
$(snapshot_section atl atl.toml)
$(snapshot_section lb lb.toml)
[[target]]
name = "app"
dsn = "$MONITOR"
snapshots = ["app"]
schemas = ["public"]
[[target]]
name = "app-grace"
dsn = "$MONITOR"
snapshots = ["app"]
schemas = ["public"]
migration_grace = "2s"
[[target]]
name = "app-off"
dsn = "$MONITOR"
snapshots = ["app"]
schemas = ["public"]
migration_lock = "off"
TOML
  for s in fly gm atl lb; do
    printf '[[target]]\nname = "%s"\ndsn = "%s"\nsnapshots = ["%s"]\nschemas = ["%s"]\nnotify = "off"\n' "$s" "$MONITOR" "$s" "$s"
  done
  printf '[alerting]\nwebhook_urls = ["http://127.0.0.1:%s/hook"]\nresend_interval = "1s"\n' "$HOOK_PORT"
} >"$WORK/enumwatch.toml"
start_daemon "$WORK/enumwatch.toml"
register() {
  "$ENUMWATCH" register --url "$BASE" --snapshot app --file "$1" --token-file "$WORK/api.token" >/dev/null ||
    fail "registering $1"
}
register "$WORK/app-v1.toml"
wait_for 15 "every target polled" curl -sf "$BASE/readyz"
wait_for 10 "listening" metric_is 'enumwatch_notify_listening{target="app"}' 1
poll_now() { "$ENUMWATCH" poll --url "$BASE" --target "$1" --token-file "$WORK/api.token" >/dev/null || fail "poll $1"; }

# target_json NAME: the target as the API serves it. item FIELD... on stdin: one line per item.
target_json() { curl -sf "$BASE/api/v1/targets/$1"; }
items() { python3 -c '
import json, sys
t = json.load(sys.stdin)
for i in t["drift"]:
    print(i["kind"], i["schema"] + "." + i["enum"], i["expected"] or i["actual"], "migrating" if i["migrating"] else "judged")'; }
migration_of() { target_json "$1" | python3 -c '
import json, sys
m = json.load(sys.stdin)["migration_in_progress"]
print("none" if m is None else ",".join(m["tools"]) + (" stuck" if m["stuck"] else " held"))'; }
has_item() { target_json "$1" | items | grep -qx "$2"; }
# alerted TARGET ENUM: a firing alert for that target's enum reached the webhook.
alerted() {
  python3 - "$WORK/hooks.log" "$1" "$2" <<'PY'
import json, sys
path, target, enum = sys.argv[1:]
for line in open(path, encoding="utf-8"):
    body = json.loads(line.split(" ", 1)[1])
    for a in body["alerts"]:
        if a["status"] == "firing" and a["labels"]["target"] == target and a["labels"]["enum"] == enum:
            sys.exit(0)
sys.exit(1)
PY
}
touch "$WORK/hooks.log"
in_progress() { metric "enumwatch_migration_in_progress{target=\"$1\",tool=\"$2\"}"; }
[[ $(in_progress app sqitch) == 0 && $(in_progress app flyway) == 0 ]] || fail "the gauge is not at 0 before any migration"
[[ -z $(in_progress app-off sqitch) ]] || fail "migration_lock = \"off\" still exports the gauge"
pass "before any migration: every tool's gauge at 0 (none with migration_lock = \"off\")"

# ---- Sqitch, for real ------------------------------------------------------------------------
# A gate the test holds: the third change waits on it, so the deploy (and Sqitch's lock) lasts
# exactly as long as the test needs.
mkfifo "$WORK/gate.fifo"
psql -X -q -d app <"$WORK/gate.fifo" >/dev/null 2>&1 &
on_exit "kill $!"
exec 8>"$WORK/gate.fifo"
gate_close() { printf 'SELECT pg_advisory_lock(4242);\n' >&8; }
gate_open() { printf 'SELECT pg_advisory_unlock(4242);\n' >&8; }
gate_close
export SQITCH_USER_CONFIG=$WORK/sqitch-user.conf
mkdir "$WORK/sqitch"
cd "$WORK/sqitch"
sqitch --quiet init app --engine pg --target "$DEPLOY_URI"
sqitch --quiet config --user user.name "Deploy Bot"
sqitch --quiet config --user user.email "deploy@example.com"
add_change() {  # NAME SQL
  sqitch --quiet add "$1" -n "$1" >/dev/null
  printf 'BEGIN;\n%s\nCOMMIT;\n' "$2" >"deploy/$1.sql"
}
add_change orders_table "CREATE TABLE public.orders (id int, status public.order_status);"
add_change add_chargeback "ALTER TYPE public.order_status ADD VALUE 'chargeback';"
add_change backfill "SELECT pg_advisory_lock(4242); SELECT pg_advisory_unlock(4242);"
deploy_in_background() {
  sqitch deploy >"$WORK/sqitch-$1.log" 2>&1 &
  SQITCH_PID=$!
}
deploy_in_background 1
wait_for 15 "the mid-deploy drift, held" has_item app "unexpected_value public.order_status chargeback migrating"
[[ $(migration_of app) == "sqitch held" ]] || fail "app: migration_in_progress is $(migration_of app)"
[[ $(in_progress app sqitch) == 1 && $(in_progress app flyway) == 0 ]] || fail "the gauge does not name sqitch alone"
page=$(curl -sf "$BASE/targets/app")
expect_contains "$page" "migration in progress: sqitch holds its lock since"
expect_contains "$page" '<dd class="migrating">a migration is in flight: no alert until it ends</dd>'
# app-off's notified poll is its own round trip: it may land after app's (docs/fleet.md, "One
# round trip per database"), so it is waited for; held, it would show "migrating" and never alert.
wait_for 5 "app-off judging its drift (it does not look at locks)" \
  has_item app-off "unexpected_value public.order_status chargeback judged"
wait_for 5 "app-off's alert (it does not look at locks)" alerted app-off order_status
alerted app order_status && fail "an alert fired for app while Sqitch held its lock"
pass "Sqitch deploying: its value shows as migrating, the gauge and the page say so, no alert"

# The grace target gives up after 2 s: the alert fires though the lock is still held.
wait_for 10 "app-grace's alert after migration_grace" alerted app-grace order_status
[[ $(migration_of app-grace) == "sqitch stuck" ]] || fail "app-grace: migration_in_progress is $(migration_of app-grace)"
has_item app-grace "unexpected_value public.order_status chargeback judged" || fail "app-grace still holds its drift"
expect_contains "$(curl -sf "$BASE/targets/app-grace")" "the migration seems stuck: sqitch&#39;s lock has been held since"
kill -0 "$SQITCH_PID" 2>/dev/null || fail "the deploy ended early: $(cat "$WORK/sqitch-1.log")"
alerted app order_status && fail "app alerted before the deploy ended"
pass "past migration_grace the alert fires with the lock still held, and the page says stuck"

# The code ships its new expectation during the deploy; then the deploy ends: judged at once.
register "$WORK/app-v2.toml"
gate_open
wait "$SQITCH_PID" || fail "sqitch deploy failed: $(cat "$WORK/sqitch-1.log")"
ended=$SECONDS
no_drift_no_migration() { [[ $(migration_of app) == none && -z $(target_json app | items) ]]; }
wait_for 5 "app judged after the deploy" no_drift_no_migration
((SECONDS - ended <= 4)) || fail "the end state was judged $((SECONDS - ended)) s after the deploy"
[[ $(in_progress app sqitch) == 0 ]] || fail "the gauge stayed at 1"
alerted app order_status && fail "app alerted although the deploy ended without drift"
daemon_log_has 'target app: a migration is in flight (sqitch holds its lock)' || fail "no log line for the hold"
daemon_log_has 'target app: the migration ended' || fail "no log line for the end"
pass "the deploy ends with the code updated: judged at once, nothing ever alerted for app"

# A second deploy leaves real drift behind: held while it runs, alerted at once when it ends.
gate_close
add_change add_disputed "ALTER TYPE public.order_status ADD VALUE 'disputed';"
add_change backfill_again "SELECT pg_advisory_lock(4242); SELECT pg_advisory_unlock(4242); -- again"
deploy_in_background 2
wait_for 15 "the second deploy's drift, held" has_item app "unexpected_value public.order_status disputed migrating"
sleep 1.5  # a few looks at the lock while it is held
alerted app order_status && fail "app alerted during the second deploy"
gate_open
wait "$SQITCH_PID" || fail "sqitch deploy failed: $(cat "$WORK/sqitch-2.log")"
ended=$SECONDS
wait_for 5 "app's alert once the deploy ended" alerted app order_status
((SECONDS - ended <= 4)) || fail "the end state alerted $((SECONDS - ended)) s after the deploy"
has_item app "unexpected_value public.order_status disputed judged" || fail "the drift is still held"
pass "a deploy that leaves drift: held while it runs, alerted within seconds of its end"
cd "$WORK"

# ---- the tools that are not packaged: each one's lock taken as the tool takes it ------------
# A migration tool's session, fed statements through a FIFO.
session_open() {
  mkfifo "$WORK/$1.fifo"
  PGAPPNAME=$1 psql -X -q -v ON_ERROR_STOP=1 "$DEPLOY_DSN" <"$WORK/$1.fifo" >"$WORK/$1.out" 2>&1 &
  on_exit "kill $!"
  exec 7>"$WORK/$1.fifo"
}
session_run() { printf '%s\n' "$1" >&7; }
session_close() { exec 7>&-; }
DEPLOY_DSN="host=127.0.0.1 port=$PGPORT dbname=app user=deploy password=deploy-pw"
# held_then_judged TARGET TOOL RELEASE [MEANWHILE]: the target's drift (value v1) is held while
# the session holds TOOL's lock (and runs MEANWHILE), then RELEASE runs and the alert fires
# within seconds.
held_then_judged() {
  local target=$1 tool=$2 release=$3 meanwhile=${4:-}
  # The session has run its statements (the lock comes before the value) before the poll.
  wait_for 5 "$tool: the value added" bash -c "psql -X -At -d app -c \"SELECT count(*) FROM pg_enum WHERE enumtypid = '$target.state'::regtype AND enumlabel = 'v1'\" | grep -qx 1"
  poll_now "$target"
  wait_for 5 "$tool: the drift, held" has_item "$target" "unexpected_value $target.state v1 migrating"
  [[ $(in_progress "$target" "$tool") == 1 ]] || fail "$tool: the gauge is $(in_progress "$target" "$tool")"
  [[ $(migration_of "$target") == "$tool held" ]] || fail "$tool: migration_in_progress is $(migration_of "$target")"
  [[ -z $meanwhile ]] || session_run "$meanwhile"
  sleep 1.5
  alerted "$target" state && fail "$tool: an alert fired while its lock was held"
  session_run "$release"
  wait_for 5 "$tool: the alert once the lock is released" alerted "$target" state
  has_item "$target" "unexpected_value $target.state v1 judged" || fail "$tool: still held"
  [[ $(in_progress "$target" "$tool") == 0 ]] || fail "$tool: the gauge stayed at 1"
}

# Flyway (default, flyway.postgresql.transactional.lock): a transaction lock per migration. V1
# adds the value and commits; V2 takes the lock again and runs on; the drift V1 left is held.
session_open flyway
session_run "BEGIN; SELECT pg_try_advisory_xact_lock(77433833903597); ALTER TYPE fly.state ADD VALUE 'v1'; COMMIT;"
session_run "BEGIN; SELECT pg_try_advisory_xact_lock(77433833903597);"
wait_for 5 "V2 holding Flyway's lock" bash -c "psql -X -At -d app -c \"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4163491309 AND granted\" | grep -qx 1"
# Between two migrations (V2, V3) the lock is briefly free: a release shorter than a second is
# bridged.
held_then_judged fly flyway "COMMIT;" \
  "COMMIT; SELECT pg_sleep(0.3); BEGIN; SELECT pg_try_advisory_xact_lock(77433833903597);"
session_close
pass "Flyway's transaction lock per migration (emulated): held across its migrations, judged after"

# golang-migrate: pg_advisory_lock on CRC-32("public\0schema_migrations\0app") x 1486364155.
session_open golang-migrate
session_run "SELECT pg_advisory_lock(1787120056); ALTER TYPE gm.state ADD VALUE 'v1';"
held_then_judged gm golang-migrate "SELECT pg_advisory_unlock(1787120056);"
session_close
pass "golang-migrate's session lock (emulated): held, then judged"

# Atlas: pg_try_advisory_lock on FNV-1 32 of "atlas_migrate_execute".
session_open atlas
session_run "SELECT pg_try_advisory_lock(2686470616); ALTER TYPE atl.state ADD VALUE 'v1';"
held_then_judged atl atlas "SELECT pg_advisory_unlock(2686470616);"
session_close
pass "Atlas's session lock (emulated): held, then judged"

# Liquibase: StandardLockService's UPDATE of its lock row, committed; released by another UPDATE.
session_open liquibase
session_run "UPDATE lb.databasechangeloglock SET locked = TRUE, lockgranted = now(), lockedby = 'ci (10.0.3.7)' WHERE id = 1 AND locked = FALSE;"
session_run "ALTER TYPE lb.state ADD VALUE 'v1';"
held_then_judged lb liquibase "UPDATE lb.databasechangeloglock SET locked = FALSE, lockgranted = NULL, lockedby = NULL WHERE id = 1;"
pass "Liquibase's lock row (emulated): held, then judged"

# A lock table the monitoring role may not read counts as no lock, with one warning.
psql_q -d app -c "REVOKE SELECT ON lb.databasechangeloglock FROM monitor"
session_run "UPDATE lb.databasechangeloglock SET locked = TRUE WHERE id = 1;"
session_run "ALTER TYPE lb.state ADD VALUE 'v2';"
for _ in 1 2 3; do poll_now lb; done
wait_for 5 "lb: v2 judged" has_item lb "unexpected_value lb.state v2 judged"
[[ $(in_progress lb liquibase) == 0 ]] || fail "an unreadable lock table counted as a lock"
warnings=$(grep -c "target lb: Liquibase's lock table \"lb\".\"databasechangeloglock\" cannot be read by the monitoring role" "$WORK/daemon.log")
[[ $warnings == 1 ]] || fail "expected one warning for the unreadable lock table, got $warnings"
session_close
[[ $(metric 'enumwatch_secondary_read_failures_total{read="migration_lock"}') == 0 ]] ||
  fail "an unreadable lock table counted as a failed read"
pass "Liquibase's table unreadable: no lock, one warning, no failed read"

[[ $(metric 'enumwatch_internal_errors_total{component="migration_watch"}') == 0 ]] || fail "internal errors"
expect_not_contains "$(cat "$WORK/daemon.log")" "deploy-pw"
