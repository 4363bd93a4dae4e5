"""Sanity check of a pysim suite: shapes, dtypes, label ranges, class
fractions, value ranges, and a numpy-only PCA + k-means baseline (true K)
scored with the adjusted Rand index.

    python3 check_suite.py OUTDIR [--json RESULT.json]
"""
import json
import os
import sys

import numpy as np


def ari(a, b):
    """Adjusted Rand index of two integer label vectors."""
    a = np.asarray(a).ravel()
    b = np.asarray(b).ravel()
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    ct = np.zeros((ai.max() + 1, bi.max() + 1), dtype=np.float64)
    np.add.at(ct, (ai, bi), 1.0)

    def c2(x):
        return (x * (x - 1.0) / 2.0).sum()
    n = a.size
    s_ij = c2(ct)
    s_a = c2(ct.sum(axis=1))
    s_b = c2(ct.sum(axis=0))
    expected = s_a * s_b / (n * (n - 1) / 2.0)
    mx = 0.5 * (s_a + s_b)
    if mx == expected:
        return 1.0
    return float((s_ij - expected) / (mx - expected))


def kmeans(X, k, rng, restarts=5, iters=60):
    best, best_in = None, np.inf
    n = X.shape[0]
    x2 = (X ** 2).sum(axis=1)
    for _ in range(restarts):
        # k-means++ seeding
        cen = [X[rng.integers(n)]]
        d = ((X - cen[0]) ** 2).sum(axis=1)
        for _ in range(1, k):
            p = d / d.sum() if d.sum() > 0 else None
            cen.append(X[rng.choice(n, p=p)])
            d = np.minimum(d, ((X - cen[-1]) ** 2).sum(axis=1))
        cen = np.array(cen)
        lab = None
        for _ in range(iters):
            dist = x2[:, None] - 2 * X @ cen.T + (cen ** 2).sum(axis=1)[None, :]
            new = np.argmin(dist, axis=1)
            if lab is not None and np.array_equal(new, lab):
                break
            lab = new
            for j in range(k):
                m = lab == j
                cen[j] = X[m].mean(axis=0) if m.any() else X[rng.integers(n)]
        inertia = float(np.min(dist, axis=1).sum())
        if inertia < best_in:
            best, best_in = lab.copy(), inertia
    return best


def top_components(A, n, rng, oversample=10, n_iter=4):
    """Top-n right singular vectors of A (randomised range finder + small
    exact SVD; much faster than a full np.linalg.svd on wide matrices)."""
    Q = np.linalg.qr(A @ rng.standard_normal((A.shape[1], n + oversample)))[0]
    for _ in range(n_iter):
        Q = np.linalg.qr(A @ (A.T @ Q))[0]
    _, _, vt = np.linalg.svd(Q.T @ A, full_matrices=False)
    return vt[:n]


def baseline_ari(cube, labels, k, seed=0, n_pc=10, n_sub=4000):
    rng = np.random.default_rng(seed)
    H, W, C = cube.shape
    X = cube.reshape(-1, C).astype(np.float64)
    X = np.maximum(X, 0.0)
    s = X.sum(axis=1, keepdims=True)
    X = np.log1p(X / np.maximum(s, 1e-12) * C)
    sub = rng.choice(X.shape[0], size=min(n_sub, X.shape[0]), replace=False)
    mu = X[sub].mean(axis=0)
    vt = top_components(X[sub] - mu, n_pc, rng)
    Z = (X - mu) @ vt.T
    pred = kmeans(Z, k, rng)
    lab = labels.ravel()
    m = lab >= 0
    return ari(lab[m], pred[m])


def summarise(outdir):
    man = json.load(open(os.path.join(outdir, "suite.json")))
    rows = []
    for c in man["cubes"]:
        cube = np.load(os.path.join(outdir, c["cube"]), mmap_mode="r")
        lab = np.load(os.path.join(outdir, c["labels"]))
        k = c["true_k"]
        assert cube.dtype == np.float32 and cube.ndim == 3 and cube.flags.c_contiguous
        assert lab.dtype == np.int32 and lab.shape == cube.shape[:2]
        present = np.unique(lab[lab >= 0])
        assert present.min() == 0 and present.max() == k - 1 and len(present) == k, present
        frac = np.bincount(lab[lab >= 0].ravel(), minlength=k) / lab.size
        arr = np.asarray(cube)
        a = baseline_ari(arr, lab, k)
        row = dict(name=c["name"], kind=c["kind"], shape=list(cube.shape), true_k=k,
                   unlabelled=float((lab < 0).mean()), frac_min=float(frac.min()),
                   frac_max=float(frac.max()), vmin=float(arr.min()), vmax=float(arr.max()),
                   mean_total=float(arr.sum(axis=2).mean()),
                   integer=bool(np.all(arr == np.round(arr))), ari=a)
        rows.append(row)
        print("%-20s %-5s %-16s K=%-2d frac %.3f..%.3f unlab %.4f  val %9.3g..%-9.3g tot %9.4g int=%d  ARI %.3f"
              % (row["name"], row["kind"], "x".join(map(str, row["shape"])), k, row["frac_min"],
                 row["frac_max"], row["unlabelled"], row["vmin"], row["vmax"], row["mean_total"],
                 row["integer"], a), flush=True)
    return rows


if __name__ == "__main__":
    rows = summarise(sys.argv[1])
    if "--json" in sys.argv:
        json.dump(rows, open(sys.argv[sys.argv.index("--json") + 1], "w"), indent=1)
