#!/usr/bin/env bash
# A throwaway PostgreSQL for the test suites (used by scripts/test.mjs, see its header).
#
#   bash scripts/services/postgres.sh up      install if missing, start, print DATABASE_URL=... on stdout
#   bash scripts/services/postgres.sh down    one user fewer; stop the server and remove its folder when
#                                             no other user is left (`down --force`: regardless)
#   bash scripts/services/postgres.sh status  print DATABASE_URL=... and exit 0 when up, exit 1 when not
#
# `up` installs PostgreSQL from Debian's packages when no `initdb` is found (needs root and apt-get),
# creates a fresh cluster with initdb in a git-ignored folder ($RECORDKIT_POSTGRES_DIR, default
# .tmp/postgres), starts it on a free port on 127.0.0.1 only, waits until it accepts connections and
# prints the URL. The server runs as the `postgres` user when the script runs as root (PostgreSQL
# refuses to run as root). `up` on a running cluster prints its URL again and counts one more user (two
# test runs, or a run and a benchmark, share it); `down` stops it only when the last user leaves, as the
# Elasticsearch and OpenSearch scripts do; `down` on nothing does nothing. Logs go to stderr; only
# KEY=VALUE lines go to stdout.
#
# The cluster is for tests: durability settings are off (fsync, full_page_writes, synchronous_commit),
# which loses nothing when a process is killed, only when the machine itself crashes.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${RECORDKIT_POSTGRES_DIR:-$root/.tmp/postgres}"
data="$dir/data"
sock="$dir/socket"
envfile="$dir/env"
db_user=recordkit
db_name=recordkit

log() { echo "postgres.sh: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

find_bindir() {
  local d
  # Debian keeps every major version side by side; take the newest.
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then
    echo "$d"
  elif command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  fi
}

install_postgres() {
  [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)"
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is not installed and apt-get is not available"
  log "PostgreSQL not found: installing Debian's package (apt-get install postgresql)"
  # Keep the package's own "main" cluster from being started on port 5432: we run our own.
  # policy-rc.d is Debian's documented switch for that; only add it when none exists.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added_policy=1
  fi
  local status=0
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold postgresql
  } >&2 || status=$?
  [ "$added_policy" = 1 ] && rm -f "$policy"
  [ "$status" = 0 ] || die "apt-get install postgresql failed (exit $status)"
}

# The user the server runs as: ourselves, or a non-root account when we are root.
server_user() {
  if [ "$(id -u)" != 0 ]; then
    id -un
  elif id postgres >/dev/null 2>&1; then
    echo postgres
  else
    id recordkit-pg >/dev/null 2>&1 ||
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin recordkit-pg >&2
    echo recordkit-pg
  fi
}

as_server() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$run_as" -- "$@"
  else
    "$@"
  fi
}

free_port() {
  if command -v node >/dev/null 2>&1; then
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'
  else
    local p
    for _ in $(seq 1 50); do
      p=$((20000 + RANDOM % 40000))
      if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
        echo "$p"
        return
      fi
    done
    die "no free port found"
  fi
}

is_running() {
  [ -f "$data/postmaster.pid" ] && [ -f "$envfile" ] && as_server "$bindir/pg_ctl" status -D "$data" >/dev/null 2>&1
}

print_url() {
  cat "$envfile"
}

stop_cluster() {
  if [ -f "$data/postmaster.pid" ]; then
    log "stopping the cluster in $data"
    if ! as_server "$bindir/pg_ctl" stop -D "$data" -m fast -w -t 60 >&2; then
      # Only the postmaster this folder started: its pid is the first line of postmaster.pid.
      local pid
      pid="$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)"
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        log "pg_ctl stop failed; sending SIGQUIT to postmaster $pid"
        kill -QUIT "$pid" 2>/dev/null || true
      fi
    fi
  fi
}

