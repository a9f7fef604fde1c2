#!/usr/bin/env bash
# Who changed it (docs/who-changed-it.md): the event trigger logs each command in
# enumwatch.ddl_log; drift items carry changed_by (role, SET ROLE, application_name, address,
# command, statement) in diff's JSON and text, the daemon's API, the target's page and the alert
# at a webhook. A password literal in the same script is redacted, a 1 MB statement bounded. The
# log is bounded to 10 000 rows; only enumwatch_reader's members read it, nobody writes it by
# hand. An install from before the log is upgraded in place. A log dropped or revoked: the DDL
# still commits, the drift is still reported (changed_by null), one warning, a counted failure.
source "$(dirname "$0")/lib.sh"
pg_start
psql_q -c "CREATE DATABASE shop"
psql_q -d shop <<'SQL'
CREATE ROLE monitor LOGIN PASSWORD 'monitor-pw';
CREATE ROLE deploy LOGIN PASSWORD 'deploy-pw';
CREATE ROLE "Mig ""rator""" NOLOGIN;
GRANT "Mig ""rator""" TO deploy;
GRANT CREATE ON SCHEMA public TO deploy, "Mig ""rator""";
SQL
MONITOR="host=127.0.0.1 port=$PGPORT dbname=shop user=monitor password=monitor-pw"
DEPLOY="host=127.0.0.1 port=$PGPORT dbname=shop user=deploy password=deploy-pw"

# ---- an install from before the log: a trigger that only notifies (the earlier version's SQL)
psql_q -d shop <<'SQL'
CREATE SCHEMA enumwatch;
REVOKE ALL ON SCHEMA enumwatch FROM PUBLIC;
CREATE FUNCTION enumwatch.enumwatch_ddl_notify() RETURNS event_trigger
  LANGUAGE plpgsql SET search_path = '' AS $f$
BEGIN
  PERFORM pg_catalog.pg_notify('enumwatch_ddl', pg_catalog.json_build_object('tag', tg_tag)::text);
END
$f$;
CREATE EVENT TRIGGER enumwatch_ddl_notify ON ddl_command_end
  WHEN TAG IN ('CREATE TYPE', 'ALTER TYPE') EXECUTE FUNCTION enumwatch.enumwatch_ddl_notify();
SQL
psql_q "$DEPLOY" -c "CREATE TYPE status AS ENUM ('new', 'paid')" -c "CREATE TABLE orders (s status)"
printf '[[enum]]\nname = "status"\nvalues = ["new", "paid"]\n[[check]]\ntable = "tickets"\ncolumn = "state"\nvalues = ["open"]\n' >"$WORK/app.toml"
# Without the log, drift is reported unattributed and nothing fails.
psql_q "$DEPLOY" -c "ALTER TYPE status ADD VALUE 'held'"
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/app.toml" --dsn "$MONITOR" --format json
python3 - "$OUT" <<'PY'
import json, sys
items = [i for i in json.loads(sys.argv[1])["drift"] if i["enum"] == "status"]
assert items and all(i["changed_by"] is None for i in items), items
PY
expect_not_contains "$ERR" "changed"

# The upgrade: install-trigger again, with the monitoring role as a reader of the log.
expect_exit 0 "$ENUMWATCH" install-trigger --dsn "$(dsn_for shop)" --monitoring-role monitor
expect_exit 0 "$ENUMWATCH" install-trigger --dsn "$(dsn_for shop)" --monitoring-role monitor
[[ $(psql -X -At -d shop -c "SELECT count(*) FROM pg_event_trigger WHERE evtname LIKE 'enumwatch%'") == 2 ]] ||
  fail "the upgrade did not leave both event triggers"
pass "an install from before the log is upgraded in place, idempotently; no log: changed_by null"

# ---- attribution: role, SET ROLE, application_name, address, statement; a password redacted --
PGAPPNAME=alembic psql -X -q "$DEPLOY" \
  -c "ALTER TYPE status ADD VALUE 'refunded'; ALTER ROLE deploy PASSWORD 'deploy-pw'"
