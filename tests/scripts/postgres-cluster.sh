#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests of the PostgreSQL history store (NETTRIAGE_TEST_POSTGRES).
#   postgres-cluster.sh start DIR   makes and starts a cluster in the empty folder DIR, prints its URL
#   postgres-cluster.sh stop DIR    stops it, if it runs, and removes DIR
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$2

# Debian keeps the server's programs off the PATH, in one folder per major version.
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

# The server refuses to run as root, so root hands the cluster to the postgres system user.
# The programs start in / so that they never stumble on a working folder they cannot enter.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u "$owner" -- "$@")
  else
    (cd / && "$@")
  fi
}

case $cmd in
start)
  [ -x "$bindir/initdb" ] || { echo "$0: no PostgreSQL under /usr/lib/postgresql" >&2; exit 1; }
  dir=$(cd "$dir" && pwd)
  owner=$(id -un)
  if [ "$(id -u)" -eq 0 ]; then
    owner=postgres
    chown postgres: "$dir"
    # mktemp's folders are private to root; postgres also has to pass through DIR's parent.
    runuser -u postgres -- test -x "$dir" || chmod o+x "$(dirname "$dir")"
  fi
  chmod 700 "$dir"

  fail() {
    echo "$0: PostgreSQL did not start in $dir" >&2
    log=$dir/server.log
    [ -s "$log" ] || log=$dir/initdb.log
    [ -s "$log" ] && tail -n 30 "$log" >&2
    as_owner "$bindir/pg_ctl" -D "$dir/data" stop -m immediate >/dev/null 2>&1 || true
    exit 1
  }

  # Some minimal images lack the C.UTF-8 locale; plain C still gives a UTF8 database.
  initdb() { as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 "$@" >"$dir/initdb.log" 2>&1; }
  initdb --locale=C.UTF-8 || { rm -rf "$dir/data"; initdb --locale=C; } || fail

  # Another server (a second CI run, a developer's own) may already hold the usual ports.
  port=55432
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done

  # Reachable from this machine only, by TCP for the tests and by socket in DIR for nobody else's
  # /var/run/postgresql; durability is pointless for data that is thrown away.
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null 2>&1 || fail
  echo "postgresql://postgres@127.0.0.1:$port/postgres"
  ;;
stop)
  [ -d "$dir" ] || exit 0
  if [ -f "$dir/data/postmaster.pid" ] && [ -x "$bindir/pg_ctl" ]; then
    owner=$(stat -c %U "$dir/data")
    as_owner "$bindir/pg_ctl" -D "$dir/data" stop -m fast -w >/dev/null 2>&1 \
      || as_owner "$bindir/pg_ctl" -D "$dir/data" stop -m immediate -w >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*) usage ;;
esac
