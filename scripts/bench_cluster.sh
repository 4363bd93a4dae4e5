#!/usr/bin/env bash
# The cluster's queue and its job-status poll, PostgreSQL next to SQLite in one run:
# - claim-and-finish throughput of 2,000 empty jobs with 1, 2 and 4 worker processes
#   (`cubeseg-bench queue`), on each store;
# - GET /v1/jobs/{id} under wrk (2 threads, 32 connections, 10 s) against `cubeseg serve` on
#   each store, requests/s and p99, and their ratio.
# Needs CUBESEG_TEST_POSTGRES_URL (run it under scripts/with_pg_test_server.sh, as make bench does).
# Usage: scripts/bench_cluster.sh [BINDIR=.build/release]
set -uo pipefail
cd "$(dirname "$0")/.."
BINDIR="${1:-.build/release}"
PG="${CUBESEG_TEST_POSTGRES_URL:?run under scripts/with_pg_test_server.sh}"
work=$(mktemp -d /tmp/cubeseg-cluster-bench.XXXXXX)
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT

echo "== claim-and-finish throughput of empty jobs (jobs/s)"
declare -A qps
for p in 1 2 4; do
  for store in postgres sqlite; do
    url=""; [ $store = postgres ] && url="$PG"
    line=$("$BINDIR/cubeseg-bench" queue --store "$url" --processes $p --jobs 2000)
    qps[$store$p]=$(echo "$line" | python3 -c "import json,sys; print(round(json.load(sys.stdin)['jobs_per_second']))")
  done
  echo "  $p process(es): postgres ${qps[postgres$p]}, sqlite ${qps[sqlite$p]}"
done

"$BINDIR/cubeseg" synth maxrf "$work/cube.npy" --size 16 --channels 64 --seed 1 > /dev/null
poll() {   # store URL ("" for SQLite) -> "rps p99"
  local schema="pollbench_$RANDOM$RANDOM" url="$1"
  case "$url" in "") ;; *\?*) url="$url&schema=$schema" ;; *) url="$url?schema=$schema" ;; esac
  "$BINDIR/cubeseg" serve --port 0 --data-dir "$work/data-$schema" --store "$url" --log-level warning > "$work/server.out" 2>&1 &
  server=$!
  for _ in $(seq 100); do grep -q "listening on" "$work/server.out" && break; sleep 0.1; done
  local base; base=$(grep -o "http://[0-9.]*:[0-9]*" "$work/server.out" | head -1)
  local cube job
  cube=$(curl -s -T "$work/cube.npy" "$base/v1/cubes?name=poll" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p')
  job=$(curl -s -H 'Content-Type: application/json' -d "{\"cube_id\":\"$cube\",\"params\":{\"epochs\":5}}" \
    "$base/v1/jobs" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p')
  curl -s "$base/v1/jobs/$job?wait=30&until=finished" > /dev/null
  wrk -t2 -c32 -d10s --latency "$base/v1/jobs/$job" > "$work/wrk.txt"
  kill $server; wait $server 2>/dev/null; server=""
  echo "$(awk '/Requests\/sec/ {print int($2)}' "$work/wrk.txt") $(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
}
if command -v wrk > /dev/null; then
  read -r pg_rps pg_p99 <<< "$(poll "$PG")"
  read -r lite_rps lite_p99 <<< "$(poll "")"
  ratio=$(python3 -c "print(round($pg_rps / $lite_rps, 2))")
  echo "== GET /v1/jobs/{id}: postgres $pg_rps requests/s (p99 $pg_p99), sqlite $lite_rps requests/s (p99 $lite_p99): ratio $ratio"
else
  echo "(wrk not installed) poll benchmark skipped"; pg_rps=null; lite_rps=null; pg_p99=""; lite_p99=""; ratio=null
fi
echo "{\"bench\": \"cluster\", \"queue_jobs_per_s\": {\"postgres\": [${qps[postgres1]}, ${qps[postgres2]}, ${qps[postgres4]}], \"sqlite\": [${qps[sqlite1]}, ${qps[sqlite2]}, ${qps[sqlite4]}], \"processes\": [1, 2, 4]}, \"poll_requests_per_s\": {\"postgres\": $pg_rps, \"sqlite\": $lite_rps, \"ratio\": $ratio}, \"poll_p99\": {\"postgres\": \"$pg_p99\", \"sqlite\": \"$lite_p99\"}}"
