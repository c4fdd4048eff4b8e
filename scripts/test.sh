#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: install everything the tests need (a PostgreSQL server and
# Chromium included), build, and run the whole suite with ctest. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build.sh --test
# Every C++ file is clang-formatted (.clang-format: Google, 100 columns).
if command -v clang-format >/dev/null; then
  git ls-files '*.cpp' '*.h' | xargs clang-format --dry-run --Werror
fi
# A throwaway PostgreSQL on 127.0.0.1 for the queue's conformance tests; stopped when we exit.
LONGTAIL_TEST_POSTGRES_URL=$(bash scripts/start-test-postgres.sh)
export LONGTAIL_TEST_POSTGRES_URL
trap 'bash scripts/start-test-postgres.sh --stop >/dev/null 2>&1 || true' EXIT
ctest --preset "$([ "${CI:-}" = "true" ] && echo ci || echo release)" --timeout 900
# In CI (or with LONGTAIL_ASAN=1) the suite runs a second time under AddressSanitizer, LeakSanitizer
# and UBSan (build-asan/). The browser, Slurm/Kubernetes, install and full-catalog tests only run
# above: they drive the same code through other processes and would double the run's time.
if [ "${CI:-}" = "true" ] || [ "${LONGTAIL_ASAN:-}" = 1 ]; then
  cmake --preset asan >/dev/null
  cmake --build --preset asan
  ctest --preset asan --timeout 900
fi
