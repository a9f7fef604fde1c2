#!/usr/bin/env bash
# The package under a real systemd (docs/operations.md, "Tested under a real systemd"): a minimal
# Debian 12 booted with systemd-nspawn, the .deb installed by apt, a local PostgreSQL watched over
# its unix socket as a peer-authenticated role. The unit starts without a warning about its directories,
# comes back after kill -9, `systemctl reload` applies an edited snapshot (a minimal Debian has no
# procps, so no /bin/kill), and the watchdog restarts a frozen daemon.
#
# The booted root is a debootstrap of Debian 12 (minbase, plus systemd, PostgreSQL 15 and the
# package's dependencies), built once and cached in $ENUMWATCH_BOOT_CACHE: its first build fetches
# from the host's own apt sources; later runs fetch nothing and copy nothing (the container runs on
# a volatile overlay of it, so a run leaves the cache as it found it).
source "$(dirname "$0")/lib.sh"
: "${ENUMWATCH_DEB_DIR:?set ENUMWATCH_DEB_DIR to the directory holding enumwatch_*.deb}"
deb=$(ls "$ENUMWATCH_DEB_DIR"/enumwatch_*.deb 2>/dev/null) ||
  fail "no enumwatch_*.deb in $ENUMWATCH_DEB_DIR: integration.debian_package makes it (ctest runs it first)"
for tool in systemd-nspawn debootstrap nsenter; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/setup installs systemd-container and debootstrap)"
done

CACHE=${ENUMWATCH_BOOT_CACHE:-/var/cache/enumwatch-tests}
# Bump when what goes into the root changes: an old cache is then built anew.
ROOT_RECIPE="bookworm minbase systemd dbus postgresql-15 v1"
ROOT=$CACHE/bookworm-systemd

# The host's Debian mirror for bookworm, from its apt sources (deb822 or one-line style).
host_mirror() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [[ -f $file ]] || continue
    awk '/^URIs:/ {uri=$2} /^Suites:/ && / bookworm( |$)/ {print uri; exit}' "$file"
  done | head -n1 | grep . ||
    awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
}

nspawn_env=()
# A host still on the hybrid cgroup hierarchy (v1) boots the container's systemd on v1 too.
[[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]] || nspawn_env=(SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=0)
# nspawn keeps its mount propagation directory under /run/systemd and refuses to clean it where
# /run is on disk (some sandboxes): there, it gets a tmpfs of its own, in a mount namespace of its
# own, so that the host's /run is left as it is. Each exec keeps the PID the one started.
run_tmpfs=""
[[ $(stat -fc %T /run) == tmpfs ]] || run_tmpfs="mkdir -p /run/systemd && mount -t tmpfs -o mode=755 tmpfs /run/systemd && "
nspawn=(unshare --mount --propagation private sh -c "${run_tmpfs}exec env \"\$@\"" nspawn
  "${nspawn_env[@]}" systemd-nspawn -q --register=no --keep-unit)

