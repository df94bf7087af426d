# Shared by scripts/services/elasticsearch.sh and scripts/services/opensearch.sh (sourced, not run):
# build a launcher project in tools/ with Maven (once; Maven caches artifacts in ~/.m2), start it as a
# detached JVM, wait until the engine answers, and stop it again. See docs/decisions/060-search-engines-from-maven-central.md.
#
# State lives in .data/services/<name>/ (git-ignored): pid, users, url, service.log, build.log, home/.
# `up` on an engine that is already running reuses it and counts one more user; `down` stops it when the
# last user leaves (`down --force` stops it regardless). Two test runs in one checkout can so share it.

rk_log() { echo "$rk_name: $*" >&2; }
rk_fail() { rk_log "ERROR: $*"; exit 1; }

# rk_java_major <java binary> -> feature version (17, 21, 25), or nothing.
rk_java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}

# rk_find_java <min> [max]: sets RK_JAVA_HOME to a JDK whose major version is in [min, max], newest first.
# Looks at RECORDKIT_JAVA_HOME, JAVA_HOME, then every JDK under /usr/lib/jvm.
rk_find_java() {
  local min="$1" max="${2:-999}" best="" best_major=0 candidate major
  for candidate in "${RECORDKIT_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major="$(rk_java_major "$candidate/bin/java")"
    [ -n "$major" ] || continue
    if [ "$major" -ge "$min" ] && [ "$major" -le "$max" ]; then
      if [ -n "${RECORDKIT_JAVA_HOME:-}" ] && [ "$candidate" = "$RECORDKIT_JAVA_HOME" ]; then best="$candidate"; break; fi
      if [ "$major" -gt "$best_major" ]; then best="$candidate"; best_major="$major"; fi
    fi
  done
  [ -n "$best" ] || rk_fail "needs a JDK with Java $min..$max (javac included); none found in RECORDKIT_JAVA_HOME, JAVA_HOME or /usr/lib/jvm/*. Install one (e.g. Temurin 25) or point RECORDKIT_JAVA_HOME at it."
  RK_JAVA_HOME="$best"
}

# rk_build <project dir> <target dir> [maven args...]: `mvn compile` when the classes or the classpath
# file are missing or older than the pom or any source file. Serialized with flock: two runs may race.
rk_build() {
  local project="$1" target="$2"
  shift 2
  command -v mvn >/dev/null 2>&1 || rk_fail "needs Maven (mvn) on PATH to build $project"
  mkdir -p "$rk_state"
  (
    flock 9
    if [ -f "$target/classpath.txt" ] && [ -d "$target/classes" ] \
      && [ -z "$(find "$project/pom.xml" "$project/src" -newer "$target/classpath.txt" -print -quit 2>/dev/null)" ]; then
      exit 0
    fi
    rk_log "building $project with Maven (the first build downloads from Maven Central into ~/.m2)"
    if ! JAVA_HOME="$RK_JAVA_HOME" mvn -B -q -f "$project/pom.xml" "$@" compile >"$rk_state/build.log" 2>&1; then
      tail -n 40 "$rk_state/build.log" >&2
      rk_fail "Maven build failed (full log: $rk_state/build.log)"
    fi
    touch "$target/classpath.txt"
  ) 9>"$rk_state/build.lock"
}

rk_running() { [ -f "$rk_state/pid" ] && kill -0 "$(cat "$rk_state/pid")" 2>/dev/null; }

# rk_http_ok <url>: exit 0 when GET answers 2xx. curl when present, else Node's fetch.
rk_http_ok() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -m 70 -o /dev/null "$1" 2>/dev/null
  else
    node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(70000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"
  fi
}

