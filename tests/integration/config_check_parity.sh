#!/usr/bin/env bash
# One validation for config-check, start and reload (docs/configuration.md, "config-check"):
# each defect that start refuses — an API token file others can read, a token too short, a
# password_file others can read, a TLS file that does not load, a state_dir that is not a
# directory — config-check refuses too, with the same message, and a reload to it is rejected
# with that message while the running daemon keeps its config. No secret appears in any of them.
source "$(dirname "$0")/lib.sh"
daemon_port
head -c 32 /dev/urandom | base64 >"$WORK/api.token"
chmod 600 "$WORK/api.token"
echo "db-SECRET-pw" >"$WORK/db.pass"
chmod 600 "$WORK/db.pass"
write_enum_snapshot "$WORK/app.toml" order_status paid

# write_config [EXTRA-DAEMON-KEYS]: a valid config (the database need not be up), plus keys.
write_config() {
  cat >"$WORK/enumwatch.toml" <<TOML
$(daemon_section)
api_token_file = "api.token"
$1
$(snapshot_section app app.toml)
[[target]]
name = "orders"
dsn = "host=127.0.0.1 port=1 dbname=orders user=watcher connect_timeout=1"
password_file = "db.pass"
snapshots = ["app"]
TOML
}

write_config ""
expect_exit 0 "$ENUMWATCH" config-check --config "$WORK/enumwatch.toml"
start_daemon "$WORK/enumwatch.toml"

# defect NAME WANT SETUP UNDO: with SETUP applied, config-check, run and a reload all refuse
# with one message that contains WANT; UNDO restores the good state.
defect() {
  local name=$1 want=$2 setup=$3 undo=$4
  eval "$setup"
  expect_exit 2 "$ENUMWATCH" config-check --config "$WORK/enumwatch.toml"
  local checked=$ERR
  expect_contains "$checked" "$want" "config-check ($name)"
  local rc=0
  # Another port: the running daemon holds ours. run must refuse before it listens.
  sed "s/127.0.0.1:$PORT/127.0.0.1:$(free_port)/" "$WORK/enumwatch.toml" >"$WORK/other.toml"
  timeout 10 "$ENUMWATCH" run --config "$WORK/other.toml" >"$WORK/run.out" 2>&1 || rc=$?
  [[ $rc == 2 ]] || { cat "$WORK/run.out"; fail "run with $name exited $rc, want 2"; }
  local ran
  ran=$(grep -v '^\s*$' "$WORK/run.out" | tail -n 1)
  # Both say the same; only the file named differs (other.toml is a copy).
  [[ ${ran//other.toml/enumwatch.toml} == *"${checked#*: }"* ]] ||
    fail "run and config-check disagree on $name: run said '$ran', config-check '$checked'"
  local lines
  lines=$(grep -c "config reload rejected" "$WORK/daemon.log" || true)
  kill -HUP "$DAEMON_PID"
  wait_for 5 "the reload with $name rejected" \
    bash -c "(( \$(grep -c 'config reload rejected' '$WORK/daemon.log') > $lines ))"
  expect_contains "$(grep 'config reload rejected' "$WORK/daemon.log" | tail -n 1)" "$want" \
    "the rejected reload ($name)"
  curl -sf "$BASE/healthz" >/dev/null || fail "the daemon stopped answering after the reload with $name"
  for text in "$checked" "$(cat "$WORK/run.out")" "$(cat "$WORK/daemon.log")"; do
    expect_not_contains "$text" "db-SECRET-pw" "the messages about $name"
    expect_not_contains "$text" "$(cat "$WORK/api.token")" "the messages about $name"
  done
  eval "$undo"
  expect_exit 0 "$ENUMWATCH" config-check --config "$WORK/enumwatch.toml"
  pass "$name: config-check, run and reload refuse it alike: ${checked#*: }"
}

defect "a token file every user can read" "api token file is readable or writable by every user" \
  'chmod 644 "$WORK/api.token"' 'chmod 600 "$WORK/api.token"'
defect "a 5-byte token" "the api token is 5 bytes" \
  'cp "$WORK/api.token" "$WORK/api.token.good"; printf "short" >"$WORK/api.token"' \
  'mv "$WORK/api.token.good" "$WORK/api.token"'
defect "a password file every user can read" \
  "password file of target orders is readable or writable by every user" \
  'chmod 644 "$WORK/db.pass"' 'chmod 600 "$WORK/db.pass"'
defect "a listener certificate that is missing" "missing.pem" \
  'write_config "tls_cert_file = \"missing.pem\"
tls_key_file = \"missing.pem\""' 'write_config ""'
defect "a state_dir that is a file" "state_dir is not a directory" \
  'touch "$WORK/state-file"; sed -i "s|^state_dir = .*|state_dir = \"$WORK/state-file\"|" "$WORK/enumwatch.toml"' \
  'write_config ""'

# As a user other than root, a state_dir it cannot write to is refused the same way (root may
# write anywhere, so this part runs only where a test user exists).
if [[ $(id -u) == 0 ]] && id nobody >/dev/null 2>&1; then
  mkdir -p "$WORK/readonly-state"
  chmod 755 "$WORK/readonly-state"
  sed "s|^state_dir = .*|state_dir = \"$WORK/readonly-state\"|" "$WORK/enumwatch.toml" >"$WORK/nobody.toml"
  sed -i 's|^api_token_file = .*||; s|^password_file = .*||' "$WORK/nobody.toml"
  chmod 755 "$WORK"
  chmod 644 "$WORK/nobody.toml" "$WORK/app.toml"
  rc=0
  runuser -u nobody -- "$ENUMWATCH" config-check --config "$WORK/nobody.toml" >"$WORK/nobody.out" 2>&1 || rc=$?
  [[ $rc == 2 ]] || { cat "$WORK/nobody.out"; fail "config-check as nobody of a read-only state_dir exited $rc"; }
  expect_contains "$(cat "$WORK/nobody.out")" "state_dir is not writable by the user enumwatch runs as" \
    "config-check as nobody"
  pass "a state_dir the daemon's user cannot write to is refused by config-check"
fi
