"""Eight two-material paintings of the independent simulator (scripts/sim), a case the
quality suite and the held-out draws never hold (their paintings have 3-12 classes):
a painting that is its ground and one pigment, an alloy of two phases.

    python3 scripts/two_class_paintings.py OUTDIR
    cubeseg-bench quality --suite OUTDIR/suite.json --json OUTDIR/run.jsonl

Writes OUTDIR/NAME.npy, NAME_labels.npy and suite.json (generator "pysim"), 96 x 96
pixels: 60 to 3,000 counts per pixel, one with a thickness and intensity gradient, one
with mixed pixels at the boundaries, one dark class, one with the W anode and strong
scatter. The same command writes the same cubes.
"""
import json, os, sys
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'sim'))
import xrf  # noqa: E402
from make_suite import relabel_contiguous  # noqa: E402

SETTINGS = [
    ('t0_xrf_c60', 60, 1024, {}),
    ('t1_xrf_c200', 200, 1024, {}),
    ('t2_xrf_c800_ch2048', 800, 2048, {}),
    ('t3_xrf_c3000', 3000, 1024, {}),
    ('t4_xrf_c300_grad', 300, 1024, dict(intensity_sigma=0.5, thickness_sigma=0.4)),
    ('t5_xrf_c400_mix', 400, 1024, dict(mix=0.25, boundary_blur=1.0)),
    ('t6_xrf_c150_ch2048_dark', 150, 2048, dict(dark=True)),
    ('t7_xrf_c1000_w', 1000, 1024, dict(anode='W', e_max=20.48, ground='gypsum', scatter_strength=4.0)),
]


def main(out):
    os.makedirs(out, exist_ok=True)
    entries = []
    for i, (name, counts, channels, extra) in enumerate(SETTINGS):
        cube, labels, _ = xrf.simulate(H=96, W=96, channels=channels, counts=float(counts), n_classes=2,
                                       seed=777000 + i, **extra)
        labels, present = relabel_contiguous(labels)
        np.save(f'{out}/{name}.npy', np.ascontiguousarray(cube, dtype=np.float32))
        np.save(f'{out}/{name}_labels.npy', labels.astype(np.int32))
        entries.append(dict(name=name, cube=f'{name}.npy', labels=f'{name}_labels.npy', true_k=int(len(present)), kind='maxrf'))
        print(f'{name:28s} K = {len(present)}', flush=True)
    json.dump(dict(generator='pysim', cubes=entries), open(f'{out}/suite.json', 'w'), indent=1)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
