#!/usr/bin/env python3
"""How many noise-adjusted axes counts need (README: "As many axes as carry signal").

Standard library only.

  suite OUT.json DIR...       one suite of every MA-XRF cube of the suites under DIR (the
                              suite.json files `make quality` and `make quality-heldout` write),
                              each named PREFIX_name (PREFIX: "suite" or the seed's last two
                              digits)
  axes RUN.jsonl              per cube: true K, chosen K and the whitened variances of a run
                              (`cubeseg-bench quality ... --json RUN.jsonl`)
  compare BEFORE.jsonl AFTER.jsonl [-v]
                              mean ARI at the chosen K and at the true K, cubes within 0.02 of
                              PCA + k-means given the true K, true K chosen, cubes better and
                              worse by more than 0.02 (-v lists them)
  autoencoder RUN.jsonl DEFAULT.jsonl...
                              the cubes where a default run (DEFAULT, with the suite PREFIX as
                              `suite` names it) clustered the autoencoder, against RUN's map

The study of 2026-12-02:
  scripts/signal_axes_study.py suite /tmp/ld/counts.json quality-out
  cubeseg-bench quality --suite /tmp/ld/counts.json --params '{"embedding":"pca","latent":8}' --json L8.jsonl
  (and "latent":16, and the default with '{"embedding":"pca"}' --json rule.jsonl)
  scripts/signal_axes_study.py compare L8.jsonl rule.jsonl -v
"""
import glob
import json
import os
import sys


def load(path):
    with open(path) as f:
        return {r["name"]: r for r in map(json.loads, f)}


def ari(r):
    return r["ari_by_k"][str(r["k"])]


def suite(out, dirs):
    cubes = []
    for root in dirs:
        for path in sorted(glob.glob(os.path.join(root, "**", "suite.json"), recursive=True)):
            base = os.path.dirname(path)
            prefix = path.split("heldout-")[1][6:8] if "heldout-" in path else "suite"
            with open(path) as f:
                for c in json.load(f)["cubes"]:
                    if c.get("kind") != "maxrf":
                        continue
                    c = dict(c)
                    for key in ("cube", "labels", "axis"):
                        if c.get(key) and not c[key].startswith("/"):
                            c[key] = os.path.join(os.path.abspath(base), c[key])
                    c["name"] = f"{prefix}_{c['name']}"
                    cubes.append(c)
    with open(out, "w") as f:
        json.dump({"generator": "mixed", "cubes": cubes}, f, indent=1)
    print(f"{len(cubes)} cubes -> {out}")


def axes(run):
    for name, r in load(run).items():
        s = r["decisions"].get("signal_to_noise") or []
        print(f"{name[:48]:48s} K{r['true_k']:3d} chosen {r['k']:3d} ", " ".join(f"{v:5.1f}" for v in s))


def compare(before, after, verbose):
    a, b = load(before), load(after)
    names = [n for n in a if n in b]
    t = dict(sa=0.0, sb=0.0, ta=0.0, tb=0.0, wa=0, wb=0, ka=0, kb=0, better=0, worse=0)
    for n in names:
        x, y = a[n], b[n]
        k = x["true_k"]
        base = x["baseline"]["trueK"]["ari"]
        A, B = ari(x), ari(y)
        t["sa"] += A; t["sb"] += B
        t["ta"] += x["ari_by_k"].get(str(k), 0); t["tb"] += y["ari_by_k"].get(str(k), 0)
        t["wa"] += A >= base - 0.02; t["wb"] += B >= base - 0.02
        t["ka"] += x["k"] == k; t["kb"] += y["k"] == k
        if abs(A - B) > 0.02:
            t["better"] += B > A; t["worse"] += B < A
            if verbose:
                axes_b = len(y["decisions"].get("signal_to_noise") or [])
                print(f"  {n[:48]:48s} K {k:2d}: {x['k']:2d} -> {y['k']:2d}, {A:.3f} -> {B:.3f} ({axes_b} axes; baseline {base:.3f})")
    m = len(names)
    print(f"{m} cubes: mean ARI at the chosen K {t['sa']/m:.3f} -> {t['sb']/m:.3f}, at the true K {t['ta']/m:.3f} -> {t['tb']/m:.3f}; "
          f"within 0.02 {t['wa']} -> {t['wb']}; true K {t['ka']} -> {t['kb']}; better {t['better']}, worse {t['worse']}")


def autoencoder(run, defaults):
    r = load(run)
    for path in defaults:
        prefix = path.split("heldout-")[1][6:8] if "heldout-" in path else "suite"
        for d in load(path).values():
            if d.get("kind") != "maxrf" or d["decisions"].get("embedding") != "autoencoder":
                continue
            q = r.get(f"{prefix}_{d['name']}")
            if q is None:
                continue
            print(f"{prefix}_{d['name'][:44]:44s} K {d['true_k']:2d}: autoencoder K {d['k']:2d} {ari(d):.3f}; "
                  f"{len(q['decisions'].get('signal_to_noise') or [])} axes K {q['k']:2d} {ari(q):.3f}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "suite":
        suite(args[0], args[1:])
    elif cmd == "axes":
        axes(args[0])
    elif cmd == "compare":
        compare(args[0], args[1], "-v" in args)
    elif cmd == "autoencoder":
        autoencoder(args[0], args[1:])
    else:
        sys.exit(__doc__)
