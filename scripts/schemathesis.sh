#!/usr/bin/env bash
# Runs schemathesis (PyPI) against a live local cubeseg and openapi.yaml, in a throwaway
# virtualenv, and fails if it reports any failure.
#
#   scripts/schemathesis.sh            # builds cubeseg in release first (make build)
#   CUBESEG_BIN=path/to/cubeseg MAX_EXAMPLES=100 scripts/schemathesis.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${CUBESEG_BIN:-$ROOT/.build/release/cubeseg}"
PORT="${PORT:-18089}"
MAX_EXAMPLES="${MAX_EXAMPLES:-30}"
TOKEN="schemathesis-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"

if [ ! -x "$BIN" ]; then make -C "$ROOT" build; fi

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# ST_VENV: an existing virtualenv with schemathesis (saves the install when iterating).
VENV="${ST_VENV:-$WORK/venv}"
if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check schemathesis
fi

# A fresh data directory, an admin token (so /metrics is reachable too), a small queue.
CUBESEG_TOKENS="schemathesis:$TOKEN:admin" CUBESEG_MAX_QUEUED_JOBS=20 CUBESEG_RETENTION_DAYS=0 \
  "$BIN" serve --host 127.0.0.1 --port "$PORT" --data-dir "$WORK/data" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

for _ in $(seq 1 100); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=1)" 2>/dev/null; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$WORK/server.log"; echo "cubeseg did not start" >&2; exit 1; fi
  sleep 0.1
done

status=0
"$VENV/bin/schemathesis" --config-file "$ROOT/scripts/schemathesis.toml" run "$ROOT/openapi.yaml" \
  --url "http://127.0.0.1:$PORT" \
  --header "Authorization: Bearer $TOKEN" \
  --checks all \
  --max-examples "$MAX_EXAMPLES" \
  --request-timeout 90 \
  || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 50 lines) ---" >&2
  tail -n 50 "$WORK/server.log" >&2
fi
exit "$status"
