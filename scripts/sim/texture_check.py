"""How smooth across the image are a scene's principal axes?  A check of the simulator's
texture against real scenes (README of scripts/sim, "Mixing").

For each imaging-spectrometer cube (kinds hsi, reflectance, radiance) of the suites named:
the spectra as CubeSeg prepares them for PCA (at most 1,024 bins in units of the typical
bin value, negatives as 0, log(1 + x), each divided by its maximum), their first 8
principal axes, and along each the variance over the noise variance measured between
adjacent pixels (half the variance of their difference). An axis of pure pixel-to-pixel
variation (white noise, or texture independent from pixel to pixel) scores 1; structure
that neighbours share scores more. Prints the smallest of the 8 and the 8th.

    python3 scripts/sim/texture_check.py SUITE [SUITE ...]

Each SUITE is a directory holding a suite.json or a manifest (quality-out/real-suite.json).
numpy only.
"""
import json
import os
import sys

import numpy as np


def prepared(x):
    """(H, W, bins) spectra as CubeSeg's log_max for PCA."""
    H, W, C = x.shape
    x = np.maximum(np.nan_to_num(x).reshape(H * W, C).astype(np.float64), 0)
    if C > 1024:
        x = np.add.reduceat(x, (np.arange(1024) * C) // 1024, axis=1)
    x = x / (np.median(x.sum(1)) / x.shape[1])
    y = np.log1p(x)
    return (y / np.maximum(y.max(1, keepdims=True), 1e-12)).reshape(H, W, -1)


def axis_smoothness(y, axes=8):
    """Variance over neighbour noise along each of the first `axes` principal axes."""
    H, W, B = y.shape
    flat = y.reshape(-1, B)
    yc = flat - flat.mean(0)
    S = yc.T @ yc / len(yc)
    d = np.concatenate([(y[:, 1:] - y[:, :-1]).reshape(-1, B), (y[1:] - y[:-1]).reshape(-1, B)])
    N = d.T @ d / len(d) / 2
    V = np.linalg.eigh(S)[1][:, ::-1][:, :axes]
    return np.array([(v @ S @ v) / (v @ N @ v) for v in V.T])


def main(suites):
    for g in suites:
        manifest = g if g.endswith('.json') else os.path.join(g, 'suite.json')
        root = os.path.dirname(os.path.abspath(manifest))
        for c in json.load(open(manifest))['cubes']:
            if c['kind'] not in ('hsi', 'reflectance', 'radiance'):
                continue
            r = axis_smoothness(prepared(np.load(os.path.join(root, c['cube']))))
            print(f"{c['name'][:44]:44s} smallest {r.min():6.2f}  8th {r[-1]:6.2f}")


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
