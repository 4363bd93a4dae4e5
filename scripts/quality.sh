#!/usr/bin/env bash
# `make quality`: CubeSeg with default parameters on a suite of cubes with ground truth,
# next to PCA(10) + k-means on the same cubes (and scikit-learn's k-means and Gaussian
# mixture where PEER_PY has scikit-learn). Writes quality-out/quality.jsonl and prints the
# table. The suite:
#   - CubeSeg's own generators over a grid (counts 20...5000, 256...4096 channels, 3...12
#     classes, a 1% class, mixed pixels, an intensity gradient, a dark class, strong scatter;
#     IFU galaxies),
#   - an independent simulator in Python/numpy (scripts/sim, its own physics and noise):
#     MA-XRF paintings, IFU galaxies and airborne imaging-spectrometer scenes,
#   - the real cubes in ../shared/data (when present).
# QUALITY_QUICK=1 runs a small subset (a few minutes); QUALITY_ONLY=TEXT only cubes whose
# name contains TEXT; QUALITY_PARAMS='{"k_criterion": "silhouette"}' changes parameters.
# QUALITY_HELDOUT=SEED (`make quality-heldout`) runs instead a suite drawn afresh from SEED
# (scripts/draw_heldout.py: QUALITY_HELDOUT_COUNT cubes, default 16, and 4 airborne
# scenes; settings and seeds no default was tuned to) and writes to quality-out/heldout-SEED.
set -uo pipefail
cd "$(dirname "$0")/.."
FLAGS="-c release -Xswiftc -enable-testing"
swift build $FLAGS --product cubeseg >/dev/null && swift build $FLAGS --product cubeseg-bench >/dev/null || exit 1
BIN=.build/release
# The outside simulator's cubes depend on the SIMD path numpy's dispatcher takes: its
# AVX-512 kernels (exp, log, sin, ...) round otherwise than its AVX2 ones, and the random
# streams diverge from there (on an AVX-512 machine 7 of the suite's 11 MA-XRF paintings
# differed, `xrf_k12` 0.685 at K = 12 against 0.875 at K = 11). Every figure in the README
# was drawn on the AVX2 path, so the simulator takes it wherever it runs (machines without
# AVX2 take their own). The names: numpy 2.4's dispatch groups and older numpy's AVX-512
# features; numpy ignores those it does not know.
SIM_DISPATCH="X86_V4 AVX512_ICL AVX512_SPR AVX512F AVX512CD AVX512_KNL AVX512_KNM AVX512_SKX AVX512_CLX AVX512_CNL"
sim() { NPY_DISABLE_CPU_FEATURES="$SIM_DISPATCH" python3 "$@"; }
SIM_STAMP="numpy $(python3 -c 'import numpy; print(numpy.__version__)' 2>/dev/null || echo absent), NPY_DISABLE_CPU_FEATURES=$SIM_DISPATCH"
OUT=quality-out
DATA="${QUALITY_DATA:-$OUT/cubes}"
PEER_PY="${PEER_PY:-/tmp/peer/bin/python}"
SIZE="${QUALITY_SIZE:-96}"
QUICK="${QUALITY_QUICK:-}"
HELDOUT="${QUALITY_HELDOUT:-}"

