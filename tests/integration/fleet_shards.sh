#!/usr/bin/env bash
# Shards (docs/fleet.md): three daemons on one config, shard = "0/3", "1/3", "2/3", poll every
# target exactly once, as a plain monitoring role; each exports enumwatch_shard_info and
# enumwatch_targets{state}; a target of another shard is absent from the status and the page, and
# asking for it names its shard (404, 409 for a poll); a reload to one shard takes every target
# without a restart; shard = "auto" reads the host name's ordinal and ENUMWATCH_SHARDS, and refuses
# to start, naming what is missing, without them.
source "$(dirname "$0")/lib.sh"
pg_start
TARGETS=12
setup="CREATE ROLE watcher LOGIN PASSWORD 'watch-pw';"
for ((i = 0; i < TARGETS; i++)); do
  setup+="CREATE SCHEMA tenant_$i; CREATE TYPE tenant_$i.order_status AS ENUM ('pending', 'paid');"
done
psql_q -c "$setup"
write_enum_snapshot "$WORK/app.toml" order_status pending paid
write_token "$WORK/api.token" "fleet-token-0123456789"

# One config for every shard; only [daemon] differs (each daemon on this host needs its own port).
targets_toml() {
  for ((i = 0; i < TARGETS; i++)); do
    printf '[[target]]\nname = "tenant-%s"\ndsn = "host=127.0.0.1 port=%s dbname=postgres user=watcher password=watch-pw"\nsnapshots = ["app"]\nschemas = ["tenant_%s"]\n' \
      "$i" "$PGPORT" "$i"
  done
}
write_config() {  # write_config FILE PORT SHARD
  cat >"$1" <<TOML
[daemon]
listen = "127.0.0.1:$2"
state_dir = "$WORK/state-$2"
api_token_file = "$WORK/api.token"
shard = "$3"
[defaults]
interval = "1s"
$(snapshot_section app "$WORK/app.toml")
$(targets_toml)
TOML
  mkdir -p "$WORK/state-$2"
}

declare -a PORTS PIDS
for k in 0 1 2; do
  PORTS[k]=$(free_port)
  write_config "$WORK/shard-$k.toml" "${PORTS[k]}" "$k/3"
  "$ENUMWATCH" run --config "$WORK/shard-$k.toml" >>"$WORK/daemon-$k.log" 2>&1 &
  PIDS[k]=$!
  on_exit "kill -9 ${PIDS[k]}"
done
for k in 0 1 2; do
  wait_for 15 "shard $k ready" curl -sf "http://127.0.0.1:${PORTS[k]}/readyz"
done

scrape() { curl -sf "http://127.0.0.1:$1/metrics" | awk -v key="$2" '$1 == key { value = $2 } END { print value }'; }
all_watched=""
total=0
for k in 0 1 2; do
  port=${PORTS[k]}
  [[ $(scrape "$port" "enumwatch_shard_info{shard=\"$k\",shards=\"3\"}") == 1 ]] || fail "shard $k: enumwatch_shard_info"
  watched=$(scrape "$port" 'enumwatch_targets{state="watched"}')
  other=$(scrape "$port" 'enumwatch_targets{state="other_shard"}')
  ((watched + other == TARGETS)) || fail "shard $k: $watched watched + $other other != $TARGETS"
  names=$(curl -sf "http://127.0.0.1:$port/api/v1/status" | "${SYSTEM_PYTHON:-python3}" -c \
    'import json, sys; print(" ".join(t["name"] for t in json.load(sys.stdin)["targets"]))')
  [[ $(wc -w <<<"$names") == "$watched" ]] || fail "shard $k: status lists '$names', metrics say $watched"
  # A target this shard does not watch has no per-target series here.
  for name in $names; do
    [[ -n $(scrape "$port" "enumwatch_up{target=\"$name\"}") ]] || fail "shard $k: no enumwatch_up for its own $name"
  done
  all_watched+=" $names"
  total=$((total + watched))
done
((total == TARGETS)) || fail "the shards watch $total targets between them, not $TARGETS"
[[ $(tr ' ' '\n' <<<"$all_watched" | sed '/^$/d' | sort | uniq -d) == "" ]] || fail "a target is watched twice: $all_watched"
[[ $(tr ' ' '\n' <<<"$all_watched" | sed '/^$/d' | sort -u | wc -l) == "$TARGETS" ]] || fail "a target is watched by no shard"
pass "three shards on one config watch every target exactly once"

