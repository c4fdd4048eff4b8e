#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1 for the queue tests and prints its URL.
#   export LONGTAIL_TEST_POSTGRES_URL=$(scripts/start-test-postgres.sh)
# Idempotent: a cluster already running in the same folder is reused. Stop it with
#   scripts/start-test-postgres.sh --stop
# PostgreSQL refuses to run as root, so the cluster belongs to the `postgres` user when we are root.
set -euo pipefail

DIR="${LONGTAIL_PG_DIR:-/tmp/longtail-test-postgres}"
PORT="${LONGTAIL_PG_PORT:-54329}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [[ -z "${BIN}" || ! -x "${BIN}/initdb" ]]; then
  echo "start-test-postgres: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

as_owner() {
  if [[ "$(id -u)" == "0" ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [[ "${1:-}" == "--stop" ]]; then
  if [[ -f "${DIR}/data/postmaster.pid" ]]; then
    as_owner "${BIN}/pg_ctl" -D "${DIR}/data" -m fast -w stop >&2
  fi
  exit 0
fi

if [[ ! -f "${DIR}/data/PG_VERSION" ]]; then
  mkdir -p "${DIR}"
  if [[ "$(id -u)" == "0" ]]; then chown postgres:postgres "${DIR}"; fi
  as_owner "${BIN}/initdb" -D "${DIR}/data" -U postgres --auth=trust --no-sync \
    --encoding=UTF8 --locale=C.UTF-8 >"${DIR}/initdb.log" 2>&1 || {
      cat "${DIR}/initdb.log" >&2
      exit 1
    }
fi

if ! as_owner "${BIN}/pg_ctl" -D "${DIR}/data" status >/dev/null 2>&1; then
  # Tests only: no fsync, sockets in the cluster folder, enough connections for 8x4 workers.
  as_owner "${BIN}/pg_ctl" -D "${DIR}/data" -l "${DIR}/server.log" -w -t 30 \
    -o "-h 127.0.0.1 -p ${PORT} -k ${DIR} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >&2 || {
      tail -n 20 "${DIR}/server.log" >&2
      exit 1
    }
fi

echo "postgresql://postgres@127.0.0.1:${PORT}/postgres"
