"""Preprocessing of spectrograph (IFU) cubes measured on the cubes themselves, beside what
CubeSeg does (README, "Measured and not shipped"):

  log_max       CubeSeg's: spectra rebinned to at most 1,024 values, in units of the typical
                bin value (median pixel total over the bins), negatives as 0, log(1 + x),
                each spectrum divided by its maximum; then PCA(8)
  mnf a         the same spectra embedded by noise-adjusted PCA (the noise covariance
                measured between adjacent pixels, shrunk by a = 0.1, 0.3, 0.6 towards its
                mean variance), as CubeSeg does for photon counts
  asinh_max     asinh(x) in place of log(1 + x), which keeps the negative fluxes of
                sky-subtracted cubes (Lupton et al.'s asinh magnitudes); also without the
                division by the maximum, and asinh(x / 2)
  log_nomax     log(1 + x) without the division by the maximum
  linear        the values in units of the typical bin value, as they are

each averaged over the 3 x 3 neighbours within 4 median adjacent distances (CubeSeg's
edge-preserving mean), scaled to unit total variance and clustered given the true K by
k-means and by a Gaussian mixture with one full covariance per cluster started from it
(scikit-learn). Prints ARI per cube (k-means / mixture per column) and the mean.

    PEER_PY scripts/ifu_preprocessing_study.py [--kinds KIND,...] SUITE [SUITE ...]

Each SUITE is a directory holding a suite.json (quality-out/cubes/grid,
quality-out/cubes/pysim, or a `make quality-heldout` draw) or a manifest itself
(quality-out/real-suite.json); only its cubes of the kinds named are used (default: ifu).
Imaging-spectrometer data (README, "Measured and not shipped": noise-adjusted PCA for
airborne scenes):
    PEER_PY scripts/ifu_preprocessing_study.py --kinds hsi,reflectance,radiance \
        quality-out/cubes/hsi quality-out/real-suite.json
"""
import json, os, sys
import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score as ari
from sklearn.mixture import GaussianMixture

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from heldout_studies import smooth  # noqa: E402


def typical_units(x):
    """(H*W, bins) values rebinned to at most 1,024 and divided by the typical bin value."""
    H, W, C = x.shape
    x = x.reshape(H * W, C).astype(np.float64)
    if C > 1024:
        x = np.add.reduceat(x, (np.arange(1024) * C) // 1024, axis=1)
    return x / (np.median(np.maximum(x, 0).sum(1)) / x.shape[1])


def by_max(y):
    return y / np.maximum(np.abs(y).max(1, keepdims=True), 1e-12)


TRANSFORMS = {
    'log_max': lambda x: by_max(np.log1p(np.maximum(x, 0))),
    'asinh_max': lambda x: by_max(np.arcsinh(x)),
    'asinh': np.arcsinh,
    'asinh2_max': lambda x: by_max(np.arcsinh(x / 2)),
    'log_nomax': lambda x: np.log1p(np.maximum(x, 0)),
    'linear': lambda x: x,
}
SHRINKAGE = (0.1, 0.3, 0.6)


def embeddings(x, H, W):
    """(column name, H*W x 8 embedding) for every column of the study."""
    out = []
    for name, transform in TRANSFORMS.items():
        y = transform(x)
        yc = y - y.mean(0)
        out.append((name, yc @ np.linalg.eigh(yc.T @ yc)[1][:, ::-1][:, :8]))
        if name != 'log_max':
            continue
        img = y.reshape(H, W, -1); B = y.shape[1]
        d = np.concatenate([(img[:, 1:] - img[:, :-1]).reshape(-1, B), (img[1:] - img[:-1]).reshape(-1, B)])
        noise = d.T @ d / len(d) / 2; S = yc.T @ yc / len(yc)
        for a in SHRINKAGE:
            w, V = np.linalg.eigh((1 - a) * noise + a * np.trace(noise) / B * np.eye(B)); Wh = V / np.sqrt(w)
            out.append((f'mnf {a}', yc @ (Wh @ np.linalg.eigh(Wh.T @ S @ Wh)[1][:, ::-1][:, :8])))
    return out


def main(suites, kinds=('ifu',)):
    cubes = []
    for g in suites:
        manifest = g if g.endswith('.json') else f'{g}/suite.json'
        g = os.path.dirname(os.path.abspath(manifest))
        for c in json.load(open(manifest))['cubes']:
            if c['kind'] in kinds:
                cubes.append((c['name'], os.path.join(g, c['cube']), os.path.join(g, c['labels']), c['true_k']))
    rows, names = [], None
    for name, cube, labels, k in cubes:
        x0 = np.nan_to_num(np.load(cube)); H, W, _ = x0.shape
        t = np.load(labels).reshape(-1); m = t >= 0; r = []
        columns = embeddings(typical_units(x0), H, W); names = [c for c, _ in columns]
        for _, z in columns:
            z = smooth(z, np.arange(H * W), H, W); z = z / np.sqrt(z.var(0).sum())
            km = KMeans(k, n_init=3, random_state=0).fit(z)
            g = GaussianMixture(k, covariance_type='full', means_init=km.cluster_centers_, random_state=0,
                                reg_covar=1e-6, max_iter=100).fit(z)
            r += [ari(t[m], km.labels_[m]), ari(t[m], g.predict(z)[m])]
        rows.append(r); print(f'{name:30s} K = {k:2d} ' + ' '.join(f'{v:.3f}' for v in r), flush=True)
    r = np.array(rows)
    print('columns (k-means / mixture each): ' + ', '.join(names))
    print('MEAN ' + ' '.join(f'{v:.3f}' for v in r.mean(0)))
    for j in range(2, r.shape[1]):
        b = j % 2
        print(f"{names[j // 2]:10s} {'k-means' if b == 0 else 'mixture'}: mean {r[:, j].mean():.3f} against {r[:, b].mean():.3f} for log_max;"
              f" better on {(r[:, j] > r[:, b] + 0.005).sum()}, worse on {(r[:, j] < r[:, b] - 0.005).sum()} of {len(r)}")


if __name__ == '__main__':
    args = sys.argv[1:]
    kinds = ('ifu',)
    if args[:1] == ['--kinds'] and len(args) > 1:
        kinds, args = tuple(args[1].split(',')), args[2:]
    if not args:
        sys.exit(__doc__)
    main(args, kinds)