# rk_up <main class> <classpath> <heap> [jvm options...]: reuse a running engine or start one, wait until
# `_cluster/health` reports yellow or green, then print "<URL_KEY>=<url>".
rk_up() {
  local main="$1" classpath="$2" heap="$3" timeout="${RECORDKIT_SERVICE_TIMEOUT:-300}" url="" waited=0
  shift 3
  mkdir -p "$rk_state"
  exec 8>"$rk_state/lifecycle.lock"
  flock 8
  if rk_running && [ -f "$rk_state/url" ] && rk_http_ok "$(cat "$rk_state/url")/_cluster/health?wait_for_status=yellow&timeout=60s"; then
    echo $(($(cat "$rk_state/users" 2>/dev/null || echo 0) + 1)) >"$rk_state/users"
    rk_log "already running at $(cat "$rk_state/url") (users: $(cat "$rk_state/users"))"
    echo "$rk_url_key=$(cat "$rk_state/url")"
    return 0
  fi
  if rk_running; then
    rk_log "a previous instance (pid $(cat "$rk_state/pid")) does not answer; stopping it"
    rk_stop
  fi
  rm -rf "$rk_state/home" "$rk_state/url"
  mkdir -p "$rk_state/home" "$rk_state/tmp"
  # setsid: the engine must outlive the shell that started it (the test command calls `down` later).
  # It must not inherit the lock descriptors (8, 9), or it would hold the lifecycle lock for its lifetime.
  setsid "$RK_JAVA_HOME/bin/java" -Xms"$heap" -Xmx"$heap" -Djava.io.tmpdir="$rk_state/tmp" -Dfile.encoding=UTF-8 \
    -XX:-HeapDumpOnOutOfMemoryError "$@" -cp "$classpath" "$main" "$rk_state/home" "${rk_port:-0}" \
    </dev/null >"$rk_state/service.log" 2>&1 8>&- 9>&- &
  echo $! >"$rk_state/pid"
  rk_log "starting (pid $(cat "$rk_state/pid"), heap $heap, log $rk_state/service.log)"
  while [ ! -s "$rk_state/home/url" ]; do
    if ! rk_running; then
      tail -n 40 "$rk_state/service.log" >&2
      rm -f "$rk_state/pid"
      rk_fail "the engine exited during start-up (full log: $rk_state/service.log)"
    fi
    if [ "$waited" -ge "$timeout" ]; then
      tail -n 40 "$rk_state/service.log" >&2
      rk_stop
      rk_fail "not ready after ${timeout}s (RECORDKIT_SERVICE_TIMEOUT); log: $rk_state/service.log"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  url="$(head -n1 "$rk_state/home/url")"
  if ! rk_http_ok "$url/_cluster/health?wait_for_status=yellow&timeout=60s"; then
    tail -n 40 "$rk_state/service.log" >&2
    rk_stop
    rk_fail "bound $url but the cluster never became healthy; log: $rk_state/service.log"
  fi
  echo "$url" >"$rk_state/url"
  echo 1 >"$rk_state/users"
  rk_log "ready at $url after ~${waited}s"
  echo "$rk_url_key=$url"
}

# rk_stop: SIGTERM (the launcher closes the node cleanly), SIGKILL after 30 s.
rk_stop() {
  local pid waited=0
  if rk_running; then
    pid="$(cat "$rk_state/pid")"
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 30 ]; do
      sleep 1
      waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
      rk_log "did not stop within 30s; killing pid $pid"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rk_log "stopped (pid $pid)"
  fi
  rm -f "$rk_state/pid" "$rk_state/url" "$rk_state/users"
}

# rk_down [--force]: one user fewer; stop when none is left.
rk_down() {
  mkdir -p "$rk_state"
  exec 8>"$rk_state/lifecycle.lock"
  flock 8
  local users
  users=$(($(cat "$rk_state/users" 2>/dev/null || echo 1) - 1))
  if [ "${1:-}" != "--force" ] && [ "$users" -gt 0 ] && rk_running; then
    echo "$users" >"$rk_state/users"
    rk_log "still used by $users other run(s); left running (\`down --force\` stops it)"
    return 0
  fi
  rk_stop
}

rk_status() {
  if rk_running && [ -f "$rk_state/url" ]; then
    echo "$rk_url_key=$(cat "$rk_state/url")"
    rk_log "running (pid $(cat "$rk_state/pid"), users $(cat "$rk_state/users" 2>/dev/null || echo '?'))"
  else
    rk_log "not running"
    return 3
  fi
}