up() {
  bindir="$(find_bindir)"
  if [ -z "$bindir" ]; then
    install_postgres
    bindir="$(find_bindir)"
    [ -n "$bindir" ] || die "initdb not found after installing postgresql"
  fi
  run_as="$(server_user)"

  if is_running; then
    echo $(($(cat "$dir/users" 2>/dev/null || echo 0) + 1)) >"$dir/users"
    log "already running ($data, users: $(cat "$dir/users"))"
    print_url
    return
  fi
  # A folder without a running server (a reboot, a killed run) is thrown away, like the cluster itself.
  stop_cluster
  rm -rf "$dir"
  mkdir -p "$dir" "$data" "$sock"
  chmod 755 "$dir"
  touch "$dir/postgres.log"
  chmod 700 "$data" "$sock"
  chmod 600 "$dir/postgres.log"
  [ "$(id -u)" = 0 ] && chown "$run_as" "$data" "$sock" "$dir/postgres.log"

  local password pwfile
  password="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
  pwfile="$(mktemp)"
  printf '%s\n' "$password" >"$pwfile"
  [ "$(id -u)" = 0 ] && chown "$run_as" "$pwfile"
  chmod 600 "$pwfile"
  log "initdb in $data (server user $run_as, $("$bindir/postgres" --version))"
  if ! as_server "$bindir/initdb" -D "$data" -U "$db_user" --pwfile="$pwfile" -E UTF8 --locale=C --no-sync \
    --auth-local=trust --auth-host=scram-sha-256 >&2; then
    rm -f "$pwfile"
    die "initdb failed"
  fi
  rm -f "$pwfile"
  cat >>"$data/postgresql.conf" <<EOF

# recordkit test cluster (scripts/services/postgres.sh)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sock'
max_connections = 300
shared_buffers = 128MB
fsync = off
full_page_writes = off
synchronous_commit = off
EOF

  local port attempt
  for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    log "starting on 127.0.0.1:$port (attempt $attempt)"
    # 9>&- : the server must not inherit the lock descriptor, or it would hold the lock while it runs.
    if as_server "$bindir/pg_ctl" start -D "$data" -l "$dir/postgres.log" -o "-p $port" -w -t 60 >&2 9>&-; then
      break
    fi
    log "start failed; the last lines of the log:"
    tail -n 5 "$dir/postgres.log" >&2 || true
    port=""
  done
  [ -n "$port" ] || die "the server did not start; see $dir/postgres.log"

  local i
  for i in $(seq 1 60); do
    if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then break; fi
    [ "$i" = 60 ] && die "the server does not accept connections on 127.0.0.1:$port"
    sleep 0.5
  done
  # The superuser's own database, named after it, so the URL works as is.
  as_server "$bindir/createdb" -h "$sock" -p "$port" -U "$db_user" "$db_name" >&2 || die "createdb failed"
  umask 077
  echo "DATABASE_URL=postgres://$db_user:$password@127.0.0.1:$port/$db_name" >"$envfile"
  echo 1 >"$dir/users"
  log "up: $data on 127.0.0.1:$port"
  print_url
}

down() {
  bindir="$(find_bindir)"
  [ -d "$dir" ] || {
    log "nothing to stop ($dir does not exist)"
    return
  }
  local users
  users=$(($(cat "$dir/users" 2>/dev/null || echo 1) - 1))
  if [ "${1:-}" != "--force" ] && [ "$users" -gt 0 ] && [ -n "$bindir" ]; then
    run_as="$(server_user)"
    if is_running; then
      echo "$users" >"$dir/users"
      log "still used by $users other run(s); left running (\`down --force\` stops it)"
      return
    fi
  fi
  if [ -n "$bindir" ]; then
    run_as="$(server_user)"
    stop_cluster
  fi
  rm -rf "$dir"
  log "down: removed $dir"
}

status() {
  bindir="$(find_bindir)"
  [ -n "$bindir" ] || die "PostgreSQL is not installed"
  run_as="$(server_user)"
  if is_running; then
    print_url
  else
    log "not running"
    exit 1
  fi
}

mkdir -p "$(dirname "$dir")"
exec 9>"$dir.lock"
flock 9

case "${1:-}" in
  up) up ;;
  down) down "${2:-}" ;;
  status) status ;;
  *)
    echo "usage: bash scripts/services/postgres.sh up | down [--force] | status" >&2
    exit 2
    ;;
esac
