#!/usr/bin/env bash
# A single-node Elasticsearch 9 on 127.0.0.1 for the integration tests, built from Maven Central
# artifacts by tools/elasticsearch-launcher (no distribution download, no Docker).
#
#   bash scripts/services/elasticsearch.sh up      build once, start (or reuse), wait, print ELASTICSEARCH_URL=...
#   bash scripts/services/elasticsearch.sh down    stop (when no other run still uses it; --force: always)
#   bash scripts/services/elasticsearch.sh status  print the URL if running
#
# Environment: ELASTICSEARCH_HEAP (default 512m), ELASTICSEARCH_PORT (default: any free port),
# RECORDKIT_JAVA_HOME (a JDK 21+; default: the newest under /usr/lib/jvm), RECORDKIT_SERVICE_TIMEOUT (s, default 300).
# Data and logs: .data/services/elasticsearch/ (wiped on each fresh start).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rk_name=elasticsearch
rk_url_key=ELASTICSEARCH_URL
rk_state="$root/.data/services/elasticsearch"
rk_port="${ELASTICSEARCH_PORT:-0}"
# shellcheck source=../../tools/jvm-service.sh
. "$root/tools/jvm-service.sh"

project="$root/tools/elasticsearch-launcher"
case "${1:-}" in
  up)
    rk_find_java 21
    rk_build "$project" "$project/target"
    rk_up org.elasticsearch.node.RecordKitElasticsearch "$project/target/classes:$(cat "$project/target/classpath.txt")" \
      "${ELASTICSEARCH_HEAP:-512m}" --enable-native-access=ALL-UNNAMED -Drecordkit.es.log="${ELASTICSEARCH_LOG_LEVEL:-WARN}"
    ;;
  down) rk_down "${2:-}" ;;
  status) rk_status ;;
  *)
    echo "usage: $0 up|down [--force]|status" >&2
    exit 2
    ;;
esac
