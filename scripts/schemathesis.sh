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

# Real ids, so that the operations on one cube, job or model reach their handlers rather
# than a 404: a small cube, a finished job on it, and the model it trained.
BASE="http://127.0.0.1:$PORT"
AUTH="Authorization: Bearer $TOKEN"
"$BIN" synth maxrf "$WORK/cube.npy" --size 24 --channels 64 --seed 3 > /dev/null
id_of() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
export ST_CUBE_ID="$(curl -s -H "$AUTH" -T "$WORK/cube.npy" "$BASE/v1/cubes?name=schemathesis" | id_of id)"
export ST_JOB_ID="$(curl -s -H "$AUTH" -H 'Content-Type: application/json' \
  -d "{\"cube_id\":\"$ST_CUBE_ID\",\"params\":{\"epochs\":5,\"k_max\":4}}" "$BASE/v1/jobs" | id_of id)"
export ST_MODEL_ID="$(curl -s -H "$AUTH" "$BASE/v1/jobs/$ST_JOB_ID?wait=60&until=finished" | id_of model_id)"
echo "real ids: cube $ST_CUBE_ID, job $ST_JOB_ID, model $ST_MODEL_ID"

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
