# Sourced by ./enumwatch-go and ./run-tests: finds Debian's Go and builds enumwatch-go offline.
# The build needs the standard library, libpg_query (libpg-query-dev, through cgo, so gcc) and
# two Go libraries from Debian's packages, which go.mod's `replace` points at:
# golang-gopkg-yaml.v3-dev and golang-github-burntsushi-toml-dev. Nothing is downloaded: the
# module proxy is off, and a missing package fails the build with go's own message.

enumwatch_go_dir=$(dirname "$(readlink -f "$0")")

enumwatch_go_fail() {
  printf 'enumwatch-go: %s\n' "$*" >&2
  exit 2
}

# Go: on PATH, else where Debian's golang-go puts it.
enumwatch_go_find() {
  if command -v go >/dev/null 2>&1; then
    command -v go
    return
  fi
  found=
  for candidate in /usr/lib/go-*/bin/go /usr/lib/go/bin/go; do # the default last: it wins
    [ -x "$candidate" ] && found=$candidate
  done
  if [ -n "$found" ]; then
    printf '%s\n' "$found"
    return
  fi
  enumwatch_go_fail "needs Go to build itself: apt-get install golang-go gcc libpg-query-dev golang-gopkg-yaml.v3-dev golang-github-burntsushi-toml-dev"
}

GO=$(enumwatch_go_find)

# The cache: $XDG_CACHE_HOME/enumwatch-go (~/.cache/enumwatch-go), or .cache beside this script
# when there is no home (the checkout's .gitignore keeps it out of git).
enumwatch_go_cache=${XDG_CACHE_HOME:-${HOME:+$HOME/.cache}}
if [ -z "$enumwatch_go_cache" ] || ! mkdir -p "$enumwatch_go_cache/enumwatch-go" 2>/dev/null; then
  enumwatch_go_cache=$enumwatch_go_dir/.cache
  mkdir -p "$enumwatch_go_cache/enumwatch-go" || enumwatch_go_fail "no writable cache directory (set XDG_CACHE_HOME)"
fi
enumwatch_go_cache=$enumwatch_go_cache/enumwatch-go

# Offline, whatever the caller's Go settings: modules on, no proxy, no checksum database, no
# workspace, no toolchain switch; go.mod's replace directives name Debian's sources.
export GOFLAGS=-mod=mod GOPROXY=off GOSUMDB=off GOWORK=off GO111MODULE=on GOTOOLCHAIN=local CGO_ENABLED=1
export GOMODCACHE="$enumwatch_go_cache/mod"
# go's build cache: the caller's (GOCACHE, or ~/.cache/go-build), or ours when there is no home.
if [ -z "${GOCACHE:-}" ] && [ -z "${XDG_CACHE_HOME:-}" ] && [ -z "${HOME:-}" ]; then
  export GOCACHE="$enumwatch_go_cache/go-build"
fi

# Builds the program once per change of its sources (or of Go) and prints the binary's path.
enumwatch_go_build() {
  key=$(cd "$enumwatch_go_dir" && {
    "$GO" version
    find . -path ./testdata -prune -o -path ./.cache -prune -o \( -name '*.go' ! -name '*_test.go' -o -name go.mod \) -type f -print |
      LC_ALL=C sort | xargs sha256sum
  } | sha256sum | cut -c1-16)
  bin=$enumwatch_go_cache/enumwatch-go-$key
  if [ ! -x "$bin" ]; then
    tmp=$enumwatch_go_cache/.build.$$
    if ! log=$(cd "$enumwatch_go_dir" && "$GO" build -buildvcs=false -o "$tmp" . 2>&1); then
      rm -f "$tmp"
      printf '%s\n' "$log" >&2
      enumwatch_go_fail "building it failed (it needs golang-go, gcc, libpg-query-dev, golang-gopkg-yaml.v3-dev and golang-github-burntsushi-toml-dev, all from Debian)"
    fi
    mv -f "$tmp" "$bin"
    for old in "$enumwatch_go_cache"/enumwatch-go-*; do
      [ "$old" = "$bin" ] || rm -f "$old"
    done
  fi
  printf '%s\n' "$bin"
}
