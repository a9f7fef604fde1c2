#!/usr/bin/env bash
# The Debian package: scripts/package builds it (dpkg-buildpackage -b -uc -us), lintian finds no
# error, and it installs into a throwaway root (dpkg --root, maintainer scripts run against that
# root): its files are where an operator looks for them, the config is a conffile, postinst
# creates the system user, and the packaged binary runs --version and config-check on the
# packaged config. Removing keeps the config; purging removes it.
#
# When CTest runs it from a tree configured as the package is (scripts/test's first tree: install
# paths and Debian's hardening flags, docs/design.md "Tests and CI"), the package is made of that
# tree's binaries, the very ones the other tests ran, instead of compiling enumwatch again.
# Otherwise it is built from source, as DEB_BUILD_OPTIONS="noopt", without debug information and
# as a unity build, to save minutes: `scripts/package` alone builds the release.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
package_env=(DEB_BUILD_OPTIONS="nocheck noopt parallel=$(nproc)" DEB_CXXFLAGS_APPEND=-g0
  ENUMWATCH_CMAKE_ARGS=-DCMAKE_UNITY_BUILD=ON)
cache=${ENUMWATCH_BUILD_DIR:-/nonexistent}/CMakeCache.txt
if [[ -f $cache ]] && grep -qx 'CMAKE_INSTALL_PREFIX:PATH=/usr' "$cache" &&
  grep -qx 'ENUMWATCH_SYSTEMD_UNIT_DIR:[A-Z]*=/lib/systemd/system' "$cache" &&
  grep -qx 'CMAKE_BUILD_TYPE:STRING=None' "$cache" && grep -qx 'ENUMWATCH_SANITIZE:BOOL=OFF' "$cache"; then
  package_env=(DEB_BUILD_OPTIONS=nocheck ENUMWATCH_PREBUILT_DIR="$ENUMWATCH_BUILD_DIR")
  tested_binary=$ENUMWATCH
  echo "packaging the binaries of $ENUMWATCH_BUILD_DIR"
fi
build_id() { readelf -n "$1" | sed -n 's/.*Build ID: *//p'; }
env PACKAGE_OUT="$WORK/dist" "${package_env[@]}" "$ROOT/scripts/package" >"$WORK/package.log" 2>&1 ||
  { cat "$WORK/package.log"; fail "scripts/package failed"; }
deb=$(ls "$WORK"/dist/enumwatch_*.deb)
pass "scripts/package built $(basename "$deb")"
# Kept for systemd_boot.sh, which boots a minimal Debian and installs it there by apt.
if [[ -n ${ENUMWATCH_DEB_OUT:-} ]]; then
  rm -rf "$ENUMWATCH_DEB_OUT" && mkdir -p "$ENUMWATCH_DEB_OUT" && cp "$deb" "$ENUMWATCH_DEB_OUT/"
fi

lintian --fail-on error --no-tag-display-limit "$deb" >"$WORK/lintian.out" 2>&1 ||
  { cat "$WORK/lintian.out"; fail "lintian reports errors"; }
grep -q '^E:' "$WORK/lintian.out" && { cat "$WORK/lintian.out"; fail "lintian reports errors"; }
grep -q 'binary-without-manpage' "$WORK/lintian.out" && { cat "$WORK/lintian.out"; fail "a command without a man page"; }
echo "lintian: $(grep -c '^W:' "$WORK/lintian.out" || true) warnings, no error"

# A throwaway root with an empty dpkg database; the maintainer scripts run outside a chroot with
# DPKG_ROOT pointing at it (debhelper's snippets and systemd-sysusers honour it).
R=$WORK/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/etc"
touch "$R/var/lib/dpkg/status" "$R/etc/passwd" "$R/etc/group"
dpkg_root() { dpkg --root="$R" --force-script-chrootless --force-depends --log=/dev/null "$@"; }
dpkg_root -i "$deb" >"$WORK/install.log" 2>&1 || { cat "$WORK/install.log"; fail "dpkg -i into the throwaway root failed"; }
for f in usr/bin/enumwatch usr/bin/enumwatch-py lib/systemd/system/enumwatch.service \
  usr/lib/sysusers.d/enumwatch.conf etc/enumwatch/enumwatch.toml etc/enumwatch/snapshots/orders-app.toml \
  usr/share/man/man1/enumwatch.1.gz usr/share/man/man1/enumwatch-py.1.gz usr/share/man/man5/enumwatch.toml.5.gz \
  usr/share/bash-completion/completions/enumwatch usr/share/zsh/vendor-completions/_enumwatch \
  usr/share/enumwatch/mixin/README.md usr/share/enumwatch/mixin/dashboards/enumwatch.json \
  usr/share/enumwatch/mixin/rules/enumwatch.rules.yml usr/share/enumwatch/monitoring-role.sql \
  usr/share/enumwatch/enumwatch-py/enumwatch_py/cli.py usr/share/doc/enumwatch/copyright; do
  [[ -e $R/$f ]] || fail "the package lacks /$f"