# The fixed suite: CubeSeg's grid, the independent simulator (paintings, galaxies,
# airborne scenes), the real cubes.
fixed_suite() {
mkdir -p "$OUT" "$DATA/grid"

# 1. CubeSeg's generators: name, then synth arguments.
GRID=(
  "maxrf_c20|maxrf --counts 20"
  "maxrf_c120|maxrf --counts 120"
  "maxrf_c400|maxrf --counts 400"
  "maxrf_c5000|maxrf --counts 5000"
  "maxrf_c400_ch256|maxrf --counts 400 --channels 256"
  "maxrf_c400_ch4096|maxrf --counts 400 --channels 4096"
  "maxrf_k3|maxrf --counts 400 --classes 3"
  "maxrf_k12|maxrf --counts 1000 --classes 12"
  "maxrf_rare|maxrf --counts 400 --classes 6 --rare-class"
  "maxrf_mixed|maxrf --counts 400 --mixing 0.3"
  "maxrf_gradient|maxrf --counts 400 --intensity-variation 1"
  "maxrf_dark|maxrf --counts 400 --classes 6 --dark-class"
  "maxrf_scatter|maxrf --counts 400 --scatter 6"
  "ifu_galaxy|ifu"
  "ifu_galaxy_faint|ifu --counts 2000"
)
[ -n "$QUICK" ] && GRID=("${GRID[0]}" "${GRID[3]}" "${GRID[8]}" "${GRID[13]}")
entries=()
for item in "${GRID[@]}"; do
  name=${item%%|*}; args=${item#*|}
  if [ ! -f "$DATA/grid/$name.npy" ]; then
    # shellcheck disable=SC2086
    $BIN/cubeseg synth $args "$DATA/grid/$name.npy" --size "$SIZE" --seed 3 >/dev/null || exit 1
  fi
  k=$(python3 -c "import numpy as np; l=np.load('$DATA/grid/${name}_labels.npy'); print(len(np.unique(l[l>=0])))")
  entries+=("{\"name\": \"$name\", \"cube\": \"$name.npy\", \"labels\": \"${name}_labels.npy\", \"true_k\": $k, \"kind\": \"${args%% *}\"}")
done
(IFS=,; echo "{\"generator\": \"cubeseg\", \"cubes\": [${entries[*]}]}") > "$DATA/grid/suite.json"
SUITES=(--suite "$DATA/grid/suite.json")

# 2. The independent simulator; its cubes are written again when it changed since.
SIMULATOR=(scripts/sim/make_suite.py scripts/sim/common.py scripts/sim/xrf.py scripts/sim/ifu.py scripts/sim/hsi.py)
# ... or when numpy or its dispatch path did (the stamp beside the manifest).
stale() { [ ! -f "$1" ] || [ -n "$(find "${SIMULATOR[@]}" -newer "$1")" ] || [ "$(cat "$1.simulator" 2>/dev/null)" != "$SIM_STAMP" ]; }
if stale "$DATA/pysim/suite.json"; then
  sim scripts/sim/make_suite.py "$DATA/pysim" ${QUICK:+--quick} >/dev/null || exit 1
  echo "$SIM_STAMP" > "$DATA/pysim/suite.json.simulator"
fi
SUITES+=(--suite "$DATA/pysim/suite.json")
# Its airborne imaging-spectrometer scenes (reflectance and radiance, scripts/sim/hsi.py).
if [ -z "$QUICK" ]; then
  if stale "$DATA/hsi/suite.json"; then
    sim scripts/sim/make_suite.py "$DATA/hsi" --hsi >/dev/null || exit 1
    echo "$SIM_STAMP" > "$DATA/hsi/suite.json.simulator"
  fi
  SUITES+=(--suite "$DATA/hsi/suite.json")
fi

# 3. Real cubes.
REAL=../shared/data
if [ -f "$REAL/samson.npy" ] && [ -z "$QUICK" ]; then
  cat > "$OUT/real-suite.json" <<JSON
{"generator": "real", "cubes": [
 {"name": "samson", "cube": "$(cd "$REAL" && pwd)/samson.npy", "labels": "$(cd "$REAL" && pwd)/samson_labels.npy", "true_k": 3, "kind": "reflectance"},
 {"name": "indian_pines", "cube": "$(cd "$REAL" && pwd)/indian_pines.npy", "labels": "$(cd "$REAL" && pwd)/indian_pines_labels.npy", "true_k": 16, "kind": "radiance"}
]}
JSON
  SUITES+=(--suite "$OUT/real-suite.json")
fi
}

# A suite drawn from a seed, for a measurement on cubes no default has seen.
heldout_suite() {
  if [[ ! "$HELDOUT" =~ ^[0-9]+$ ]]; then echo "QUALITY_HELDOUT must be a whole number (the seed), got '$HELDOUT'" >&2; exit 2; fi
  OUT="quality-out/heldout-$HELDOUT"; DATA="$OUT"
  mkdir -p "$OUT"
  if [ ! -f "$DATA/pysim/suite.json" ]; then
    echo "== drawing the held-out suite of seed $HELDOUT"
    sim scripts/draw_heldout.py "$DATA" "$HELDOUT" "$BIN/cubeseg" ${QUALITY_HELDOUT_COUNT:+--count "$QUALITY_HELDOUT_COUNT"} || exit 1
  fi
  SUITES=(--suite "$DATA/grid/suite.json" --suite "$DATA/pysim/suite.json")
}

if [ -n "$HELDOUT" ]; then heldout_suite; else fixed_suite; fi

# The outside simulator's cubes depend on numpy's random streams and SIMD path: they go with the figures.
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); simulator $SIM_STAMP"
$BIN/cubeseg-bench quality "${SUITES[@]}" --json "$OUT/quality.jsonl" --threads "$(nproc)" ${QUALITY_DUMP:+--dump "$QUALITY_DUMP"} \
  ${QUALITY_ONLY:+--only "$QUALITY_ONLY"} ${QUALITY_PARAMS:+--params "$QUALITY_PARAMS"} | tee "$OUT/quality.txt"

rm -f "$OUT/quality-peers.txt" "$OUT/quality-peers.jsonl" # a skipped run leaves no stale figures
if [ -x "$PEER_PY" ] && "$PEER_PY" -c "import sklearn" 2>/dev/null; then
  echo "== scikit-learn on the same cubes (same preprocessing: rebinned to <= 1024, log(1 + x) / max), true K; supervised reference"
  "$PEER_PY" scripts/quality_peers.py "$OUT/quality.jsonl" "${SUITES[@]}" --json "$OUT/quality-peers.jsonl" | tee "$OUT/quality-peers.txt"
else
  echo "(no scikit-learn at $PEER_PY: peer baselines skipped)"
fi
python3 scripts/quality_table.py "$OUT/quality.jsonl" $( [ -f "$OUT/quality-peers.jsonl" ] && echo "$OUT/quality-peers.jsonl" ) > "$OUT/quality.md"
echo "(the README's table: $OUT/quality.md)"
