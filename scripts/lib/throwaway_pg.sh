# A throwaway PostgreSQL 15 cluster for tests, the demo and the benchmark. Source it with
# PG_DIR set to a directory it may fill; call pg_cluster_start, and pg_stop when done.
# As root, the server runs as the postgres user (runuser); it listens on 127.0.0.1 on a free port
# and on a unix socket in $PG_DIR. Exports PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
# PostgreSQL 15's own psql, pg_dump, ... first: Debian's /usr/bin/psql is a Perl wrapper that
# looks for the cluster version first, 50 ms of CPU a call. Then Debian's own python3 (and the
# rest of /usr/bin): a python3 earlier in PATH may be a version manager's shim (pyenv's costs
# 0.35 s a call, Debian's 0.03 s) without Debian's python3-yaml and friends. The tests call both
# thousands of times.
case ":$PATH:" in *":$PG_BIN:/usr/bin:"*) ;; *) export PATH="$PG_BIN:/usr/bin:$PATH" ;; esac
PG_PASSWORD=${PG_PASSWORD:-secret-pw}

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

pg_cluster_start() {
  : "${PG_DIR:?set PG_DIR}"
  PGDATA=$PG_DIR/data
  mkdir -p "$PG_DIR"
  chmod 755 "$PG_DIR"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$PG_DIR"
  PGPORT=$(free_port)
  echo "$PG_PASSWORD" >"$PG_DIR/pwfile"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$PG_DIR/pwfile"
  pg_template_copy "$PGDATA" || return 1
  # Nothing here must survive a crash. PG_JIT: the tests turn LLVM's JIT off (lib.sh).
  cat >>"$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$PG_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
jit = ${PG_JIT:-on}
max_connections = ${PG_MAX_CONNECTIONS:-200}
CONF
  pg_ctl_start
  export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGPASSWORD=$PG_PASSWORD PGDATABASE=postgres
}

# pg_template_copy DIR: a fresh cluster in DIR, copied from a pristine one made once per machine
# (initdb costs a test suite's worth of cluster starts about 3 s each; a copy, 0.2 s). The template
# is keyed by the server's version and the password, made under a lock, and renamed into place
# whole, so parallel tests never see half of one.
pg_template_copy() {
  local version template lock tmp
  version=$("$PG_BIN/postgres" --version | awk '{print $3}')
  template=${TMPDIR:-/tmp}/enumwatch-pg-template-$(id -u)-$version-$(printf '%s' "$PG_PASSWORD" | sha256sum | cut -c1-12)
  if [[ ! -f $template/PG_VERSION ]]; then
    lock=$template.lock
    (
      flock 9
      if [[ ! -f $template/PG_VERSION ]]; then
        tmp=$(mktemp -d "$template.XXXXXX")
        chmod 755 "$tmp"
        [[ $(id -u) -eq 0 ]] && chown postgres: "$tmp"
        printf '%s\n' "$PG_PASSWORD" >"$tmp/pwfile"
        [[ $(id -u) -eq 0 ]] && chown postgres: "$tmp/pwfile"
        # --no-sync: nothing here must survive a crash of the machine.
        as_pg "$PG_BIN/initdb" --no-sync -D "$tmp/data" -U postgres --auth=scram-sha-256 \
          --pwfile="$tmp/pwfile" -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 ||
          { cat "$tmp/initdb.log" >&2; rm -rf "$tmp"; exit 1; }
        mv "$tmp/data" "$template" && rm -rf "$tmp"
      fi
    ) 9>"$lock" || return 1
  fi
  cp -a "$template" "$1"
}

pg_ctl_start() {
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PG_DIR/server.log" -w -t 60 start >/dev/null
}

pg_stop() {
  [[ -n ${PGDATA:-} && -d $PGDATA ]] || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 20 stop >/dev/null 2>&1 ||
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
}

dsn_for() { echo "host=127.0.0.1 port=$PGPORT dbname=$1 user=postgres password=$PG_PASSWORD"; }
