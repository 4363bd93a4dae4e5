#!/usr/bin/env python3
"""scikit-learn's side of CubeSeg's clustering benchmarks; prints one JSON line per bench.

Mirrors `cubeseg-bench kmeans` and `cubeseg-bench silhouette` (same sizes and data
distributions, numpy's generator instead of ours):

  kmeans      KMeans(n_clusters=10, init="k-means++", n_init=1, max_iter=20, tol=0,
              algorithm="lloyd") on 1,000,000 uniform points in [0, 1)^8; "seconds_total"
              is fit() (greedy k-means++ + Lloyd), "seconds_lloyd" a second fit started
              from the first fit's k-means++ centres (Lloyd only).
  silhouette  silhouette_score on 100,000 Gaussian blobs (10 unit-spread centres in
              [-10, 10]^8, true labels) with sample_size=20,000: scikit-learn draws 20,000
              points at random and computes the exact silhouette OF THE SAMPLE AMONG
              ITSELF (a(i), b(i) from sampled points only), in chunks of its working memory
              (1 GiB by default). --full also times the exact score on all 100,000 points
              (chunked as well; slow).

Threads: 2 (OMP_NUM_THREADS / OPENBLAS_NUM_THREADS set before numpy loads, and threadpoolctl).
Usage: python3 scripts/bench_sklearn.py [--n-kmeans 1000000] [--n-silhouette 100000] [--full]
Needs: pip install scikit-learn threadpoolctl
"""
import argparse
import json
import os
import resource
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.cluster import KMeans, kmeans_plusplus  # noqa: E402
from sklearn.metrics import silhouette_score  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench_kmeans(n, dim, k, iterations, repeats):
    rng = np.random.default_rng(0)
    x = rng.random((n, dim), dtype=np.float32)
    best_total = best_lloyd = best_lloyd_cpu = float("inf")
    for r in range(repeats):
        t0 = time.perf_counter()
        km = KMeans(n_clusters=k, init="k-means++", n_init=1, max_iter=iterations, tol=0,
                    algorithm="lloyd", random_state=r).fit(x)
        best_total = min(best_total, time.perf_counter() - t0)
        centres, _ = kmeans_plusplus(x, n_clusters=k, random_state=r)
        t0, c0 = time.perf_counter(), time.process_time()
        km2 = KMeans(n_clusters=k, init=centres, n_init=1, max_iter=iterations, tol=0, algorithm="lloyd").fit(x)
        best_lloyd = min(best_lloyd, time.perf_counter() - t0)
        best_lloyd_cpu = min(best_lloyd_cpu, time.process_time() - c0)
    print(json.dumps({"bench": "kmeans", "impl": "scikit-learn " + sklearn.__version__, "n": n, "dim": dim,
                      "k": k, "iterations": int(km2.n_iter_), "seconds_lloyd": round(best_lloyd, 4),
                      "seconds_total": round(best_total, 4), "cpu_seconds_lloyd": round(best_lloyd_cpu, 4), "inertia": float(km.inertia_), "threads": 2}))


def blobs(n, dim, k, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.random((k, dim)) * 20 - 10
    labels = rng.integers(0, k, n)
    x = (centres[labels] + rng.standard_normal((n, dim))).astype(np.float32)
    return x, labels


def bench_silhouette(n, dim, k, sample, full):
    x, labels = blobs(n, dim, k)
    before = peak_rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    s = silhouette_score(x, labels, sample_size=sample, random_state=0)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"bench": "silhouette", "impl": "scikit-learn " + sklearn.__version__, "n": n, "dim": dim,
                      "k": k, "sample": sample, "seconds": round(seconds, 4), "cpu_seconds": round(cpu, 4), "silhouette": float(s),
                      "peak_rss_growth_mb": round(peak_rss_mb() - before, 1), "threads": 2}))
    if full:
        before = peak_rss_mb()
        t0, c0 = time.perf_counter(), time.process_time()
        s = silhouette_score(x, labels)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(json.dumps({"bench": "silhouette", "impl": "scikit-learn " + sklearn.__version__, "n": n,
                          "dim": dim, "k": k, "sample": 0, "seconds": round(seconds, 4), "cpu_seconds": round(cpu, 4), "silhouette": float(s),
                          "peak_rss_growth_mb": round(peak_rss_mb() - before, 1), "threads": 2}))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n-kmeans", type=int, default=1_000_000)
    p.add_argument("--n-silhouette", type=int, default=100_000)
    p.add_argument("--dim", type=int, default=8)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--iterations", type=int, default=20)
    p.add_argument("--sample", type=int, default=20_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--full", action="store_true", help="also time the exact silhouette on all points")
    p.add_argument("--only", choices=["kmeans", "silhouette"])
    a = p.parse_args()
    with threadpool_limits(limits=2):
        if a.only in (None, "kmeans"):
            bench_kmeans(a.n_kmeans, a.dim, a.k, a.iterations, a.repeats)
        if a.only in (None, "silhouette"):
            bench_silhouette(a.n_silhouette, a.dim, a.k, a.sample, a.full)


if __name__ == "__main__":
    main()
