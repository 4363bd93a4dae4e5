#!/usr/bin/env bash
# Read throughput and peak memory of CubeFormats on a 2 GiB float32 cube in every format,
# next to h5py / astropy / numpy reading the same files when the venv has them.
# Usage: scripts/bench_read.sh [DIR=/tmp/cubeseg-bench] [PYTHON=/tmp/fixenv/bin/python]
# Files are generated once in DIR (about 12 GB); each read runs once to warm the page
# cache and is then timed. "stream" reads 16 MiB row blocks; "all" holds the whole cube as
# one Float32 array (peak RSS target: < 2.3 GB).
set -euo pipefail
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

bin=.build-bench/bench_read
mkdir -p .build-bench
echo "== building $bin"
swiftc -O -wmo -parse-as-library -module-name CubeFormats \
  $(find Sources/CubeFormats -name '*.swift') scripts/bench_read.swift \
  -I Sources/CHDF5 -I Sources/CFITSIO $(pkg-config --cflags-only-I hdf5 | sed 's/-I/-Xcc -I/g') \
  $(pkg-config --libs hdf5 cfitsio) -o "$bin"

run() {  # label, then bench_read arguments
  local label="$1"; shift
  "$bin" "$@" > /dev/null            # warm the page cache
  printf '%-14s ' "$label"; "$bin" "$@"
}
echo "== CubeFormats"
run npy       "$dir/cube.npy" stream
run npy       "$dir/cube.npy" all
run raw       "$dir/cube_bip.raw" stream raw=${H}x${W}x${C}:float32:bip
run envi-bip  "$dir/cube_bip.hdr" stream
run envi-bsq  "$dir/cube_bsq.hdr" stream
run rpl       "$dir/cube_rpl.rpl" stream
run hdf5      "$dir/cube.h5" stream
run hdf5      "$dir/cube.h5" all
run hdf5-gzip "$dir/cube_chunked.h5" stream
run fits      "$dir/cube.fits" stream
run fits      "$dir/cube.fits" all

echo "== Python peers (whole array into memory, float32, pixel-major where the reader allows)"
"$py" - "$dir" <<'PY'
import sys, time, resource
d = sys.argv[1]
def timed(label, f):
    f()  # warm
    t = time.perf_counter(); a = f(); s = time.perf_counter() - t
    print(f"{label:<28} {a.nbytes/1e9:.2f} GB in {s:.2f} s = {a.nbytes/1e9/s:.2f} GB/s")
    del a
import numpy as np
timed("numpy np.load", lambda: np.load(f"{d}/cube.npy"))
try:
    import h5py
    timed("h5py contiguous", lambda: h5py.File(f"{d}/cube.h5")["cube"][...])
    timed("h5py gzip chunked", lambda: h5py.File(f"{d}/cube_chunked.h5")["cube"][...])
except ImportError:
    print("h5py not installed")
try:
    from astropy.io import fits
    timed("astropy getdata (C,H,W)", lambda: fits.getdata(f"{d}/cube.fits", memmap=False))
    timed("astropy + to (H,W,C)", lambda: np.ascontiguousarray(fits.getdata(f"{d}/cube.fits", memmap=False).transpose(1, 2, 0)))
except ImportError:
    print("astropy not installed")
print(f"python peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1e6:.2f} GB")
PY
