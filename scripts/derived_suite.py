"""Write a suite derived from other suites' cubes, with a manifest that `cubeseg-bench
quality --suite OUTDIR/suite.json` reads; the labels stay the source cube's.

    python3 scripts/derived_suite.py OUTDIR scale FACTOR[,FACTOR...] SUITE.json[:NAME,...] ...
    python3 scripts/derived_suite.py OUTDIR counts TOTAL[,TOTAL...] SUITE.json[:NAME,...] ...
    python3 scripts/derived_suite.py OUTDIR normalized SPREAD[,SPREAD...] SUITE.json[:NAME,...] ...
    python3 scripts/derived_suite.py OUTDIR readnoise SIGMA[,SIGMA...] SUITE.json[:NAME,...] ...
    python3 scripts/derived_suite.py OUTDIR framed WIDTH[,WIDTH...] SUITE.json[:NAME,...] ...
    python3 scripts/derived_suite.py OUTDIR spikes FRACTION[,FRACTION...] SUITE.json[:NAME,...] ...

scale: each cube multiplied by a factor (the factors taken in turn), as float32: photon
counts stored in another unit (a factor that is not a whole number stands for a
calibration or live-time factor, a whole one for counts per second at a fixed dwell time;
100: 10 ms). README, "Know the data":
    python3 scripts/derived_suite.py /tmp/rescaled scale 0.731,100,0.05,3.7 \\
        quality-out/cubes/grid/suite.json:maxrf_c120,maxrf_c400,maxrf_dark,maxrf_gradient \\
        quality-out/cubes/pysim/suite.json:xrf_c400,xrf_k3,xrf_dark,xrf_rare

counts: each cube drawn as Poisson(max(value, 0) * g) for every TOTAL, g such that the
median pixel total is TOTAL, stored as float32 whole numbers: fluxes recorded as photon
counts. README, "Clusters of their own shape":
    python3 scripts/derived_suite.py /tmp/ifuc counts 3000,30000 \\
        quality-out/cubes/grid/suite.json:ifu_galaxy,ifu_galaxy_faint \\
        quality-out/cubes/pysim/suite.json:ifu_bright,ifu_faint,ifu_faint_sky,ifu_kinematic

normalized: photon counts divided per pixel by a reference, as instruments and beamlines
store them: each cube is divided, pixel by pixel, by a factor r drawn for it, and
multiplied by the factors' mean, so the values keep their scale but lie on no lattice
(every pixel on its own). For every SPREAD (taken in turn) the cube gets one of two
references: live-time correction (r uniform in [1 - SPREAD, 1], the share of the dwell time
the detector was live, independent from pixel to pixel) and incident-flux (I0)
normalisation (r = a beam current decaying along the scan rows from 1 to 1 - SPREAD and
refilled twice, times 1% jitter per pixel). README, "Counts that lie on no lattice":
    python3 scripts/derived_suite.py /tmp/normalized normalized 0.2,0.4 \\
        quality-out/cubes/grid/suite.json quality-out/cubes/pysim/suite-xrf.json

readnoise: photon counts read through an amplifier, as a CCD or an integrating detector
delivers them (EELS and some EDS spectrum images, XRF with a charge-integrating camera):
Gaussian read noise of SIGMA counts (taken in turn) is added to every value, and the dark
level subtracted, so that empty channels scatter around 0 and many values are negative.
The cubes alternate between two storings: float32 in counts, and whole digital numbers
(round(gain x (counts + noise)), gain 3.7 per count). README, "Counts with read noise":
    python3 scripts/derived_suite.py /tmp/readnoise readnoise 0.5,1,2,4 \\
        quality-out/cubes/grid/suite-xrf.json quality-out/cubes/pysim/suite-xrf.json

framed: a painting scanned with an empty margin (the sample holder, air): each cube is
padded on all four sides by WIDTH (taken in turn) times its height of pixels holding
nothing but a trace of scatter (Poisson counts of the painting's mean spectrum scaled to
0.5% of its median pixel total); the margin is unlabelled (-1) in the labels written
beside the cube. Chained with readnoise (its suite.json as SUITE.json), paintings with an
empty background read through an amplifier. README, "Counts with read noise":
    python3 scripts/derived_suite.py /tmp/framed framed 0.15,0.25 \\
        quality-out/cubes/grid/suite-xrf.json quality-out/cubes/pysim/suite-xrf.json

spikes: cosmic rays on a CCD (IFU cubes), pile-up or glitches of a detector (MA-XRF), hot
pixels of an imaging spectrometer: a FRACTION (taken in turn) of the pixels, drawn at
random, each get a spike in 1-3 adjacent channels of 2-20 times the cube's 99.9th
percentile value (rounded where the cube holds whole numbers); the labels stay the cube's.
    python3 scripts/derived_suite.py /tmp/spikes spikes 0.001,0.01 \\
        quality-out/cubes/grid/suite.json quality-out/cubes/pysim/suite.json
"""
import json
import os
import sys

