#!/usr/bin/env bash
# Work on a shared machine: the same segmentation idle and with two other busy processes
# (`yes`) on the cores, for `cubeseg segment` and for a job of `cubeseg serve`, reported as
# the loaded / idle ratio (issue 9's target: at most 3x on 2 cores).
# Usage: scripts/bench_shared.sh CUBE [BIN=.build/release/cubeseg]    prints one JSON line last
set -uo pipefail
cd "$(dirname "$0")/.."
CUBE="$1"
BIN="${2:-.build/release/cubeseg}"
work=$(mktemp -d /tmp/cubeseg-shared-bench.XXXXXX)
hogs=()
server=""
cleanup() {
  for p in "${hogs[@]}"; do kill "$p" 2>/dev/null; done
  [ -n "$server" ] && { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; }
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
start_hogs() { for _ in 1 2; do yes > /dev/null & hogs+=($!); done; }
stop_hogs() { for p in "${hogs[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; hogs=(); }

cli() {  # seconds of one `cubeseg segment`
  rm -rf "$work/out"
  local t0; t0=$(now)
  "$BIN" segment "$CUBE" --out "$work/out" --threads "$(nproc)" --quiet > /dev/null 2>&1 || { echo "segment failed" >&2; exit 1; }
  echo "$(now) - $t0" | bc
}

"$BIN" serve --port 0 --data-dir "$work/data" --log-level warning > "$work/server.out" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q "listening on" "$work/server.out" && break; sleep 0.1; done
base=$(grep -o "http://[0-9.]*:[0-9]*" "$work/server.out" | head -1)
[ -n "$base" ] || { echo "the server did not start"; cat "$work/server.out"; exit 1; }
cube=$(curl -s -T "$CUBE" "$base/v1/cubes?name=shared" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p')
[ -n "$cube" ] || { echo "upload failed"; exit 1; }
service() {  # seconds from submission to a finished job, as a polling client sees it
  local t0 job state=""
  t0=$(now)
  job=$(curl -s -H 'Content-Type: application/json' -d "{\"cube_id\":\"$cube\"}" "$base/v1/jobs" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p')
  while [ "$state" != "succeeded" ] && [ "$state" != "failed" ]; do
    state=$(curl -s "$base/v1/jobs/$job?wait=30" | sed -n 's/.*"state" *: *"\([^"]*\)".*/\1/p')
  done
  [ "$state" = "succeeded" ] || { echo "service job $state" >&2; exit 1; }
  echo "$(now) - $t0" | bc
}

cli_idle=$(cli); svc_idle=$(service)
start_hogs
cli_loaded=$(cli); svc_loaded=$(service)
stop_hogs
ratio() { echo "scale=2; $1 / $2" | bc; }
echo "cubeseg segment: idle ${cli_idle} s, with two busy processes ${cli_loaded} s: $(ratio "$cli_loaded" "$cli_idle")x"
echo "service job:     idle ${svc_idle} s, with two busy processes ${svc_loaded} s: $(ratio "$svc_loaded" "$svc_idle")x"
echo "{\"bench\": \"shared_machine\", \"cores\": $(nproc), \"cli_idle_s\": $cli_idle, \"cli_loaded_s\": $cli_loaded, \"cli_ratio\": $(ratio "$cli_loaded" "$cli_idle"), \"service_idle_s\": $svc_idle, \"service_loaded_s\": $svc_loaded, \"service_ratio\": $(ratio "$svc_loaded" "$svc_idle")}"
