#!/usr/bin/env bash
# Runs CMD with a private PostgreSQL server (scripts/pg_test_server.sh) and
# CUBESEG_TEST_POSTGRES_URL pointing at it; the server is stopped afterwards in every case.
#
# Usage: scripts/with_pg_test_server.sh CMD [ARG...]
# Exit status: CMD's (or pg_test_server.sh's when the server cannot start).
# PG_TEST_DIR overrides the server directory (default: .build/pg-test in the repository).
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 CMD [ARG...]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
dir=${PG_TEST_DIR:-$here/../.build/pg-test}

CUBESEG_TEST_POSTGRES_URL=$("$here/pg_test_server.sh" start "$dir")
export CUBESEG_TEST_POSTGRES_URL
trap '"$here/pg_test_server.sh" stop "$dir" || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
echo "with_pg_test_server: CUBESEG_TEST_POSTGRES_URL=$CUBESEG_TEST_POSTGRES_URL" >&2

set +e
"$@"
status=$?
set -e
exit "$status"
