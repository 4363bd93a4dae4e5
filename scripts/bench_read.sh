#!/usr/bin/env bash
# Read throughput and peak memory of CubeFormats on a 2 GiB float32 cube in every format,
# next to h5py / astropy / numpy reading the same files when the venv has them.
# Usage: scripts/bench_read.sh [DIR=/tmp/cubeseg-bench] [PYTHON=/tmp/fixenv/bin/python]
# Files are generated once in DIR (about 12 GB). Every reader, CubeSeg's and the peers',
# reads once to warm the page cache and is then timed REPEATS (default 5) times; medians
# are compared. "stream" reads ~16 MiB row blocks into a reused buffer (what the engine
# does); "all" reads the whole cube into one new array (peak RSS target: < 2.3 GB).
# Results: bench-out/read.jsonl and a summary table.
set -euo pipefail
REPEATS="${REPEATS:-5}"
cd "$(dirname "$0")/.."
dir="${1:-/tmp/cubeseg-bench}"
py="${2:-/tmp/fixenv/bin/python}"
H=1024 W=1024 C=512
mkdir -p "$dir"

if [ ! -f "$dir/done" ]; then
  echo "== generating ${H}x${W}x${C} float32 cubes in $dir"
  "$py" - "$dir" $H $W $C <<'PY'
import sys, os, numpy as np
d, H, W, C = sys.argv[1], *map(int, sys.argv[2:])
rng = np.random.default_rng(0)
cube = np.empty((H, W, C), np.float32)
for y in range(0, H, 64):
    cube[y:y+64] = rng.random((min(64, H - y), W, C), dtype=np.float32)
np.save(f"{d}/cube.npy", cube)
cube.tofile(f"{d}/cube_bip.raw")
hdr = f"ENVI\nsamples = {W}\nlines = {H}\nbands = {C}\nheader offset = 0\ndata type = 4\nbyte order = 0\ninterleave = {{}}\n"
open(f"{d}/cube_bip.hdr", "w").write(hdr.format("bip"))
os.link(f"{d}/cube_bip.raw", f"{d}/cube_rpl.raw") if not os.path.exists(f"{d}/cube_rpl.raw") else None
open(f"{d}/cube_rpl.rpl", "w").write(f"key\tvalue\nwidth\t{W}\nheight\t{H}\ndepth\t{C}\noffset\t0\ndata-length\t4\n"
                                      "data-type\tfloat\nbyte-order\tlittle-endian\nrecord-by\tvector\n")
with open(f"{d}/cube_bsq.raw", "wb") as f:
    for c in range(C):
        np.ascontiguousarray(cube[:, :, c]).tofile(f)
open(f"{d}/cube_bsq.hdr", "w").write(hdr.format("bsq"))
import h5py
with h5py.File(f"{d}/cube.h5", "w") as f:
    f.create_dataset("cube", data=cube)
with h5py.File(f"{d}/cube_chunked.h5", "w") as f:
    f.create_dataset("cube", data=cube, chunks=(16, 64, C), compression="gzip", compression_opts=1)
from astropy.io import fits
planes = np.memmap(f"{d}/cube_bsq.raw", np.float32, "r", shape=(C, H, W))
fits.PrimaryHDU(np.asarray(planes)).writeto(f"{d}/cube.fits", overwrite=True)
PY
  touch "$dir/done"
fi

BENCH=.build/release/cubeseg-bench
swift build -c release -Xswiftc -enable-testing --product cubeseg-bench >/dev/null
out=bench-out/read.jsonl
mkdir -p bench-out
: > "$out"
ours() {  # file, mode, then cubeseg-bench read options
  local file="$1" mode="$2"; shift 2
  "$BENCH" read "$dir/$file" --mode "$mode" --repeats "$REPEATS" "$@" | tee -a "$out"
}
echo "== CubeFormats (cubeseg-bench read: 1 warm-up + $REPEATS timed runs each, median)"
for mode in stream all; do
  ours cube.npy $mode
  ours cube_bip.raw $mode --raw ${H}x${W}x${C}:float32:bip
  ours cube_bip.hdr $mode
  ours cube_bsq.hdr $mode
  ours cube_rpl.rpl $mode
  ours cube.h5 $mode
  ours cube_chunked.h5 $mode
  ours cube.fits $mode
done
echo "== Python peers ($py)"
"$py" scripts/bench_read_peers.py "$dir" "$REPEATS" | tee -a "$out"
echo "== summary (median seconds; ratio = CubeSeg time / peer time, < 1 means CubeSeg is faster)"
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
labels = {"cube.npy": "npy", "cube_bip.raw": "raw", "cube_bip.hdr": "envi-bip", "cube_bsq.hdr": "envi-bsq",
          "cube_rpl.rpl": "rpl", "cube.h5": "hdf5", "cube_chunked.h5": "hdf5-gzip", "cube.fits": "fits"}
peers = [r for r in rows if r["bench"] == "read_peer"]
print(f"{'format':<10} {'mode':<7} {'CubeSeg s':>9} {'GB/s':>6}  {'peer':<46} {'peer s':>7} {'ratio':>6}")
for r in (r for r in rows if r["bench"] == "read"):
    fmt = labels.get(r["file"], r["file"])
    matches = [p for p in peers if p["format"] == fmt and p["mode"] == r["mode"]] or [None]
    for p in matches:
        peer = f"{p['peer']:<46} {p['seconds_median']:>7.3f} {r['seconds_median'] / p['seconds_median']:>6.2f}" if p else ""
        print(f"{fmt:<10} {r['mode']:<7} {r['seconds_median']:>9.3f} {r['gb_per_s_median']:>6.2f}  {peer}")
PY
