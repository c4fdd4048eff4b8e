#!/usr/bin/env bash
# Installs dependencies (Debian packages, npm packages) and builds longtail in build/ (Release).
# Idempotent: a second run only rebuilds what changed. Extra arguments go to scripts/install-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh "$@"
# JS packages: the Foxglove schema generator used at build time, and the JS test clients.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

preset=release
[ "${CI:-}" = "true" ] && preset=ci   # warnings are errors in CI
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
