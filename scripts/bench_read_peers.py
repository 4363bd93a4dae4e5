#!/usr/bin/env python3
"""The Python peers of `cubeseg-bench read`, on the files scripts/bench_read.sh writes.

Each peer reads a file the way its users do, once to warm the page cache, then REPEATS
timed times; prints one JSON line per peer with the median and best seconds (same keys as
`cubeseg-bench read`). Peers whose package is missing are skipped.
  all     the whole cube as one array: np.load, h5py `ds[...]`, astropy `getdata`
          (astropy returns big-endian (C, H, W); `astropy_hwc` also reorders it to the
          native (H, W, C) float32 that CubeSeg produces)
  stream  ~16 MiB row blocks copied out of the file: numpy memmap slices, h5py `ds[y0:y1]`,
          astropy memmap `section` blocks reordered to native (rows, W, C)
Usage: bench_read_peers.py DIR [REPEATS=5]
"""
import json
import statistics
import sys
import time

import numpy as np

d = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
BLOCK = 16 << 20


def timed(peer, fmt, mode, read):
    out = read()  # warm the page cache
    nbytes = out
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        read()
        runs.append(time.perf_counter() - t)
    gb = nbytes / 1e9
    print(json.dumps({"bench": "read_peer", "peer": peer, "format": fmt, "mode": mode, "float32_gb": round(gb, 4),
                      "seconds_median": round(statistics.median(runs), 4), "seconds_best": round(min(runs), 4),
                      "gb_per_s_median": round(gb / statistics.median(runs), 3),
                      "runs": [round(r, 3) for r in runs]}), flush=True)


def whole(load):
    def read():
        a = load()
        n = a.size * 4
        del a
        return n
    return read


def blocks(shape, block_of, align=1):
    """Reads row blocks of a (H, W, C) cube through block_of(y0, y1), ~16 MiB each (a multiple
    of `align` rows: h5py decompresses a chunk once per block that touches it)."""
    h, w, c = shape
    rows = max(1, BLOCK // (w * c * 4))
    rows = align * max(1, round(rows / align))

    def read():
        total = 0
        for y0 in range(0, h, rows):
            b = block_of(y0, min(h, y0 + rows))
            total += b.size * 4
        return total
    return read


timed("numpy np.load", "npy", "all", whole(lambda: np.load(f"{d}/cube.npy")))
mm = np.load(f"{d}/cube.npy", mmap_mode="r")
timed("numpy memmap slices", "npy", "stream", blocks(mm.shape, lambda a, b: np.array(mm[a:b])))

try:
    import h5py
    for fmt, name in [("hdf5", "cube.h5"), ("hdf5-gzip", "cube_chunked.h5")]:
        timed("h5py", fmt, "all", whole(lambda: h5py.File(f"{d}/{name}")["cube"][...]))
        ds = h5py.File(f"{d}/{name}")["cube"]
        timed("h5py row blocks", fmt, "stream", blocks(ds.shape, lambda a, b: ds[a:b], align=(ds.chunks or (1,))[0]))
except ImportError:
    print("# h5py not installed", file=sys.stderr)

try:
    from astropy.io import fits
    timed("astropy getdata (C,H,W) big-endian", "fits", "all", whole(lambda: fits.getdata(f"{d}/cube.fits", memmap=False)))
    timed("astropy getdata to (H,W,C) native", "fits", "all",
          whole(lambda: np.ascontiguousarray(fits.getdata(f"{d}/cube.fits", memmap=False).transpose(1, 2, 0), dtype="=f4")))
    hdu = fits.open(f"{d}/cube.fits", memmap=True)[0]
    c, h, w = hdu.shape
    timed("astropy section blocks to (rows,W,C) native", "fits", "stream",
          blocks((h, w, c), lambda a, b: np.ascontiguousarray(hdu.section[:, a:b, :].transpose(1, 2, 0), dtype="=f4")))
except ImportError:
    print("# astropy not installed", file=sys.stderr)
