# A throwaway PostgreSQL 15 cluster for tests, the demo and the benchmark. Source it with
# PG_DIR set to a directory it may fill; call pg_cluster_start, and pg_stop when done.
# As root, the server runs as the postgres user (runuser); it listens on 127.0.0.1 on a free port
# and on a unix socket in $PG_DIR. Exports PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
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
  as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=scram-sha-256 --pwfile="$PG_DIR/pwfile" \
    -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  cat >>"$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$PG_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = ${PG_MAX_CONNECTIONS:-200}
CONF
  pg_ctl_start
  export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGPASSWORD=$PG_PASSWORD PGDATABASE=postgres
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
