#!/usr/bin/env bash
# `make bench`: CubeSeg side by side with its peers, in one run, on this machine.
#
# Prints one JSON line per measurement and a summary table; writes everything to
# bench-out/. Peers run where their environment exists (they are large installs, kept out
# of CI and of the project's dependencies):
#   PEER_PY  python with torch + scikit-learn + scipy (the paper's PyTorch code and sklearn);
#            default /tmp/peer/bin/python. Set it up with:
#            python3 -m venv /tmp/peer && /tmp/peer/bin/pip install torch scikit-learn scipy numpy
#   BENCH_SIZE  side of the end-to-end MA-XRF cube (default 256), BENCH_QUICK=1 skips the
#            2 GB read benchmark and the PyTorch end-to-end run.
set -uo pipefail
cd "$(dirname "$0")/.."
FLAGS="-c release -Xswiftc -enable-testing"
swift build $FLAGS --product cubeseg >/dev/null && swift build $FLAGS --product cubeseg-bench >/dev/null || exit 1
BIN=.build/release
OUT=bench-out
mkdir -p "$OUT"
PEER_PY="${PEER_PY:-/tmp/peer/bin/python}"
SIZE="${BENCH_SIZE:-256}"
have_peer() { [ -x "$PEER_PY" ] && "$PEER_PY" -c "import $1" 2>/dev/null; }
log() { echo "$@" | tee -a "$OUT/bench.jsonl"; }
: > "$OUT/bench.jsonl"
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== sgemm peak (2 threads)"
log "$($BIN/cubeseg-bench sgemm-peak)"

echo "== training throughput, input 1024, batch 512, 2 threads (reference_dsc.py's architecture)"
log "$($BIN/cubeseg-bench train --arch reference --rows 10240 --epochs 3 --threads 2)"
if have_peer torch; then
  log "{\"bench\": \"train_torch\", \"line\": \"$(OMP_WAIT_POLICY=PASSIVE "$PEER_PY" scripts/bench_torch.py reference 10240 3 2)\"}"
else
  echo "(no PyTorch at $PEER_PY: peer training throughput skipped)"
fi

echo "== exact silhouette, 100,000 points, dimension 8"
log "$($BIN/cubeseg-bench silhouette --n 100000 --dim 8 --sample 0)"
echo "== k-means, Lloyd 20 iterations, K = 10, 1,000,000 points of dimension 8"
log "$($BIN/cubeseg-bench kmeans --n 1000000 --dim 8 --k 10 --iterations 20)"
if have_peer sklearn; then
  log "$("$PEER_PY" scripts/bench_sklearn.py --only kmeans)"
else
  echo "(no scikit-learn at $PEER_PY: peer k-means skipped)"
fi

echo "== end to end: ${SIZE} x ${SIZE} x 1024 MA-XRF cube at 120 counts per pixel, K chosen automatically"
CUBE="$OUT/maxrf${SIZE}.npy"
[ -f "$CUBE" ] || $BIN/cubeseg synth maxrf "$CUBE" --size "$SIZE" --channels 1024 --counts 120 --seed 0 >/dev/null
/usr/bin/time -v $BIN/cubeseg segment "$CUBE" --out "$OUT/maxrf${SIZE}-result" --truth "${CUBE%.npy}_labels.npy" \
  --threads 2 --quiet > "$OUT/e2e.txt" 2> "$OUT/e2e.time"
cat "$OUT/e2e.txt"
peak_kb=$(grep "Maximum resident" "$OUT/e2e.time" | awk '{print $NF}')
wall=$(grep "Elapsed (wall" "$OUT/e2e.time" | awk '{print $NF}')
cube_mb=$(( SIZE * SIZE * 1024 * 4 / 1048576 ))
log "{\"bench\": \"end_to_end\", \"size\": $SIZE, \"wall\": \"$wall\", \"peak_rss_mb\": $((peak_kb / 1024)), \"cube_float32_mb\": $cube_mb, \"memory_target_mb\": $((2 * cube_mb + 200))}"
if have_peer torch && have_peer sklearn && [ -z "${BENCH_QUICK:-}" ]; then
  echo "== the paper's method in PyTorch on the same cube (reference_dsc.py, 10 epochs, gamma 0, K 2...10) and scikit-learn baselines"
  "$PEER_PY" ../shared/bench/reference_dsc.py "$CUBE" "${CUBE%.npy}_labels.npy" --epochs 10 --gamma 0 --threads 2 \
    --kmin 2 --kmax 10 --json "$OUT/peer_e2e.json" > /dev/null 2>&1 && log "{\"bench\": \"end_to_end_peer\", \"result\": $(tr -d '\n ' < "$OUT/peer_e2e.json")}"
fi

echo "== shared machine: the end-to-end cube idle and with two other busy processes (CLI and a service job)"
log "$(scripts/bench_shared.sh "$CUBE" "$BIN/cubeseg" | tee "$OUT/shared.txt" | tail -1)"
grep -v '^{' "$OUT/shared.txt"

echo "== service: wrk on a job while it trains, a 1 GiB upload, peak memory"
log "$(scripts/bench_service.sh "$BIN/cubeseg" | tee "$OUT/service.txt" | tail -1)"
grep -v '^{' "$OUT/service.txt"

echo "== cluster: the PostgreSQL queue and job polls next to SQLite's (a private PostgreSQL server)"
log "$(scripts/with_pg_test_server.sh scripts/bench_cluster.sh "$BIN" | tee "$OUT/cluster.txt" | tail -1)"
grep -v '^{' "$OUT/cluster.txt"

if [ -z "${BENCH_QUICK:-}" ] && [ -x scripts/bench_read.sh ]; then
  echo "== read throughput per format (2 GiB cube)"
  scripts/bench_read.sh | tee -a "$OUT/read.txt"
fi
echo "== all figures: $OUT/bench.jsonl"
