#!/usr/bin/env bash
# Installs dependencies (Debian packages, npm packages) and builds longtail in build/ (Release).
# Idempotent: a second run only rebuilds what changed. `--target NAME` builds one target (the quick
# start builds only `longtail`); other arguments go to scripts/install-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

target=()
deps_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target=(--target "$2"); shift 2 ;;
    *) deps_args+=("$1"); shift ;;
  esac
done
bash scripts/install-deps.sh "${deps_args[@]}"
# JS packages: the Foxglove schema generator used at build time, and the JS test clients.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

preset=release
[ "${CI:-}" = "true" ] && preset=ci   # warnings are errors in CI
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" "${target[@]}"