import numpy as np


def sources(specs):
    """(directory, manifest entry) of every cube the SUITE.json[:NAME,...] arguments name."""
    for spec in specs:
        path, _, names = spec.partition(':')
        with open(path) as f:
            suite = json.load(f)
        wanted = set(names.split(',')) if names else None
        for c in suite['cubes']:
            if wanted is None or c['name'] in wanted:
                yield os.path.dirname(os.path.abspath(path)), c


def main(argv):
    if len(argv) < 4 or argv[1] not in ('scale', 'counts', 'normalized', 'readnoise', 'framed', 'spikes'):
        sys.exit(__doc__)
    out, mode, values, specs = argv[0], argv[1], [float(v) for v in argv[2].split(',')], argv[3:]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    entries = []

    def write(root, c, name, cube, labels=None):
        np.save(os.path.join(out, f'{name}.npy'), cube.astype(np.float32))
        path = os.path.abspath(os.path.join(root, c['labels']))
        if labels is not None:
            path = os.path.abspath(os.path.join(out, f'{name}_labels.npy'))
            np.save(path, labels.astype(np.int32))
        entries.append(dict(name=name, cube=f'{name}.npy', labels=path, true_k=c['true_k'], kind=c.get('kind', 'maxrf')))

    if mode == 'scale':
        for root, c in sources(specs):
            factor = values[len(entries) % len(values)]
            write(root, c, f"{c['name']}_x{factor:g}", np.load(os.path.join(root, c['cube'])) * np.float32(factor))
    elif mode == 'normalized':
        for root, c in sources(specs):
            spread = values[len(entries) % len(values)]
            x = np.load(os.path.join(root, c['cube'])).astype(np.float64)
            h, w = x.shape[:2]
            if len(entries) % 2 == 0:
                kind, r = 'live', rng.uniform(1 - spread, 1, (h, w))
            else:
                row = np.arange(h * w).reshape(h, w) / (h * w) * 3 % 1  # three fills over the scan
                kind, r = 'i0', (1 - spread * row) * rng.normal(1, 0.01, (h, w))
            write(root, c, f"{c['name']}_{kind}{spread:g}", x / r[..., None] * r.mean())
    elif mode == 'readnoise':
        for root, c in sources(specs):
            sigma = values[len(entries) % len(values)]
            x = np.load(os.path.join(root, c['cube'])).astype(np.float64)
            x = x + rng.normal(0, sigma, x.shape)
            if len(entries) % 2 == 0:
                write(root, c, f"{c['name']}_rn{sigma:g}", x)
            else:
                write(root, c, f"{c['name']}_rn{sigma:g}_dn", np.round(3.7 * x))
    elif mode == 'framed':
        for root, c in sources(specs):
            width = values[len(entries) % len(values)]
            x = np.maximum(np.nan_to_num(np.load(os.path.join(root, c['cube'])).astype(np.float64)), 0)
            labels = np.load(os.path.join(root, c['labels']))
            h, w, ch = x.shape
            m = max(1, int(round(width * h)))
            mean = x.reshape(-1, ch).mean(0)
            rate = mean / mean.sum() * 0.005 * np.median(x.sum(-1))
            framed = rng.poisson(np.broadcast_to(rate, (h + 2 * m, w + 2 * m, ch))).astype(np.float64)
            framed[m:m + h, m:m + w] = x
            t = np.full((h + 2 * m, w + 2 * m), -1, dtype=np.int32)
            t[m:m + h, m:m + w] = labels
            write(root, c, f"{c['name']}_framed{width:g}", framed, t)
    elif mode == 'spikes':
        for root, c in sources(specs):
            fraction = values[len(entries) % len(values)]
            x = np.load(os.path.join(root, c['cube'])).astype(np.float64)
            h, w, ch = x.shape
            whole = np.all(np.isnan(x) | (x == np.round(x)))
            top = np.nanpercentile(x, 99.9)
            flat = x.reshape(h * w, ch)
            for p in rng.choice(h * w, max(1, int(round(fraction * h * w))), replace=False):
                width = int(rng.integers(1, 4)); c0 = int(rng.integers(0, ch - width + 1))
                spike = rng.uniform(2, 20) * top
                flat[p, c0:c0 + width] += np.round(spike) if whole else spike
            write(root, c, f"{c['name']}_spikes{fraction:g}", x)
    else:
        for total in values:
            for root, c in sources(specs):
                x = np.maximum(np.nan_to_num(np.load(os.path.join(root, c['cube'])).astype(np.float64)), 0)
                write(root, c, f"{c['name']}_n{int(total)}", rng.poisson(x * (total / np.median(x.sum(-1)))))
    with open(os.path.join(out, 'suite.json'), 'w') as f:
        json.dump(dict(generator=f'derived ({mode})', cubes=entries), f, indent=1)
    print(f'wrote {len(entries)} cubes to {out}')


if __name__ == '__main__':
    main(sys.argv[1:])
