#!/usr/bin/env bash
# The shipped unit verifies cleanly and keeps its hardening score; the example config, the
# Prometheus scrape config, the alerting rules (with their promtool unit tests) and the example
# Alertmanager routing are valid.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# systemd-analyze verify checks that ExecStart exists: point it at the built binary.
sed "s|/usr/bin/enumwatch|$ENUMWATCH|g" "$ROOT/systemd/enumwatch.service" >"$WORK/enumwatch.service"
systemd-analyze verify "$WORK/enumwatch.service" >"$WORK/verify.out" 2>&1 || true
[[ ! -s $WORK/verify.out ]] || { cat "$WORK/verify.out"; fail "systemd-analyze verify reported problems"; }

systemd-analyze security --offline=true "$WORK/enumwatch.service" >"$WORK/security.out" 2>&1 || true
score=$(sed -n 's/.*Overall exposure level for enumwatch.service: \([0-9.]*\).*/\1/p' "$WORK/security.out")
[[ -n $score ]] || { cat "$WORK/security.out"; fail "no exposure score"; }
python3 -c "import sys; sys.exit(0 if float('$score') <= 1.2 else 1)" || fail "exposure score $score is above 1.2"
echo "systemd-analyze security exposure: $score"

# `systemctl reload` on a minimal Debian, which has no /bin/kill (procps): the unit's ExecReload,
# split as systemd splits it (`$$` becomes `$`), with nothing on PATH, sends SIGHUP to MAINPID.
reload=$(sed -n 's/^ExecReload=//p' "$ROOT/systemd/enumwatch.service")
[[ -n $reload ]] || fail "the unit has no ExecReload"
eval "set -- ${reload//\$\$/\$}"
[[ $(basename "$1") != kill ]] || fail "ExecReload runs $1 (procps), which a minimal Debian lacks"
bash -c 'trap "echo reloaded >\"$1\"; exit 0" HUP; for _ in $(seq 100); do sleep 0.05; done' _ "$WORK/hup" >/dev/null 2>&1 &
target_pid=$!
sleep 0.2
env -i PATH=/nonexistent MAINPID=$target_pid "$@" || fail "ExecReload ($reload) failed without procps"
wait_for 5 "SIGHUP reaching MAINPID" test -s "$WORK/hup"
wait "$target_pid" 2>/dev/null || true
pass "ExecReload sends SIGHUP without procps"

# The example config is complete and valid apart from its snapshot file, which lives on the host.
sed 's|^path = "/etc/enumwatch/snapshots/orders-app.toml"|path = "orders-app.toml"|' "$ROOT/etc/enumwatch.toml" >"$WORK/enumwatch.toml"
write_enum_snapshot "$WORK/orders-app.toml" order_status paid
expect_exit 0 "$ENUMWATCH" config-check --config "$WORK/enumwatch.toml"

promtool check config "$ROOT/deploy/prometheus/scrape.yml" >"$WORK/promtool.out" 2>&1 ||
  { cat "$WORK/promtool.out"; fail "scrape config invalid"; }
promtool check rules "$ROOT/deploy/prometheus/enumwatch.rules.yml" >"$WORK/rules.out" 2>&1 ||
  { cat "$WORK/rules.out"; fail "alerting rules invalid"; }
grep -q "SUCCESS: 7 rules found" "$WORK/rules.out" || { cat "$WORK/rules.out"; fail "rules check had findings"; }
promtool test rules "$ROOT/deploy/prometheus/enumwatch.rules.test.yml" >"$WORK/rules-test.out" 2>&1 ||
  { cat "$WORK/rules-test.out"; fail "alerting rule unit tests failed"; }
amtool check-config "$ROOT/deploy/alertmanager/alertmanager.yml" >"$WORK/amtool.out" 2>&1 ||
  { cat "$WORK/amtool.out"; fail "Alertmanager example config invalid"; }
pass "exposure $score"
