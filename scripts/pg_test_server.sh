#!/usr/bin/env bash
# A private, throw-away PostgreSQL server for the test run: Unix socket only (no TCP),
# trust auth, fsync off, a fresh cluster on every start.
#
# Usage: scripts/pg_test_server.sh start DIR   # prints one line: the connection URL
#        scripts/pg_test_server.sh stop DIR    # quiet when nothing runs
#
# DIR (e.g. .build/pg-test) holds data/, server.log and state. The URL printed by `start`
# is postgres://cubeseg@localhost/cubeseg_test?host=SOCKDIR (socket SOCKDIR/.s.PGSQL.5432).
# Run as root, the server runs as the `postgres` OS user; otherwise as the current user.
# Everything but the URL goes to stderr.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
[ -n "$2" ] || usage
if [ "$cmd" = stop ] && [ ! -d "$2" ]; then exit 0; fi # nothing was ever started there
mkdir -p "$2"
DIR=$(cd "$2" && pwd)
STATE="$DIR/state"

note() { echo "pg_test_server: $*" >&2; }

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/pg_ctl" ]; then
  note "no PostgreSQL server found under /usr/lib/postgresql/*/bin (apt-get install postgresql)"
  exit 1
fi

if [ "$(id -u)" = 0 ]; then
  SERVER_USER=postgres
  id -u "$SERVER_USER" >/dev/null 2>&1 || { note "running as root but no '$SERVER_USER' OS user"; exit 1; }
  # cd / so the server user never needs access to the caller's working directory.
  as_server() { (cd / && runuser -u "$SERVER_USER" -- "$@"); }
  give() { chown "$SERVER_USER:" "$@"; }
else
  SERVER_USER=$(id -un)
  as_server() { (cd / && "$@"); }
  give() { :; }
fi

# state: KEY=value lines, parsed (never sourced).
read_state() {
  S_DATA="" S_SOCK="" S_LOG="" S_TMP=""
  [ -f "$STATE" ] || return 0
  local k v
  while IFS='=' read -r k v; do
    case $k in
      data) S_DATA=$v ;; sock) S_SOCK=$v ;; log) S_LOG=$v ;; tmp) S_TMP=$v ;;
    esac
  done <"$STATE"
}

running() { [ -n "$1" ] && [ -d "$1" ] && as_server "$PGBIN/pg_ctl" status -D "$1" >/dev/null 2>&1; }

do_stop() {
  read_state
  local data=${S_DATA:-$DIR/data}
  if running "$data"; then
    as_server "$PGBIN/pg_ctl" -D "$data" -m fast -w -t 60 stop >&2 || note "pg_ctl stop failed"
  fi
  case $S_SOCK in /tmp/cubeseg-pgsock.*) rm -rf "$S_SOCK" ;; esac
  if [ -n "$S_TMP" ]; then
    # Fallback cluster under /tmp: keep its log next to DIR for post-mortems, drop the rest.
    [ -f "$S_LOG" ] && cp "$S_LOG" "$DIR/server.log" 2>/dev/null || true
    case $S_TMP in /tmp/cubeseg-pg.*) rm -rf "$S_TMP" ;; esac
  fi
  rm -f "$STATE"
}

do_start() {
  do_stop # a server left over from an earlier run on DIR

  local base=$DIR tmp=""
  if [ "$(id -u)" = 0 ] && ! runuser -u "$SERVER_USER" -- test -x "$DIR"; then
    tmp=$(mktemp -d /tmp/cubeseg-pg.XXXXXX)
    base=$tmp
    note "user '$SERVER_USER' cannot reach $DIR; using $tmp for the cluster instead"
  fi
  local data="$base/data" log="$base/server.log"
  local sock
  sock=$(mktemp -d /tmp/cubeseg-pgsock.XXXXXX)
  printf 'data=%s\nsock=%s\nlog=%s\ntmp=%s\n' "$data" "$sock" "$log" "$tmp" >"$STATE"

  rm -rf "$data"
  mkdir -p "$data"
  : >"$log"
  give "$base" "$data" "$log" "$sock"
  chmod 700 "$data" "$sock"

  fail() {
    note "FAILED: $*"
    if [ -s "$log" ]; then
      note "last 30 lines of $log:"
      tail -n 30 "$log" >&2
    fi
    do_stop || true
    exit 1
  }

  as_server "$PGBIN/initdb" -D "$data" -U cubeseg --auth=trust -E UTF8 --locale=C --no-sync \
    >>"$log" 2>&1 || fail "initdb"
  cat >>"$data/postgresql.conf" <<EOF

# pg_test_server.sh: private test server
listen_addresses = ''
unix_socket_directories = '$sock'
port = 5432
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 64MB
EOF
  as_server "$PGBIN/pg_ctl" -D "$data" -l "$log" -w -t 60 start >&2 || fail "pg_ctl start"
  as_server "$PGBIN/createdb" -h "$sock" -p 5432 -U cubeseg cubeseg_test >&2 || fail "createdb"

  note "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') running as $SERVER_USER, data $data, socket $sock"
  echo "postgres://cubeseg@localhost/cubeseg_test?host=$sock"
}

case $cmd in
  start) do_start ;;
  stop) do_stop ;;
  *) usage ;;
esac
