#!/usr/bin/env python3
"""The README's quality table from `make quality`'s output.

Usage: quality_table.py quality-out/quality.jsonl [quality-out/quality-peers.jsonl]

One row per cube: CubeSeg's K (true K), ARI / NMI / accuracy, the best ARI over every K
it kept, the embedding it chose, wall time; PCA(10) + k-means given the true K and with K
by silhouette (CubeSeg's own code); scikit-learn's k-means and Gaussian mixture on PCA(10)
given the true K, and the supervised reference (a discriminant trained on half the labelled
pixels, one pixel's spectrum at a time), when the peers' file is given. Then the targets
and each K criterion's hit rate.
"""
import json
import sys

rows = [json.loads(l) for l in open(sys.argv[1])]
peers = {}
if len(sys.argv) > 2:
    for line in open(sys.argv[2]):
        p = json.loads(line)
        peers[p["name"]] = p
print("| cube | source | K (true) | ARI / NMI / acc | best K's ARI | embedding | s | PCA+k-means, true K | PCA+k-means, silhouette K | sklearn k-means / GMM, true K | supervised, one pixel |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    s, b = r["scores"], r["baseline"]
    p = peers.get(r["name"])
    print(f"| {r['name']} | {r['generator']} | {r['k']} ({r['true_k']}) | {s['ari']:.3f} / {s['nmi']:.3f} / {s['accuracy']:.3f} | "
          f"{max(r['ari_by_k'].values()):.3f} | {r['decisions']['embedding']} | {r['seconds']:.1f} | {b['trueK']['ari']:.3f} | "
          f"{b['silhouetteK']['ari']:.3f} (K = {b['chosenK']}) | " +
          (f"{p['kmeans']['ari']:.3f} / {p['gaussian_mixture']['ari']:.3f} | {p['supervised_ari']:.3f}" if p else " | ") + " |")
n = len(rows)
within = sum(r["scores"]["ari"] >= r["baseline"]["trueK"]["ari"] - 0.02 for r in rows)
synthetic = [r for r in rows if r["generator"] != "real"]
print()
print(f"- ARI >= PCA(10) + k-means given the true K, less 0.02: {within} of {n} cubes; "
      f"mean ARI {sum(r['scores']['ari'] for r in rows) / n:.3f} against {sum(r['baseline']['trueK']['ari'] for r in rows) / n:.3f}.")
print(f"- True K chosen: {sum(r['k'] == r['true_k'] for r in synthetic)} of {len(synthetic)} synthetic cubes.")
maxrf = [r for r in synthetic if r["kind"] == "maxrf"]
if maxrf:
    line = f"- Synthetic MA-XRF cubes at ARI >= 0.95: {sum(r['scores']['ari'] >= 0.95 for r in maxrf)} of {len(maxrf)}"
    reachable = [r for r in maxrf if r["name"] in peers and peers[r["name"]]["supervised_ari"] >= 0.95]
    if peers:
        line += (f"; the supervised reference reaches 0.95 on {len(reachable)} of them, and CubeSeg does on "
                 f"{sum(r['scores']['ari'] >= 0.95 for r in reachable)} of those")
    print(line + ".")
names = ["auto", "consensus", "silhouette", "calinski_harabasz", "davies_bouldin", "inertia_elbow", "spatial_coherence"]
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
