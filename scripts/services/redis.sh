#!/usr/bin/env bash
# A throwaway Redis for the shared rate-limit suite (used by scripts/test.mjs, see its header).
#
#   bash scripts/services/redis.sh up      install if missing, start, print REDIS_URL=... on stdout
#   bash scripts/services/redis.sh down    one user fewer; stop the server and remove its folder when no
#                                          other user is left (`down --force`: regardless)
#
# `up` installs redis-server from Debian's packages when it is missing (needs root and apt-get),
# starts it on a free port of 127.0.0.1 with no persistence, in a git-ignored folder
# ($RECORDKIT_REDIS_DIR, default .tmp/redis), waits until it answers PING and prints the URL.
# Idempotent: `up` on a running server prints its URL again and counts one more user, so two runs can
# share it (as with the other services). Logs go to stderr.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${RECORDKIT_REDIS_DIR:-$root/.tmp/redis}"
log() { echo "redis.sh: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

install_redis() {
  [ "$(id -u)" = 0 ] || die "redis-server is not installed and installing it needs root (apt-get install redis-server)"
  command -v apt-get >/dev/null 2>&1 || die "redis-server is not installed and apt-get is not available"
  log "redis-server not found: installing Debian's package (apt-get install redis-server)"
  # Keep the package's own service from starting on port 6379: we run our own.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added_policy=1
  fi
  local status=0
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends redis-server
  } >&2 || status=$?
  [ "$added_policy" = 1 ] && rm -f "$policy"
  [ "$status" = 0 ] || die "apt-get install redis-server failed"
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

ping() { redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG; }

up() {
  command -v redis-server >/dev/null 2>&1 || install_redis
  mkdir -p "$dir"
  if [ -f "$dir/port" ] && ping "$(cat "$dir/port")"; then
    echo $(($(cat "$dir/users" 2>/dev/null || echo 0) + 1)) >"$dir/users"
    echo "REDIS_URL=redis://127.0.0.1:$(cat "$dir/port")"
    return
  fi
  local port
  port="$(free_port)"
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" >&2 9>&-
  echo "$port" >"$dir/port"
  for _ in $(seq 1 100); do
    if ping "$port"; then
      echo 1 >"$dir/users"
      log "up on 127.0.0.1:$port"
      echo "REDIS_URL=redis://127.0.0.1:$port"
      return
    fi
    sleep 0.1
  done
  die "redis-server did not answer on port $port; see $dir/redis.log"
}

down() {
  local users
  users=$(($(cat "$dir/users" 2>/dev/null || echo 1) - 1))
  if [ "${1:-}" != "--force" ] && [ "$users" -gt 0 ] && [ -f "$dir/port" ] && ping "$(cat "$dir/port")"; then
    echo "$users" >"$dir/users"
    log "still used by $users other run(s); left running (\`down --force\` stops it)"
    return
  fi
  if [ -f "$dir/redis.pid" ]; then
    local pid
    pid="$(cat "$dir/redis.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$dir"
}

# One `up` or `down` at a time, so the user count stays right when two runs start together.
mkdir -p "$(dirname "$dir")"
exec 9>"$dir.lock"
flock 9

case "${1:-}" in
  up) up ;;
  down) down "${2:-}" ;;
  *)
    echo "usage: $0 up|down [--force]" >&2
    exit 2
    ;;
esac