psql_q "$DEPLOY" -c "SET ROLE \"Mig \"\"rator\"\"\"" -c "CREATE TABLE tickets (state text CHECK (state IN ('open', 'closed')))"
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/app.toml" --dsn "$MONITOR" --format json
python3 - "$OUT" <<'PY'
import json, re, sys
items = json.loads(sys.argv[1])["drift"]
status = [i for i in items if i["enum"] == "status"]
assert status, items
for i in status:
    who = i["changed_by"]
    assert who is not None, i
    assert who["role"] == "deploy" and who["current_role"] is None, who
    assert who["application_name"] == "alembic" and who["client_addr"] == "127.0.0.1", who
    assert who["command_tag"] == "ALTER TYPE", who
    assert "ADD VALUE 'refunded'" in who["statement"], who
    assert "deploy-pw" not in who["statement"] and "PASSWORD '[redacted]'" in who["statement"], who
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", who["at"]), who
tickets = [i for i in items if i["enum"] == "tickets.state"]
assert tickets and tickets[0]["changed_by"]["current_role"] == 'Mig "rator"', tickets
assert tickets[0]["changed_by"]["command_tag"] == "CREATE TABLE", tickets
assert tickets[0]["changed_by"]["application_name"] == "psql", tickets
PY
expect_not_contains "$OUT" "deploy-pw"
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/app.toml" --dsn "$MONITOR"
expect_contains "$OUT" "by role deploy (application_name alembic) from 127.0.0.1 at "
expect_contains "$OUT" "by role deploy (as Mig \"rator\") (application_name psql)"
pass "changed_by names role, SET ROLE, application_name, address and statement; password redacted"

# ---- the log: only readers read it, nobody writes it, bounded, a 1 MB statement cut ---------
out=$(psql -X -At "$DEPLOY" -c "SELECT count(*) FROM enumwatch.ddl_log" 2>&1) &&
  fail "a role that is no reader read the log: $out"
out=$(psql -X -At "$MONITOR" -c "INSERT INTO enumwatch.ddl_log (at, txid, session_role, backend_pid, command_tag) VALUES (now(), '1', 'x', 1, 'x')" 2>&1) &&
  fail "the monitoring role wrote the log: $out"
out=$(psql -X -At "$DEPLOY" -c "SELECT enumwatch.enumwatch_ddl_notify()" 2>&1) &&
  fail "a role called the trigger's function: $out"
python3 -c "print(\"ALTER TYPE status ADD VALUE 'big' /* \" + 'ü' * (1 << 19) + ' */;')" >"$WORK/big.sql"
psql_q "$DEPLOY" -f "$WORK/big.sql"
# 4096 bytes at most (and not much less), cut between characters (ü is two bytes).
[[ $(psql -X -At -d shop -c "SELECT octet_length(statement) BETWEEN 4090 AND 4096 AND statement LIKE '%ü' FROM enumwatch.ddl_log ORDER BY id DESC LIMIT 1") == t ]] ||
  fail "a 1 MB statement was not cut to 4 KiB: $(psql -X -At -d shop -c "SELECT octet_length(statement), left(statement, 60) FROM enumwatch.ddl_log ORDER BY id DESC LIMIT 1")"
psql_q -d shop -c "INSERT INTO enumwatch.ddl_log (at, txid, session_role, backend_pid, command_tag)
  SELECT now(), '1', 'filler', 1, 'FILL' FROM generate_series(1, 10050)"
psql_q "$DEPLOY" -c "ALTER TYPE status ADD VALUE 'after_full'"
[[ $(psql -X -At -d shop -c "SELECT count(*) FROM enumwatch.ddl_log") == 10000 ]] ||
  fail "the log is not bounded to 10 000 rows"
expect_exit 1 "$ENUMWATCH" diff --snapshot "$WORK/app.toml" --dsn "$MONITOR" --format json
python3 - "$OUT" <<'PY'
import json, sys
items = [i for i in json.loads(sys.argv[1])["drift"] if i["enum"] == "status"]
assert all(i["changed_by"]["statement"] == "ALTER TYPE status ADD VALUE 'after_full'" for i in items), items
PY
pass "only readers read the log, nobody writes it by hand; 1 MB cut to 4 KiB; bounded to 10 000 rows"

# ---- the daemon: API, page, alert; then the log revoked: one warning, counted, still up --------
start_webhook_receiver
daemon_port
cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
[defaults]
interval = "300ms"
interval_listening = "300ms"
drift_for = "0s"
naming = "none"
schemas = ["public"]
$(snapshot_section app app.toml)
[[target]]
name = "shop"
dsn = "$MONITOR"
snapshots = ["app"]
[alerting]
webhook_urls = ["http://127.0.0.1:$HOOK_PORT/hook"]
resend_interval = "1s"
TOML
start_daemon "$WORK/enumwatch.toml"
wait_for 15 "the alert at the webhook" grep -q 'changed by .*by role deploy' "$WORK/hooks.log"
grep 'changed by' "$WORK/hooks.log" | grep -q 'from 127.0.0.1 at ' || fail "the alert lacks the address"
api=$(curl -sf "$BASE/api/v1/targets/shop")
python3 - "$api" <<'PY'
import json, sys
items = [i for i in json.loads(sys.argv[1])["drift"] if i["enum"] == "status"]
assert items and all(i["changed_by"]["role"] == "deploy" for i in items), items
PY
page=$(curl -sf "$BASE/targets/shop")
expect_contains "$page" '<dd class="changed-by">&quot;ALTER TYPE status ADD VALUE &#39;after_full&#39;&quot; by role deploy'
# The changelog: newest first, at most 100, only the target's schemas; on the target's page.
psql_q -d shop -c "CREATE SCHEMA elsewhere" -c "CREATE TYPE elsewhere.x AS ENUM ('a')"
[[ $(psql -X -At -d shop -c "SELECT count(*) FROM enumwatch.ddl_log WHERE schema_name = 'elsewhere'") != 0 ]] ||
  fail "the log lacks the type created in another schema"
