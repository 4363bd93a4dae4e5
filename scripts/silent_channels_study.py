#!/usr/bin/env python3
"""Channels without spatial signal: what CubeSeg's `SilentChannels` measures, in numpy.

Per channel, over the horizontally adjacent pixel pairs of 64 rows spread over the cube:
the variance of the values over half the mean squared difference of the pairs (1 + the
channel's spatial signal-to-noise ratio; about 1 for a channel of noise).

    silent_channels_study.py ratios SUITE.json [...]
        per cube: the smallest ratios and how many channels fall below 1.5 / 2 / 3
    silent_channels_study.py affected T OUT.json SUITE.json:RUN.jsonl [...]
        a suite of the cubes the engine would change at threshold T: read as other data
        than counts in RUN (a `cubeseg-bench quality --json` run of that suite), with a
        channel below T, and fewer than half of them
    silent_channels_study.py pairs OUTDIR
        8 airborne scenes of scripts/sim/hsi.py written twice, without and with the bands
        where water vapour absorbs (`_dropped`, `_allbands`), and OUTDIR/suite.json
    silent_channels_study.py compare NEW.jsonl OLD.jsonl [...]
        the chosen K's ARI and the true K's, cube by cube, of two runs of the same cubes
        (for example the default against --params '{"silent_channels":"keep"}')

Needs numpy. Cube and label paths in a suite are relative to the suite's folder.
"""
import json
import os
import sys

import numpy as np

SAMPLE_ROWS = 64


def ratios(cube):
    """One ratio per channel of an (H, W, C) array (NaN where the pairs differ by nothing)."""
    h, _, c = cube.shape
    rows = min(SAMPLE_ROWS, h)
    x = np.asarray(cube[(np.arange(rows) * h) // rows], dtype=np.float64)
    x = np.where(np.isfinite(x), x, np.nan)
    variance = np.nanvar(x.reshape(-1, c), axis=0)
    noise = np.nanmean(((x[:, 1:] - x[:, :-1]) ** 2).reshape(-1, c), axis=0) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(noise > 0, variance / noise, np.nan)


def cubes(suite):
    base = os.path.dirname(os.path.abspath(suite))
    for c in json.load(open(suite))["cubes"]:
        d = dict(c)
        for key in ("cube", "labels"):
            d[key] = d[key] if d[key].startswith("/") else os.path.join(base, d[key])
        yield d


def show_ratios(suites):
    for suite in suites:
        for c in cubes(suite):
            r = ratios(np.load(c["cube"], mmap_mode="r"))
            low = ", ".join("%.2f" % v for v in np.sort(r[np.isfinite(r)])[:6])
            print("%-32s C=%4d median %7.2f  lowest %s  below 1.5/2/3: %d/%d/%d"
                  % (c["name"][:32], len(r), np.nanmedian(r), low, (r < 1.5).sum(), (r < 2).sum(), (r < 3).sum()))


def affected(threshold, out, pairs):
    chosen = []
    for pair in pairs:
        suite, run = pair.split(":")
        kinds = {}
        for line in open(run):
            d = json.loads(line)
            kinds[d["name"]] = d["decisions"]["data"]["kind"]
        for c in cubes(suite):
            if kinds.get(c["name"]) != "continuous":
                continue
            r = ratios(np.load(c["cube"], mmap_mode="r"))
            n = int((r < threshold).sum())
            if n == 0 or 2 * n >= len(r):
                continue
            c["source_run"] = os.path.abspath(run)
            chosen.append(c)
            print(c["name"], "%d of %d channels below %g" % (n, len(r), threshold))
    json.dump({"generator": "silent-channels", "cubes": chosen}, open(out, "w"), indent=1)


PAIRS = [
    ("fields_k6", dict(H=96, W=96, scene="fields", n_classes=6, seed=71, sensor="aviris", product="reflectance")),
    ("fields_k10", dict(H=128, W=128, scene="fields", n_classes=10, seed=72, sensor="aviris", product="radiance_dn")),
    ("fields_k12", dict(H=128, W=128, scene="fields", n_classes=12, seed=45, sensor="aviris", product="radiance_dn")),
    ("urban_k7", dict(H=128, W=96, scene="urban", n_classes=7, seed=73, sensor="hymap", product="reflectance_int")),
    ("urban_k9", dict(H=128, W=128, scene="urban", n_classes=9, seed=74, sensor="aviris", product="reflectance")),
    ("natural_k5", dict(H=96, W=96, scene="natural", n_classes=5, seed=75, sensor="hymap", product="radiance_dn")),
    ("natural_k8", dict(H=128, W=128, scene="natural", n_classes=8, seed=76, sensor="aviris", product="reflectance_int")),
    ("fields_k8", dict(H=128, W=96, scene="fields", n_classes=8, seed=77, sensor="hymap", product="reflectance")),
]


def pairs(out):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "sim"))
    import hsi
    os.makedirs(out, exist_ok=True)
    written = []
    for name, params in PAIRS:
        for drop in (True, False):
            p = dict(params, drop_water_bands=drop)
            n = "%s_%s" % (name, "dropped" if drop else "allbands")
            cube, labels, _ = hsi.simulate(**p)
            np.save(os.path.join(out, n + ".npy"), cube)
            np.save(os.path.join(out, n + "_labels.npy"), labels)
            written.append({"name": n, "cube": n + ".npy", "labels": n + "_labels.npy",
                            "true_k": int(len(np.unique(labels[labels >= 0]))), "kind": "hsi", "params": p})
            print(n, cube.shape)
    json.dump({"generator": "pysim", "cubes": written}, open(os.path.join(out, "suite.json"), "w"), indent=1)


def compare(new_path, old_paths):
    old = {}
    for p in old_paths:
        for line in open(p):
            d = json.loads(line)
            old[d["name"]] = d
    pairs = []
    for line in open(new_path):
        d = json.loads(line)
        o = old.get(d["name"])
        if o is None:
            continue
        t = str(d["true_k"])
        a, b = o["ari_by_k"][str(o["k"])], d["ari_by_k"][str(d["k"])]
        pairs.append((a, b))
        print("%-34s K %2d -> %2d (true %2s)  chosen %.3f -> %.3f (%+.3f)  true K %s -> %s  baseline %.3f"
              % (d["name"][:34], o["k"], d["k"], t, a, b, b - a,
                 "%.3f" % o["ari_by_k"][t] if t in o["ari_by_k"] else "-",
                 "%.3f" % d["ari_by_k"][t] if t in d["ari_by_k"] else "-", d["baseline"]["trueK"]["ari"]))
    if pairs:
        n = len(pairs)
        print("%d cubes: mean %.3f -> %.3f, better by 0.01 on %d, worse on %d"
              % (n, sum(a for a, _ in pairs) / n, sum(b for _, b in pairs) / n,
                 sum(b > a + 0.01 for a, b in pairs), sum(b < a - 0.01 for a, b in pairs)))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    what, args = sys.argv[1], sys.argv[2:]
    if what == "ratios":
        show_ratios(args)
    elif what == "affected":
        affected(float(args[0]), args[1], args[2:])
    elif what == "pairs":
        pairs(args[0])
    elif what == "compare":
        compare(args[0], args[1:])
    else:
        sys.exit(__doc__)
