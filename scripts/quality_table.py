#!/usr/bin/env python3
"""The README's quality table from `make quality`'s output.

Usage: quality_table.py quality-out/quality.jsonl [quality-out/quality-peers.txt]

One row per cube: CubeSeg's K (true K), ARI / NMI / accuracy, the best ARI over every K
it kept, the embedding it chose, wall time; PCA(10) + k-means given the true K and with K
by silhouette (CubeSeg's own code); scikit-learn's k-means and Gaussian mixture on PCA(10)
given the true K when the peers' file is given. Then the targets and each K criterion's
hit rate.
"""
import json
import sys

rows = [json.loads(l) for l in open(sys.argv[1])]
peers = {}
if len(sys.argv) > 2:
    for line in open(sys.argv[2]):
        parts = line.split()
        if len(parts) == 10 and parts[2] == "|":
            peers[parts[0]] = (float(parts[3]), float(parts[7]))
print("| cube | source | K (true) | ARI / NMI / acc | best K's ARI | embedding | s | PCA+k-means, true K | PCA+k-means, silhouette K | sklearn k-means / GMM, true K |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    s, b = r["scores"], r["baseline"]
    p = peers.get(r["name"])
    print(f"| {r['name']} | {r['generator']} | {r['k']} ({r['true_k']}) | {s['ari']:.3f} / {s['nmi']:.3f} / {s['accuracy']:.3f} | "
          f"{max(r['ari_by_k'].values()):.3f} | {r['decisions']['embedding']} | {r['seconds']:.1f} | {b['trueK']['ari']:.3f} | "
          f"{b['silhouetteK']['ari']:.3f} (K = {b['chosenK']}) | " + (f"{p[0]:.3f} / {p[1]:.3f}" if p else "") + " |")
n = len(rows)
within = sum(r["scores"]["ari"] >= r["baseline"]["trueK"]["ari"] - 0.02 for r in rows)
synthetic = [r for r in rows if r["generator"] != "real"]
print()
print(f"- ARI >= PCA(10) + k-means given the true K, less 0.02: {within} of {n} cubes; "
      f"mean ARI {sum(r['scores']['ari'] for r in rows) / n:.3f} against {sum(r['baseline']['trueK']['ari'] for r in rows) / n:.3f}.")
print(f"- True K chosen: {sum(r['k'] == r['true_k'] for r in synthetic)} of {len(synthetic)} synthetic cubes.")
names = ["consensus", "silhouette", "calinski_harabasz", "davies_bouldin", "inertia_elbow", "spatial_coherence"]
parts = []
for c in names:
    picks = [(r, r["votes"][c]) for r in rows if c in r["votes"]]
    hits = sum(k == r["true_k"] for r, k in picks)
    over = sum(k > r["true_k"] for r, k in picks)
    ari = sum(r["ari_by_k"][str(k)] for r, k in picks) / max(1, len(picks))
    ok = sum(r["ari_by_k"][str(k)] >= r["baseline"]["trueK"]["ari"] - 0.02 for r, k in picks)
    parts.append(f"| {c} | {hits}/{len(picks)} | {over} | {ari:.3f} | {ok}/{len(picks)} |")
print()
print("| K criterion | true K chosen | K too large | mean ARI at its K | within 0.02 of PCA + k-means |")
print("| --- | --- | --- | --- | --- |")
print("\n".join(parts))