sleep 1  # polls since
changes=$(curl -sf "$BASE/api/v1/targets/shop/changes")
python3 - "$changes" <<'PY'
import json, sys
changes = json.loads(sys.argv[1])["changes"]
assert 0 < len(changes) <= 100, len(changes)
first = changes[0]
assert set(first) == {"at", "role", "current_role", "application_name", "client_addr",
                      "command_tag", "statement", "schema", "object", "txid"}, first
assert first["statement"] == "ALTER TYPE status ADD VALUE 'after_full'", first
assert first["schema"] == "public" and first["object"] == "status" and first["txid"] > 0, first
assert all(c["schema"] == "public" for c in changes), changes  # the target's schemas only
ats = [c["at"] for c in changes]
assert ats == sorted(ats, reverse=True), ats
PY
curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/targets/nope/changes" | grep -qx 404 ||
  fail "changes of an unknown target is not 404"
expect_contains "$(curl -sf "$BASE/targets/shop")" '<h2 id="changes-title">Changes</h2>'
pass "the daemon's API, page and alert say who changed it; the changelog lists the newest first"

psql_q -d shop -c "REVOKE enumwatch_reader FROM monitor"
psql_q "$DEPLOY" -c "ALTER TYPE status ADD VALUE 'after_revoke'"
wait_for 15 "the failed read counted" metric_above 'enumwatch_secondary_read_failures_total{read="changed_by"}' 0
wait_for 5 "drift of the new value" bash -c "curl -sf '$BASE/api/v1/targets/shop' | grep -q after_revoke"
curl -sf "$BASE/api/v1/targets/shop" | python3 -c '
import json, sys
t = json.load(sys.stdin)
assert t["up"] is True, t
assert all(i["changed_by"] is None for i in t["drift"]), t["drift"]'
sleep 1
[[ $(grep -c "reading who changed it (enumwatch.ddl_log) failed" "$WORK/daemon.log") == 1 ]] ||
  fail "not exactly one warning for the unreadable log: $(grep -c 'changed_by' "$WORK/daemon.log")"
expect_contains "$(grep 'reading who changed it (enumwatch.ddl_log) failed' "$WORK/daemon.log")" "permission denied"
# The changelog the role may not read is looked at again only with a full read (every tenth
# poll): each look is an ERROR in the server's log, which a DBA reads too.
denied() { grep -c 'permission denied for schema enumwatch' "$WORK/pg/server.log" || true; }
polls() { metric 'enumwatch_polls_total{outcome="ok",target="shop"}'; }
errors_before=$(denied) polls_before=$(polls)
sleep 4
errors=$(($(denied) - errors_before)) polled=$(($(polls) - polls_before))
((polled >= 8)) || fail "only $polled polls in 4 s at a 300 ms interval"
((errors * 4 <= polled)) || fail "$errors ERRORs in the server's log for $polled polls of an unreadable log"
# A notification naming a row that does not exist: a poll, nothing else.
psql_q -d shop -c "NOTIFY enumwatch_ddl, '{\"tag\":\"ALTER TYPE\",\"log_id\":999999999}'"
# The log dropped: every DDL still commits (a warning to its session), drift still reported.
psql_q -d shop -c "DROP TABLE enumwatch.ddl_log"
out=$(psql -X "$DEPLOY" -c "ALTER TYPE status ADD VALUE 'after_drop'" 2>&1) ||
  fail "a DDL failed because the log is gone: $out"
expect_contains "$out" "was not logged"
wait_for 5 "drift after the log is gone" bash -c "curl -sf '$BASE/api/v1/targets/shop' | grep -q after_drop"
metric_is 'enumwatch_up{target="shop"}' 1 || fail "the target went down"
pass "a log revoked or dropped: DDL commits, drift reported unattributed, one warning, counted"
