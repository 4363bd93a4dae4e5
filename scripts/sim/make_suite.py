"""Write the pysim benchmark suite (MA-XRF + IFU cubes) to OUTDIR.

    python3 make_suite.py OUTDIR [--quick | --hsi] [--only NAME[,NAME...]]

`--hsi` writes the airborne imaging-spectrometer scenes of hsi.py instead (17 cubes).

Each cube is NAME.npy (float32, (H, W, C), C-order, pixel-major) with
NAME_labels.npy (int32, (H, W), 0..K-1, -1 = unlabelled) and a suite.json
manifest.  Deterministic: every cube has a fixed seed.
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hsi  # noqa: E402
import ifu  # noqa: E402
import xrf  # noqa: E402

# kind -> simulate(**kwargs) returning (cube, labels, info)
SIMULATORS = dict(maxrf=xrf.simulate, ifu=ifu.simulate, hsi=hsi.simulate)

# name, kind, kwargs
FULL = [
    ("xrf_c40",       "maxrf", dict(H=96, W=96, channels=1024, counts=40, n_classes=7, seed=11)),
    ("xrf_c400",      "maxrf", dict(H=96, W=96, channels=1024, counts=400, n_classes=7, seed=12)),
    ("xrf_c5000",     "maxrf", dict(H=96, W=96, channels=1024, counts=5000, n_classes=7, seed=13)),
    ("xrf_ch4096",    "maxrf", dict(H=96, W=96, channels=4096, counts=1000, n_classes=7, seed=14)),
    ("xrf_k3",        "maxrf", dict(H=96, W=96, channels=1024, counts=200, n_classes=3, seed=15,
                                    ground="chalk")),
    ("xrf_k12",       "maxrf", dict(H=128, W=128, channels=1024, counts=1000, n_classes=12, seed=16)),
    ("xrf_rare",      "maxrf", dict(H=128, W=128, channels=1024, counts=500, n_classes=7, seed=17,
                                    rare=True)),
    ("xrf_dark",      "maxrf", dict(H=96, W=96, channels=1024, counts=300, n_classes=7, seed=18,
                                    dark=True)),
    ("xrf_mix",       "maxrf", dict(H=96, W=96, channels=1024, counts=500, n_classes=7, seed=19,
                                    mix=0.35, boundary_blur=1.5)),
    ("xrf_gradient",  "maxrf", dict(H=96, W=96, channels=1024, counts=500, n_classes=7, seed=20,
                                    intensity_sigma=0.7, thickness_sigma=0.5)),
    ("xrf_w_scatter", "maxrf", dict(H=96, W=96, channels=2048, counts=800, n_classes=6, seed=21,
                                    anode="W", e_max=20.48, ground="gypsum", scatter_strength=6.0)),
    ("ifu_bright",    "ifu",   dict(H=96, W=96, channels=2048, mode="bright", sky_sub=False, seed=31)),
    ("ifu_faint",     "ifu",   dict(H=96, W=96, channels=1024, mode="faint", sky_sub=True, seed=32)),
    ("ifu_faint_sky", "ifu",   dict(H=96, W=96, channels=1024, mode="faint", sky_sub=False, seed=34)),
    ("ifu_kinematic", "ifu",   dict(H=96, W=96, channels=2048, mode="bright", sky_sub=True, seed=33,
                                    scheme="kinematic", resolving_power=4000.0, inclination=60.0,
                                    vmax=260.0)),
]

# Airborne scenes: agricultural parcels, an urban grid, natural regions; delivered as
# reflectance (floats or x 10,000) or as radiance in digital numbers, by four sensors.
HSI = [
    ("hsi_fields_k4",    "hsi", dict(H=96, W=96, scene="fields", n_classes=4, seed=41, sensor="aviris")),
    ("hsi_fields_k6",    "hsi", dict(H=96, W=96, scene="fields", n_classes=6, seed=42, sensor="hymap",
                                     product="reflectance_int")),
    ("hsi_fields_k8",    "hsi", dict(H=128, W=96, scene="fields", n_classes=8, seed=43, sensor="aviris",
                                     product="radiance_dn")),
    ("hsi_fields_k10",   "hsi", dict(H=128, W=128, scene="fields", n_classes=10, seed=44, sensor="aviris",
                                     similar_frac=0.4)),
    ("hsi_fields_k12",   "hsi", dict(H=128, W=128, scene="fields", n_classes=12, seed=45, sensor="aviris",
                                     product="radiance_dn", drop_water_bands=False)),
    ("hsi_fields_snr80", "hsi", dict(H=96, W=96, scene="fields", n_classes=7, seed=46, sensor="hymap", snr=80.0)),
    ("hsi_fields_vnir",  "hsi", dict(H=96, W=96, scene="fields", n_classes=5, seed=47, sensor="vnir",
                                     illumination_sigma=0.25)),
    ("hsi_urban_k5",     "hsi", dict(H=96, W=96, scene="urban", n_classes=5, seed=51, sensor="rosis",
                                     product="reflectance_int")),
    ("hsi_urban_k7",     "hsi", dict(H=128, W=96, scene="urban", n_classes=7, seed=52, sensor="rosis",
                                     product="reflectance_int", labelled_frac=0.5)),
    ("hsi_urban_k9",     "hsi", dict(H=128, W=128, scene="urban", n_classes=9, seed=53, sensor="aviris")),
    ("hsi_urban_dn",     "hsi", dict(H=96, W=96, scene="urban", n_classes=6, seed=54, sensor="hymap",
                                     product="radiance_dn", illumination_sigma=0.3)),
    ("hsi_natural_k3",   "hsi", dict(H=96, W=96, scene="natural", n_classes=3, seed=61, sensor="vnir",
                                     softness=0.3)),
    ("hsi_natural_k4",   "hsi", dict(H=96, W=96, scene="natural", n_classes=4, seed=62, sensor="aviris")),
    ("hsi_natural_k5",   "hsi", dict(H=96, W=96, scene="natural", n_classes=5, seed=63, sensor="vnir",
                                     product="reflectance_int", softness=0.25, snr=120.0)),
    ("hsi_natural_k6",   "hsi", dict(H=96, W=96, scene="natural", n_classes=6, seed=64, sensor="hymap",
                                     product="radiance_dn")),
    ("hsi_natural_k8",   "hsi", dict(H=128, W=128, scene="natural", n_classes=8, seed=65, sensor="aviris",
                                     softness=0.2)),
    # reflectance delivered with the bands where water vapour absorbs (noise the correction
    # amplifies), as many products are
    ("hsi_urban_water",  "hsi", dict(H=96, W=96, scene="urban", n_classes=7, seed=55, sensor="hymap",
                                     drop_water_bands=False)),
]

QUICK = [
    ("xrf_c400",   "maxrf", dict(H=64, W=64, channels=1024, counts=400, n_classes=7, seed=12)),
    ("xrf_rare",   "maxrf", dict(H=64, W=64, channels=1024, counts=500, n_classes=7, seed=17, rare=True)),
    ("ifu_bright", "ifu",   dict(H=64, W=64, channels=1024, mode="bright", sky_sub=False, seed=31)),
    ("ifu_faint",  "ifu",   dict(H=64, W=64, channels=1024, mode="faint", sky_sub=True, seed=32)),
]


def _jsonable(o):
    if isinstance(o, dict):
        return {k: _jsonable(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_jsonable(v) for v in o]
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.bool_):
        return bool(o)
    return o


def relabel_contiguous(lab):
    """Map present class ids to 0..K-1 (keeping order), -1 stays -1."""
    present = np.unique(lab[lab >= 0])
    lut = np.full(int(lab.max()) + 1 if lab.max() >= 0 else 1, -1, dtype=np.int32)
    lut[present] = np.arange(len(present), dtype=np.int32)
    out = np.where(lab >= 0, lut[np.maximum(lab, 0)], -1).astype(np.int32)
    return out, present


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    out = argv[1]
    quick = "--quick" in argv
    only = None
    if "--only" in argv:
        only = set(argv[argv.index("--only") + 1].split(","))
    os.makedirs(out, exist_ok=True)
    entries = QUICK if quick else HSI if "--hsi" in argv else FULL
    cubes = []
    t_all = time.time()
    for name, kind, kw in entries:
        if only and name not in only:
            continue
        t = time.time()
        sim = SIMULATORS[kind]
        cube, lab, info = sim(**kw)
        lab, present = relabel_contiguous(lab)
        k = len(present)
        if k != info["n_classes"]:
            info["dropped_classes"] = [int(i) for i in sorted(set(range(info["n_classes"])) - set(present.tolist()))]
        cube = np.ascontiguousarray(cube, dtype=np.float32)
        np.save(os.path.join(out, name + ".npy"), cube)
        np.save(os.path.join(out, name + "_labels.npy"), lab.astype(np.int32))
        params = dict(info)
        params.update(_jsonable(kw))
        cubes.append(dict(name=name, cube=name + ".npy", labels=name + "_labels.npy",
                          true_k=int(k), kind=kind, params=_jsonable(params)))
        print("%-16s %-5s %s K=%d  %.1fs" % (name, kind, cube.shape, k, time.time() - t), flush=True)
    json.dump(dict(generator="pysim", cubes=cubes), open(os.path.join(out, "suite.json"), "w"), indent=1)
    print("wrote %d cubes to %s in %.1fs" % (len(cubes), out, time.time() - t_all))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
