"""Do counts have the same dispersion at every level?  (README, "Know the data".)

For every cube of whole numbers in the suites named: the dispersion CubeSeg measures
(the median over horizontally adjacent pixel pairs of sum (a - b)^2 / sum (a + b)), and the
same within the dimmest, the middle and the brightest third of the channels ranked by their
sums (`CubeStatistics.dispersionByLevel`; here over the pairs of the first 64 x 64 pixels).
Poisson counts give about the same value in all three; digital numbers over a dark offset
do not. With --poisson-ifu, the IFU cubes (fluxes) are first drawn as Poisson counts at
0.3, 3, 30 and 300 counts per channel on average, and each level's overall dispersion and
the largest third over the smallest are printed.

    python3 scripts/count_levels_study.py [--poisson-ifu] SUITE [SUITE ...]

Each SUITE is a directory holding a suite.json or a manifest (quality-out/real-suite.json).
numpy only.
"""
import json
import os
import sys

import numpy as np


def dispersions(x):
    """(overall, [dimmest, middle, brightest third]) of an (H, W, C) cube."""
    C = x.shape[2]
    x = np.maximum(np.nan_to_num(x).astype(np.float64), 0)
    a, b = x[:, :-1].reshape(-1, C), x[:, 1:].reshape(-1, C)

    def median_ratio(ch):
        num, den = ((a[:, ch] - b[:, ch]) ** 2).sum(1), (a[:, ch] + b[:, ch]).sum(1)
        return float(np.median(num[den > 0] / den[den > 0])) if (den > 0).any() else 0.0

    thirds = np.array_split(np.argsort(x.reshape(-1, C).sum(0), kind='stable'), 3)
    return median_ratio(np.arange(C)), [median_ratio(t) for t in thirds]


def spread(levels):
    held = [v for v in levels if v > 0]
    return max(held) / min(held) if len(held) >= 2 else float('nan')


def cubes(suites):
    for g in suites:
        manifest = g if g.endswith('.json') else os.path.join(g, 'suite.json')
        root = os.path.dirname(os.path.abspath(manifest))
        for c in json.load(open(manifest))['cubes']:
            yield c, np.load(os.path.join(root, c['cube']), mmap_mode='r')


def main(args):
    poisson = '--poisson-ifu' in args
    suites = [a for a in args if a != '--poisson-ifu']
    rng = np.random.default_rng(0)
    for c, x in cubes(suites):
        if poisson:
            if c['kind'] != 'ifu':
                continue
            x = np.maximum(np.nan_to_num(np.asarray(x, dtype=np.float64)), 0)
            per = x.sum(2).mean() / x.shape[2]
            cells = []
            for level in (0.3, 3, 30, 300):
                overall, levels = dispersions(rng.poisson(x[:64, :64] * level / per))
                cells.append(f'{level:5.1f}: {overall:6.2f} {spread(levels):5.2f}')
            print(f"{c['name'][:36]:36s} " + ' | '.join(cells))
            continue
        x = np.asarray(x[:64, :64])
        if not np.all(np.mod(x[np.isfinite(x)], 1) == 0):
            continue
        overall, levels = dispersions(x)
        print(f"{c['name'][:46]:46s} {c['kind']:9s} {overall:7.2f}  thirds "
              + ' '.join(f'{v:7.2f}' for v in levels) + f'  largest/smallest {spread(levels):7.2f}')


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