done
[[ -d $R/var/lib/enumwatch ]] || fail "the package lacks /var/lib/enumwatch"
grep -qx 'License: Apache-2.0' "$R/usr/share/doc/enumwatch/copyright" || fail "debian/copyright does not say Apache-2.0"
# systemd warns at every start when the shipped mode and ConfigurationDirectoryMode differ.
unit_mode=$(sed -n 's/^ConfigurationDirectoryMode=0*//p' "$R/lib/systemd/system/enumwatch.service")
[[ $(stat -c %a "$R/etc/enumwatch") == "$unit_mode" ]] ||
  fail "/etc/enumwatch is $(stat -c %a "$R/etc/enumwatch"), the unit's ConfigurationDirectoryMode $unit_mode"
grep -qx /etc/enumwatch/enumwatch.toml "$R/var/lib/dpkg/info/enumwatch.conffiles" || fail "the config is not a conffile"
grep -q '^enumwatch:' "$R/etc/passwd" || fail "postinst did not create the enumwatch user (sysusers.d)"
grep -q 'deb-systemd-helper' "$R/var/lib/dpkg/info/enumwatch.postinst" || fail "postinst does not register the unit"
zcat "$R/usr/share/man/man5/enumwatch.toml.5.gz" | pandoc -f man -t plain | grep -q "state_dir" || fail "enumwatch.toml(5) is empty"
pass "installed into a throwaway root: files, conffile, system user, unit registered"

if [[ -n ${tested_binary:-} ]]; then
  # Stripping keeps the build ID: the packaged program is the one the other tests ran.
  [[ -n $(build_id "$tested_binary") && $(build_id "$tested_binary") == $(build_id "$R/usr/bin/enumwatch") ]] ||
    fail "the packaged /usr/bin/enumwatch is not the tested $tested_binary"
  pass "the package holds the tested binary (build ID $(build_id "$tested_binary"))"
fi
expect_exit 0 "$R/usr/bin/enumwatch" --version
expect_contains "$OUT" "enumwatch 0.1.0"
"$R/usr/bin/enumwatch-py" --help >/dev/null || fail "the packaged enumwatch-py does not run"
# config-check on the packaged config, which names absolute paths under /etc/enumwatch: in a
# private mount namespace where /etc/enumwatch is the package's.
if unshare -m true 2>/dev/null; then
  expect_exit 0 unshare -m sh -c "mount --bind '$R/etc/enumwatch' /etc/enumwatch 2>/dev/null ||
    { mkdir -p /etc/enumwatch && mount --bind '$R/etc/enumwatch' /etc/enumwatch; } &&
    '$R/usr/bin/enumwatch' config-check --config /etc/enumwatch/enumwatch.toml"
else
  sed "s|/etc/enumwatch/|$R/etc/enumwatch/|" "$R/etc/enumwatch/enumwatch.toml" >"$WORK/packaged.toml"
  expect_exit 0 "$R/usr/bin/enumwatch" config-check --config "$WORK/packaged.toml"
fi
pass "the packaged binary runs --version and config-check on the packaged config"

echo "# a local change" >>"$R/etc/enumwatch/enumwatch.toml"
dpkg_root -r enumwatch >"$WORK/remove.log" 2>&1 || { cat "$WORK/remove.log"; fail "dpkg -r failed"; }
[[ ! -e $R/usr/bin/enumwatch ]] || fail "remove left the binary"
grep -q "a local change" "$R/etc/enumwatch/enumwatch.toml" || fail "remove did not keep the edited config"
dpkg_root --purge enumwatch >"$WORK/purge.log" 2>&1 || { cat "$WORK/purge.log"; fail "dpkg --purge failed"; }
[[ ! -e $R/etc/enumwatch/enumwatch.toml ]] || fail "purge left the config"
pass "remove keeps the edited config, purge removes it"