# The database sees it too: the targets of one database share a poll session (docs/fleet.md), so
# each daemon holds one for its share, and three daemons hold three, not one per target.
backends=$(psql -X -At -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'watcher'")
((backends == 3)) || fail "$backends connections of the monitoring role for 3 daemons of $TARGETS targets"

# Asking shard 0 about a target it leaves to another shard names that shard.
port=${PORTS[0]}
mine=$(curl -sf "http://127.0.0.1:$port/api/v1/status" | "${SYSTEM_PYTHON:-python3}" -c \
  'import json, sys; print(" ".join(t["name"] for t in json.load(sys.stdin)["targets"]))')
foreign=""
for ((i = 0; i < TARGETS; i++)); do
  [[ " $mine " == *" tenant-$i "* ]] || { foreign=tenant-$i; break; }
done
[[ -n $foreign ]] || fail "shard 0 watches every target: the hash does not spread"
code=$(curl -s -o "$WORK/body" -w '%{http_code}' "http://127.0.0.1:$port/api/v1/targets/$foreign")
[[ $code == 404 ]] || fail "GET of another shard's target: $code"
expect_contains "$(cat "$WORK/body")" "is watched by shard" "GET names the shard"
code=$(curl -s -o "$WORK/body" -w '%{http_code}' -X POST -H "Authorization: Bearer fleet-token-0123456789" \
  "http://127.0.0.1:$port/api/v1/targets/$foreign/poll")
[[ $code == 409 ]] || fail "POST poll of another shard's target: $code"
expect_contains "$(cat "$WORK/body")" "not by this daemon (shard 0 of 3)" "POST names this shard"
page=$(curl -sf "http://127.0.0.1:$port/")
expect_contains "$page" "${mine%% *}" "the page shows this shard's targets"
expect_not_contains "$page" "$foreign" "the page leaves out other shards' targets"
pass "another shard's target: absent from the status and the page; asking for it names its shard"

# Reload shard 0 to be the only shard: it takes every target without a restart.
write_config "$WORK/shard-0.toml" "$port" "0/1"
kill -HUP "${PIDS[0]}"
wait_for 10 "shard 0 watches all" bash -c "[[ \$(curl -sf http://127.0.0.1:$port/metrics | awk '\$1 == \"enumwatch_targets{state=\\\"watched\\\"}\" { print \$2 }') == $TARGETS ]]"
wait_for 10 "the moved targets polled" curl -sf "http://127.0.0.1:$port/readyz"
[[ $(scrape "$port" "enumwatch_up{target=\"$foreign\"}") == 1 ]] || fail "$foreign not polled after the reload"
[[ $(scrape "$port" 'enumwatch_shard_info{shard="0",shards="1"}') == 1 ]] || fail "shard_info after the reload"
[[ -z $(scrape "$port" 'enumwatch_shard_info{shard="0",shards="3"}') ]] || fail "the old shard_info series stayed"
kill -0 "${PIDS[0]}" || fail "the reload restarted the daemon"
pass "a reload that changes shard moves targets without a restart"

# shard = "auto": K from the host name (a StatefulSet pod's), N from ENUMWATCH_SHARDS; refused
# at start, naming what is missing. The host name is set in a UTS namespace of its own.
unshare --uts true 2>/dev/null || fail "unshare --uts is needed (run the tests as root)"
auto_port=$(free_port)
write_config "$WORK/auto.toml" "$auto_port" auto
expect_exit 2 unshare --uts sh -c "hostname ops-host && exec env ENUMWATCH_SHARDS=3 $ENUMWATCH config-check --config $WORK/auto.toml"
expect_contains "$ERR" "has no trailing -K ordinal"
expect_exit 2 unshare --uts sh -c "hostname enumwatch-1 && exec env -u ENUMWATCH_SHARDS $ENUMWATCH config-check --config $WORK/auto.toml"
expect_contains "$ERR" "ENUMWATCH_SHARDS is not set"
expect_exit 0 unshare --uts sh -c "hostname enumwatch-2 && exec env ENUMWATCH_SHARDS=3 $ENUMWATCH config-check --config $WORK/auto.toml"
expect_contains "$OUT" "shard 2/3 watches"
unshare --uts sh -c "hostname enumwatch-2 && exec env ENUMWATCH_SHARDS=3 $ENUMWATCH run --config $WORK/auto.toml" \
  >>"$WORK/daemon-auto.log" 2>&1 &
on_exit "kill -9 $!"
wait_for 10 "the auto shard answers" curl -sf "http://127.0.0.1:$auto_port/healthz"
[[ $(scrape "$auto_port" 'enumwatch_shard_info{shard="2",shards="3"}') == 1 ]] || fail "auto: shard_info"
[[ $(scrape "$auto_port" 'enumwatch_targets{state="watched"}') == $(scrape "${PORTS[2]}" 'enumwatch_targets{state="watched"}') ]] ||
  fail "auto as enumwatch-2 must watch what shard 2/3 watches"
pass "shard = \"auto\" from the host name and ENUMWATCH_SHARDS; refused without them"
