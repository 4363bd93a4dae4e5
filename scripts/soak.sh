#!/usr/bin/env bash
# Crash soak: `cubeseg serve` killed with SIGKILL at random moments while uploads and jobs
# run (mid-upload, mid-job, between writing results and committing them), restarted each
# time; then every accepted upload and job is checked, and the data directory must hold no
# leftover file.
#
# Usage: scripts/soak.sh [ROUNDS=20] [BIN=.build/release/cubeseg]
# Exit status 0 when nothing was lost, stuck, duplicated or left behind; prints a summary.
set -uo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-20}"
BIN="${2:-.build/release/cubeseg}"
work=$(mktemp -d /tmp/cubeseg-soak.XXXXXX)
data="$work/data"
server=""
cleanup() { [ -n "$server" ] && kill -9 "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export CUBESEG_LEASE_SECONDS=2 CUBESEG_HEARTBEAT_SECONDS=0.5 CUBESEG_RETRY_BASE_SECONDS=0.2 CUBESEG_MAX_ATTEMPTS=50
fail() { echo "soak: FAILED: $*"; exit 1; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" 2>/dev/null; }

start() {
  "$BIN" serve --port 0 --data-dir "$data" --log-level warning > "$work/server.out" 2>&1 &
  server=$!
  for _ in $(seq 300); do grep -q "listening on" "$work/server.out" && break; sleep 0.1; done
  base=$(grep -o "http://[0-9.]*:[0-9]*" "$work/server.out" | head -1)
  [ -n "$base" ] || { cat "$work/server.out"; fail "the server did not start"; }
}

# Cubes of a few sizes, made once: small ones for jobs, a larger one so that some kills land
# inside an upload.
for s in 24 32 40; do "$BIN" synth maxrf "$work/c$s.npy" --size "$s" --channels 128 --seed "$s" > /dev/null; done
"$BIN" synth maxrf "$work/big.npy" --size 192 --channels 1024 --seed 7 > /dev/null
: > "$work/cubes.txt"; : > "$work/jobs.txt"

start
for round in $(seq "$ROUNDS"); do
  # Traffic in the background: uploads (remembered with their hash once answered 201) and
  # jobs on them (remembered once answered 202).
  (
    for i in 1 2 3; do
      f="$work/c$(( (RANDOM % 3) * 8 + 24 )).npy"
      [ $((RANDOM % 3)) -eq 0 ] && f="$work/big.npy"
      r=$(curl -s -m 60 -T "$f" "$base/v1/cubes?name=r$round")
      id=$(echo "$r" | json 'd["id"]') || continue
      [ -n "$id" ] || continue
      echo "$id $(sha256sum "$f" | cut -d' ' -f1)" >> "$work/cubes.txt"
      [ "$f" = "$work/big.npy" ] && continue
      j=$(curl -s -m 60 -H 'Content-Type: application/json' \
          -d "{\"cube_id\":\"$id\",\"params\":{\"epochs\":15,\"k_max\":4}}" "$base/v1/jobs" | json 'd["id"]')
      [ -n "$j" ] && echo "$j" >> "$work/jobs.txt"
    done
  ) &
  traffic=$!
  # A random moment within the next 3 s.
  sleep "$(python3 -c "import random; print(round(random.uniform(0.05, 3.0), 2))")"
  kill -9 "$server"; wait "$server" 2>/dev/null
  wait "$traffic" 2>/dev/null
  start
done

# Let every job finish (each may run again after the kills; attempts are plenty).
sort -u "$work/jobs.txt" -o "$work/jobs.txt"
lost=0; stuck=0; failed=0
while read -r job; do
  state=""
  for _ in $(seq 40); do
    state=$(curl -s -m 70 "$base/v1/jobs/$job?wait=30&until=finished" | json 'd.get("state", "missing")')
    case "$state" in succeeded|failed|cancelled|missing) break ;; esac
  done
  case "$state" in
    succeeded) ;;
    missing) lost=$((lost + 1)); echo "lost job $job" ;;
    failed) failed=$((failed + 1)); echo "failed job $job" ;;
    *) stuck=$((stuck + 1)); echo "stuck job $job ($state)" ;;
  esac
done < "$work/jobs.txt"

# Every accepted upload is there with its bytes.
missing_cubes=0
while read -r id sha; do
  got=$(curl -s "$base/v1/cubes/$id" | json 'd["sha256"]')
  [ "$got" = "$sha" ] || { missing_cubes=$((missing_cubes + 1)); echo "lost cube $id"; }
done < "$work/cubes.txt"

# No job twice, and no file without a row: a last restart sweeps, then the files must match.
listed=$(curl -s "$base/v1/jobs?limit=200" | json 'len(d["items"])')
distinct=$(curl -s "$base/v1/jobs?limit=200" | json 'len(set(i["id"] for i in d["items"]))')
kill -9 "$server"; wait "$server" 2>/dev/null
start
leftovers=$(python3 - "$data" <<'EOF'
import os, sqlite3, sys
data = sys.argv[1]
db = sqlite3.connect(os.path.join(data, "cubeseg.sqlite"))
cubes = {r[0] for r in db.execute("SELECT id FROM cubes")}
results = {r[0] for r in db.execute("SELECT result_id FROM jobs WHERE result_id IS NOT NULL")}
models = {r[0] + ".json" for r in db.execute("SELECT id FROM models")}
extra = []
extra += ["uploads/" + f for f in os.listdir(os.path.join(data, "uploads"))]
extra += ["blobs/tmp/" + f for f in os.listdir(os.path.join(data, "blobs/tmp"))]
extra += ["blobs/cubes/" + f for f in os.listdir(os.path.join(data, "blobs/cubes")) if f not in cubes]
extra += ["blobs/results/" + f for f in os.listdir(os.path.join(data, "blobs/results")) if f not in results]
extra += ["blobs/models/" + f for f in os.listdir(os.path.join(data, "blobs/models")) if f not in models]
print(len(extra))
for e in extra[:10]: print(e, file=sys.stderr)
EOF
)
accepted_cubes=$(wc -l < "$work/cubes.txt"); accepted_jobs=$(wc -l < "$work/jobs.txt")
echo "soak: $ROUNDS kill -9, $accepted_cubes uploads and $accepted_jobs jobs accepted:" \
     "$missing_cubes uploads lost, $lost jobs lost, $stuck stuck, $failed failed," \
     "$((listed - distinct)) duplicated, $leftovers leftover files"
[ "$missing_cubes" -eq 0 ] && [ "$lost" -eq 0 ] && [ "$stuck" -eq 0 ] && [ "$failed" -eq 0 ] \
  && [ "$listed" -eq "$distinct" ] && [ "$leftovers" -eq 0 ] || fail "see above"
echo "soak: passed"
