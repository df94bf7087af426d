#!/usr/bin/env bash
# Contract fuzzing of the reference server with schemathesis (PyPI): starts the built server
# (apps/reference/dist/cli.js; run `pnpm exec turbo run build` first) on a loopback port with a
# temporary data directory and 200 demo records, then lets schemathesis generate requests from its
# /openapi.json and check every answer: no 5xx, status codes, content types, headers and bodies as the
# document declares them. Configuration (the named false positives) in scripts/schemathesis.toml,
# generation hooks in scripts/schemathesis_hooks.py; see docs/decisions/110-reliability-suites.md.
#
#   bash scripts/schemathesis.sh [any other `st run` option]
#
# Environment: MAX_EXAMPLES (examples per operation and phase, default 50; the test command uses 25),
# SCHEMATHESIS_REPORT_DIR (JUnit report, default .tmp/schemathesis-report).
# Generation is deterministic: the same document gives the same requests on every run.
# Exit status: 0 when every check passes, 1 on failures, 3 when Python 3 with venv (or PyPI, for the
# first install) is not available, so the test command can skip or fail as the services do.
# Python 3.9+ with venv is needed; schemathesis is installed into .tmp/schemathesis-venv (pinned below)
# on the first run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/bootstrap.sh >/dev/null 2>&1 || true

SCHEMATHESIS_VERSION=4.32.5
venv="$root/.tmp/schemathesis-venv"
unavailable() { echo "schemathesis.sh: $1" >&2; exit 3; }
if [ ! -x "$venv/bin/st" ] || ! "$venv/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  command -v python3 >/dev/null || unavailable "python3 is not installed"
  python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 9))' 2>/dev/null ||
    unavailable "python3 (3.9+) with the venv and ensurepip modules is needed (Debian: apt-get install python3-venv)"
  rm -rf "$venv"
  python3 -m venv "$venv" || unavailable "python3 -m venv failed"
  "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION" || { rm -rf "$venv"; unavailable "pip could not install schemathesis==$SCHEMATHESIS_VERSION from PyPI"; }
fi

cli="$root/apps/reference/dist/cli.js"
[ -f "$cli" ] || { echo "schemathesis.sh: $cli is missing; build first (pnpm exec turbo run build)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/rk-schemathesis-XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

token=schemathesis-curator-token-0001
# No rate limit (schemathesis sends thousands of requests from one address), quiet logs.
echo 'export default { rateLimit: false, logging: { level: "warn" }, identity: { devToken: false } };' > "$work/recordkit.config.mjs"
export RECORDKIT_DATA_DIR="$work/data" RECORDKIT_TOKENS="$token:fuzzer:curator" DATABASE_URL= ELASTICSEARCH_URL=
(cd "$work" && node "$cli" demo --count 200 >/dev/null)
(cd "$work" && exec node "$cli" serve --port 0 --no-demo) 2> "$work/serve.log" &
server_pid=$!
url=
for _ in $(seq 1 200); do
  url=$(grep -o 'listening on http://[^/ ]*' "$work/serve.log" | head -1 | sed 's/listening on //') || true
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "schemathesis.sh: the server did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
echo "schemathesis.sh: fuzzing $url/openapi.json"

export SCHEMATHESIS_HOOKS="$root/scripts/schemathesis_hooks.py" RK_OPENAPI_URL="$url/openapi.json"
"$venv/bin/st" --config-file "$root/scripts/schemathesis.toml" run "$url/openapi.json" \
  --url "$url" \
  --header "Authorization: Bearer $token" \
  --max-examples "${MAX_EXAMPLES:-50}" \
  --generation-deterministic \
  --report junit --report-dir "${SCHEMATHESIS_REPORT_DIR:-$root/.tmp/schemathesis-report}" \
  "$@"