build_root() {
  local mirror tmp=$CACHE/.building
  mirror=$(host_mirror) || fail "no bookworm mirror in the host's apt sources"
  mkdir -p "$CACHE"
  echo "building the booted root in $ROOT (once) from $mirror"
  # A bootstrap that finished is kept when a later step fails: the next run goes on from there.
  if [[ ! -f $tmp/.bootstrapped ]]; then
    rm -rf "$tmp"
    debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus bookworm "$tmp" "$mirror" \
      >"$WORK/debootstrap.log" 2>&1 || { tail -n 20 "$WORK/debootstrap.log"; fail "debootstrap failed"; }
    cp /etc/apt/sources.list.d/*.sources "$tmp/etc/apt/sources.list.d/" 2>/dev/null && : >"$tmp/etc/apt/sources.list"
    touch "$tmp/.bootstrapped"
  fi
  # The package's dependencies are installed with it once, then the package goes: every run
  # installs it again by apt, as an operator does, without fetching anything. (Not in /tmp: the
  # container gets a tmpfs there.)
  cp "$deb" "$tmp/var/tmp/"
  "${nspawn[@]}" -D "$tmp" sh -ec "apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 /var/tmp/$(basename "$deb")
    dpkg --purge enumwatch; rm -f /var/tmp/*.deb; apt-get clean
    echo \"listen_addresses = ''\" >>/etc/postgresql/15/main/postgresql.conf
    systemctl enable postgresql@15-main" >"$WORK/root-packages.log" 2>&1 ||
    { tail -n 30 "$WORK/root-packages.log"; fail "installing PostgreSQL into the root failed"; }
  rm -f "$tmp/.bootstrapped"
  echo "$ROOT_RECIPE" >"$tmp/.enumwatch-root"
  rm -rf "$ROOT" && mv "$tmp" "$ROOT"
}
[[ -f $ROOT/.enumwatch-root && $(cat "$ROOT/.enumwatch-root") == "$ROOT_RECIPE" ]] || build_root

# Boot it: a volatile overlay over the cached root, the host's network (the daemon listens on a
# free loopback port of the host), the .deb's directory read-only at /mnt/deb.
daemon_port
: >"$WORK/daemon.log"  # wait_for shows it on a timeout: the journal is copied there as we go
"${nspawn[@]}" -D "$ROOT" --volatile=overlay --bind-ro="$ENUMWATCH_DEB_DIR:/mnt/deb" -b >"$WORK/boot.log" 2>&1 &
NSPAWN_PID=$!
container_pid() { pgrep -P "$NSPAWN_PID" -x systemd; }
# nspawn powers the container off on SIGTERM; one that does not go within 10 s is killed whole
# (its init first: the rest of its PID namespace goes with it).
stop_container() {
  kill -TERM "$NSPAWN_PID" 2>/dev/null || return 0
  for _ in $(seq 20); do kill -0 "$NSPAWN_PID" 2>/dev/null || return 0; sleep 0.5; done
  pkill -KILL -P "$NSPAWN_PID" -x systemd; kill -KILL "$NSPAWN_PID"
}
on_exit stop_container
wait_for 60 "the container's systemd" container_pid
LEADER=$(container_pid)
inside() { nsenter -t "$LEADER" -m -u -i -n -p -- "$@"; }
booted() { [[ $(inside systemctl is-system-running 2>/dev/null) =~ ^(running|degraded)$ ]]; }
wait_for 90 "the container to finish booting" booted
pass "Debian 12 booted under systemd-nspawn"

# The package, by apt, from the read-only mount.
inside sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /mnt/deb/$(basename "$deb")" \
  >"$WORK/install.log" 2>&1 || { tail -n 30 "$WORK/install.log"; fail "apt-get install of the .deb failed"; }
inside id enumwatch >/dev/null || fail "the package did not create the enumwatch user"
pass "apt installed $(basename "$deb")"

# A database watched over the unix socket, as the system user through peer authentication.
inside runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE enumwatch LOGIN" -c "CREATE DATABASE shop" >/dev/null
inside runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -d shop \
  -c "CREATE TYPE order_status AS ENUM ('pending', 'paid')" >/dev/null
inside sh -c "cat >/etc/enumwatch/snapshots/shop.toml" <<'TOML'
[[enum]]
name = "order_status"
values = ["pending", "paid"]
TOML
inside sh -c "cat >/etc/enumwatch/enumwatch.toml" <<TOML
[daemon]
listen = "127.0.0.1:$PORT"
state_dir = "/var/lib/enumwatch"
[defaults]
interval = "2s"
[snapshots.shop]
path = "/etc/enumwatch/snapshots/shop.toml"
[[target]]
name = "shop"
dsn = "host=/var/run/postgresql dbname=shop user=enumwatch"
snapshots = ["shop"]
TOML
# The watchdog's bound shortened by a drop-in, so that a freeze is caught in seconds, not the
# shipped minute; everything else is the packaged unit.
inside mkdir -p /etc/systemd/system/enumwatch.service.d
inside sh -c "printf '[Service]\nWatchdogSec=6s\n' >/etc/systemd/system/enumwatch.service.d/watchdog.conf"
inside systemctl daemon-reload
inside systemctl restart enumwatch || { inside journalctl -u enumwatch --no-pager | tail -n 30; fail "the unit did not start"; }
main_pid() { inside systemctl show -p MainPID --value enumwatch; }
up() { [[ $(metric 'enumwatch_up{target="shop"}') == 1 ]]; }
wait_for 30 "the target polled over the unix socket" up
[[ $(inside systemctl is-active enumwatch) == active ]] || fail "the unit is not active"
pass "the unit started and watches the database over its unix socket"

journal() { inside journalctl -u enumwatch --no-pager -o cat | tee "$WORK/daemon.log"; }
journal >"$WORK/journal.txt"
grep -q "already exists but the mode is different" "$WORK/journal.txt" &&
  { cat "$WORK/journal.txt"; fail "systemd warns about a directory's mode at start"; }
pass "no directory-mode warning at start"

# kill -9: Restart=on-failure brings it back.
first=$(main_pid)
inside sh -c "kill -9 $first"  # the shell's kill: a minimal Debian has no procps
restarted() { local pid; pid=$(main_pid); [[ $pid != 0 && $pid != "$first" ]] && up; }
wait_for 40 "a restart after kill -9" restarted
pass "restarted after kill -9 (pid $first -> $(main_pid))"

# An edited snapshot, applied by systemctl reload.
inside sh -c "cat >/etc/enumwatch/snapshots/shop.toml" <<'TOML'
[[enum]]
name = "order_status"
values = ["pending", "paid", "refunded"]
TOML
before=$(main_pid)
inside systemctl reload enumwatch || { journal | tail -n 20; fail "systemctl reload failed"; }
drift() { [[ $(metric 'enumwatch_drift_items{kind="missing_value",target="shop"}') == 1 ]]; }
wait_for 20 "the reloaded snapshot's drift" drift
[[ $(main_pid) == "$before" ]] || fail "reload restarted the daemon instead of reloading it"
pass "systemctl reload applied the edited snapshot in the same process"

# A frozen daemon stops pinging: the watchdog kills it and systemd starts it again.
frozen=$(main_pid)
inside sh -c "kill -STOP $frozen"
unfrozen() { local pid; pid=$(main_pid); [[ $pid != 0 && $pid != "$frozen" ]] && up; }
wait_for 60 "the watchdog's restart of the frozen daemon" unfrozen
journal | grep -q "Watchdog timeout" || { journal | tail -n 20; fail "the restart was not the watchdog's"; }
pass "the watchdog restarted the frozen daemon"

# The control: the check above would see systemd's warning, were the directory's mode off.
# (The daemon, which may not read the directory then, need not start.)
inside chmod 0750 /etc/enumwatch
inside systemctl restart enumwatch >/dev/null 2>&1 || true
journal | grep -q "already exists but the mode is different" ||
  fail "the mode check cannot fail: no warning with /etc/enumwatch at 0750"
pass "control: a directory at 0750 does draw systemd's warning"
