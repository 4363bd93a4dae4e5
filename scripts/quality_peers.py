#!/usr/bin/env python3
"""scikit-learn baselines for `make quality`, on the cubes `cubeseg-bench quality` measured.

Usage: quality_peers.py QUALITY.jsonl --suite SUITE.json [--suite ...] [--json OUT.jsonl]

For each cube: the paper's preprocessing (sum-rebinned to at most 1024 values, log(1 + x),
divided by each spectrum's maximum), PCA(10), then k-means and a Gaussian mixture (full
covariance) given the true K, seed 1. Scores on labelled pixels (truth >= 0): ARI, NMI,
Hungarian accuracy; printed next to CubeSeg's ARI from the JSON lines.

And a supervised reference: how well the classes can be told apart from one pixel's
spectrum when the truth is known. The spectra sum-rebinned to at most 256 values, square
roots (variance-stabilised counts), PCA(30); a linear and a quadratic discriminant
(regularised by 0.01; only when every class has more training pixels than 30) trained on
a random half of the labelled pixels (seed 1); the better one's ARI on the other half.
No unsupervised method is bound by it (neighbouring pixels add what one pixel lacks), but
a map well above it owes that to the image, and a target above it asks more of the
spectra than they hold. `--json` writes each cube's figures as a JSON line.
"""
import json
import os
import sys

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.mixture import GaussianMixture


def preprocess(cube):
    x = np.clip(np.nan_to_num(cube.reshape(-1, cube.shape[-1]).astype(np.float64)), 0, None)
    c = x.shape[1]
    if c > 1024:  # sum into 1024 bins of ceil/floor widths, no channel dropped
        edges = (np.arange(1025) * c) // 1024
        x = np.add.reduceat(x, edges[:-1], axis=1)
    x = np.log1p(x)
    m = x.max(axis=1, keepdims=True)
    m[m == 0] = 1
    return x / m


SUPERVISED_BINS = 256
SUPERVISED_AXES = 30


def supervised(cube, t):
    """ARI of the better discriminant (linear, quadratic) on the held-out half of the labelled pixels."""
    x = np.clip(np.nan_to_num(cube.reshape(-1, cube.shape[-1]).astype(np.float64)), 0, None)
    c = x.shape[1]
    if c > SUPERVISED_BINS:
        edges = (np.arange(SUPERVISED_BINS + 1) * c) // SUPERVISED_BINS
        x = np.add.reduceat(x, edges[:-1], axis=1)
    z = PCA(min(SUPERVISED_AXES, x.shape[1]), random_state=1).fit_transform(np.sqrt(x))
    return discriminant_ari(z, t)


def discriminant_ari(z, t, seed=1, regularisation=0.01):
    """Rows z (n x d) with truth t (-1: unlabelled): a linear and, when every class has more
    than d training rows, a quadratic discriminant trained on a random half of the labelled
    rows; the better one's ARI on the other half."""
    labelled = np.flatnonzero(t >= 0)
    np.random.default_rng(seed).shuffle(labelled)
    train, test = labelled[: len(labelled) // 2], labelled[len(labelled) // 2:]
    models = [LinearDiscriminantAnalysis()]
    if np.bincount(t[train]).min() > z.shape[1]:
        models.append(QuadraticDiscriminantAnalysis(reg_param=regularisation))
    return max(adjusted_rand_score(t[test], m.fit(z[train], t[train]).predict(z[test])) for m in models)


def accuracy(t, p):
    ct = np.zeros((t.max() + 1, p.max() + 1))
    np.add.at(ct, (t, p), 1)
    r, c = linear_sum_assignment(-ct)
    return ct[r, c].sum() / len(t)


def scores(t, p):
    return (adjusted_rand_score(t, p), normalized_mutual_info_score(t, p), accuracy(t, p))


def main():
    jsonl = sys.argv[1]
    options = dict(zip(sys.argv[2::2], sys.argv[3::2]))
    suites = [a for f, a in zip(sys.argv[2::2], sys.argv[3::2]) if f == "--suite"]
    out = open(options["--json"], "w") if "--json" in options else None
    entries = {}
    for s in suites:
        d = os.path.dirname(os.path.abspath(s))
        for e in json.load(open(s))["cubes"]:
            entries[e["name"]] = (os.path.join(d, e["cube"]), os.path.join(d, e["labels"]), e["true_k"])
    print(f"{'cube':26s} {'CubeSeg':>8s} | {'km ARI':>7s} {'NMI':>6s} {'acc':>6s} | {'gmm ARI':>7s} {'NMI':>6s} {'acc':>6s} | {'supervised':>10s}")
    for line in open(jsonl):
        row = json.loads(line)
        cube_path, labels_path, k = entries[row["name"]]
        t = np.load(labels_path).ravel()
        keep = t >= 0
        cube = np.load(cube_path)
        z = PCA(10, random_state=1).fit_transform(preprocess(cube))
        km = KMeans(k, n_init=3, random_state=1).fit_predict(z)
        gm = GaussianMixture(k, covariance_type="full", random_state=1, reg_covar=1e-5).fit(z).predict(z)
        a = scores(t[keep], km[keep])
        b = scores(t[keep], gm[keep])
        s = supervised(cube, t)
        print(f"{row['name']:26s} {row['scores']['ari']:8.3f} | {a[0]:7.3f} {a[1]:6.3f} {a[2]:6.3f} | {b[0]:7.3f} {b[1]:6.3f} {b[2]:6.3f} | {s:10.3f}",
              flush=True)
        if out:
            keys = ("ari", "nmi", "accuracy")
            out.write(json.dumps({"name": row["name"], "kmeans": dict(zip(keys, a)), "gaussian_mixture": dict(zip(keys, b)),
                                  "supervised_ari": s}) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
