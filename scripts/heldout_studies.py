"""Studies of the automatic choices on the quality suite and on cubes drawn afterwards
(README: "Measured and not shipped"). Each reads `cubeseg-bench quality` output:

  embedding AE.jsonl PCA.jsonl
      The same cubes run with --params '{"embedding":"autoencoder"}' and '{"embedding":"pca"}':
      the map of each at its own chosen K, by the held-out reconstruction ratio (autoencoder
      over PCA) and by data kind, and what a rule choosing between them would have scored
      (the default: the autoencoder when its ratio is below 1; ratios 0.97 and 0.9; the
      more spatially coherent map).
  stability RUN.jsonl DUMP_DIR
      Split-half stability of k-means for every K (two random halves clustered apart, the
      second labelled by both; ARI between the two labellings, mean of 2 draws) on the
      embeddings `--dump` wrote, smoothed as CubeSeg smooths them, and K chosen by it
      alone or with the consensus's voters, scored with the run's maps (`ari_by_k`).
  whitened RUN.jsonl DUMP_DIR
      The consensus (Calinski-Harabasz, elbow, spatial coherence) on the embedding as is
      and after whitening by the pooled within-cluster covariance of a K = 12 k-means.
  tied RUN.jsonl DUMP_DIR
      k-means against a Gaussian mixture with one shared covariance, both given the true K.
  edges RUN.jsonl DUMP_DIR
      Boundary contrast: for every K's map, each pair of adjacent clusters' median squared
      embedding difference across their shared boundary (at least 20 neighbour pairs), over
      the median difference between neighbours of one cluster; a split along a smooth
      gradient (paint thickness) has contrast near 1, a real material boundary far more.
      K chosen as the last K before the smallest contrast falls below a threshold, alone
      and as the third voter in place of the spatial coherence.
  smoothing RUN.jsonl DUMP_DIR
      The edge-preserving neighbour mean applied once (CubeSeg's default), twice and three
      times before k-means and the consensus, by data kind.
  replay RUN.jsonl -
      K rules replayed on the run's own scores (no dump needed): each criterion alone, the
      median of every three of the five, of all five, the consensus with a wider spatial
      tolerance (0.02, 0.03, 0.05 for 0.01), Sugar and James's jump statistic and
      Krzanowski and Lai's index (from the inertia curve), alone and as third voters.
  mixture RUN.jsonl DUMP_DIR
      k-means against a Gaussian mixture with one full covariance per cluster started from
      its partition, at the run's chosen K and at the true K, grouped by what CubeSeg's
      `cluster_model auto` looks at: photon counts or not, the share of zeros and the bins.
  gap_bic RUN.jsonl DUMP_DIR
      The two criteria issue 8 names that the consensus does not use, on the smoothed
      embeddings (a sample of at most 6,000 pixels): the gap statistic (Tibshirani, Walther
      and Hastie 2001: log inertia against its mean over 5 uniform references in the box of
      the data's principal axes; the smallest K with Gap(K) >= Gap(K+1) - s(K+1), and the
      K of the largest gap) and the BIC of a Gaussian mixture (full and diagonal
      covariances, started from k-means), alone and as voters, scored with the run's maps.
  separable RUN.jsonl DUMP_DIR
      Whether the embedding holds the classes: a linear and a quadratic discriminant trained
      on a random half of the labelled pixels (the truth known) of CubeSeg's embedding, as
      encoded and after the neighbour mean, scored on the other half; beside the run's map
      at the true K (unsupervised). Where the discriminant is far above the map, the
      clustering, not the embedding, loses the classes.
  refine RUN.jsonl DUMP_DIR
      Other partitions of the smoothed embedding given the true K, each started from
      k-means's: a Gaussian mixture with a tied and with full covariances, classification
      EM with one shared covariance (k-means in the space whitened by the pooled
      within-cluster covariance, repeated), LDA-k-means (k-means in the K - 1 discriminant
      axes of the current partition, repeated), and merge-split (split the cluster most
      bimodal along its 2-means axis, merge the neighbouring pair least bimodal along the
      axis joining them, while the first exceeds the second by 0.05; k-means after each).
  signal_dimension RUN.jsonl SNR.jsonl
      K from the number of noise-adjusted axes that carry signal, on line spectra (half the
      summed flux in under 20% of the channels). SNR.jsonl is the same cubes run with
      --params '{"embedding":"pca","latent":24}', whose report gives 24 whitened variances
      (1 + signal-to-noise); an axis carries signal when its variance exceeds t times the
      noise floor (the median of the last 8). Discrete materials whose spectra mix linearly
      span D = K - 1 such axes, so D + 1 estimates K. Scored with RUN's maps: D + 1 alone,
      Calinski-Harabasz alone (the default), Calinski-Harabasz within D + 1 +- 1, over
      K >= D + 1, and the median of Calinski-Harabasz, D + 1 and the elbow.
  ch_tolerance RUN.jsonl[,RUN.jsonl...] -
      On line spectra, Calinski-Harabasz's argmax (the default) against the smallest K whose
      index is within 2...15% of its maximum (a plateau after the true K), and against the
      consensus, per run file and over all (no dump needed).
  unimodal_k RUN.jsonl DUMP_DIR
      Whether each K's clusters are separated by a gap, on line spectra: for every K, k-means
      (scikit-learn) of the smoothed embedding, and for each cluster and its nearest
      neighbour the share of the variance of their pooled points, projected on the axis
      joining their centroids, that the best split in two explains (two separate blobs near
      1, one Gaussian 0.36, a uniform stretch such as a thickness gradient 0.75). K is the
      largest K, at most Calinski-Harabasz's, whose weakest pair reaches a threshold; scored
      with the run's maps.
  restarts RUN.jsonl DUMP_DIR
      16 single-start k-means runs given the true K, and which one each rule keeps: the
      lowest inertia (what k-means keeps), the strongest weakest boundary (the largest
      smallest contrast, as in `edges`), the most coherent map; against the best (oracle).
  mixture_k RUN.jsonl [RUN.jsonl ...] DUMP_DIR
      For cubes whose maps a Gaussian mixture draws: the consensus's three voters computed on
      the mixture's partitions (started from k-means) instead of k-means's, the mixture's
      BIC and ICL, scored with the run's maps.
  mixture_starts RUN.jsonl DUMP_DIR
      For cubes whose maps a Gaussian mixture draws, at the true K: 8 single-start k-means
      runs and a mixture (one full covariance per cluster) started from each; the mixture
      from the lowest-inertia start (CubeSeg before 69260f0), the most likely mixture (the
      default since), the mean over starts and the best (oracle).
  superpixels RUN.jsonl DUMP_DIR
      Superpixels in place of the neighbour mean, given the true K: SLIC (Achanta et al.
      2012) on the embedding image (grid step S, compactness m, squared embedding distances
      in units of the median squared difference between adjacent pixels, 5 iterations),
      then k-means of the superpixel means weighted by their size, every pixel labelled by
      its superpixel; beside k-means after CubeSeg's neighbour mean (the default) and with
      no smoothing at all.

  brightness RUN.jsonl DUMP_DIR SUITE.json[,SUITE.json...]
      On counts (Anscombe's transform, unit norm: brightness removed), the pixel's log
      total count appended to the noise-adjusted embedding as one more axis, in units of
      its own neighbour-to-neighbour noise (as the whitened axes are) times w = 0.25, 0.5,
      1; k-means given the true K and the K Calinski-Harabasz picks, against the embedding
      alone. The outside simulator's "variant" classes differ from their source by a
      thickness factor of 0.6 or 1.6; paintings with an intensity gradient should not
      split along it.
Every study uses scikit-learn (PEER_PY). Example, after `make quality`:
  B=.build/release/cubeseg-bench; S="--suite quality-out/cubes/grid/suite.json ..."
  $B quality $S --params '{"embedding":"pca"}' --dump /tmp/d --json /tmp/pca.jsonl
  $B quality $S --params '{"embedding":"autoencoder"}' --json /tmp/ae.jsonl
  $PEER_PY scripts/heldout_studies.py embedding /tmp/ae.jsonl /tmp/pca.jsonl
  $PEER_PY scripts/heldout_studies.py stability /tmp/pca.jsonl /tmp/d
"""
import json, os, sys, collections, numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score as ari, calinski_harabasz_score as chs

KS = list(range(2, 13))

def runs(path):
    return {r['name']: r for r in map(json.loads, open(path))}

def coherence_at(r, k):
    return [s for s in r['k_scores'] if s['k'] == k][0]['spatialCoherence']

def embedding(ae_path, pca_path):
    A, P = runs(ae_path), runs(pca_path)
    names = sorted((n for n in A if n in P), key=lambda n: A[n]['decisions']['reconstruction']['autoencoder'] / A[n]['decisions']['reconstruction']['pca'])
    rules = collections.defaultdict(float); kinds = collections.defaultdict(lambda: [0, 0.0, 0.0, 0, 0])
    print(f"{'cube':26s} {'kind':11s} ratio | autoencoder K, ARI | PCA K, ARI")
    for n in names:
        a, p = A[n], P[n]; rc = a['decisions']['reconstruction']; ratio = rc['autoencoder'] / rc['pca']
        x, y = a['scores']['ari'], p['scores']['ari']
        print(f"{n:26s} {a['kind']:11s} {ratio:5.3f} | {a['k']:2d} {x:.3f} | {p['k']:2d} {y:.3f}")
        for t in (1.0, 0.97, 0.9): rules[f'autoencoder when ratio < {t}'] += x if ratio < t else y
        rules['always PCA'] += y; rules['always the autoencoder'] += x; rules['the better (oracle)'] += max(x, y)
        rules['the more coherent map'] += x if coherence_at(a, a['k']) > coherence_at(p, p['k']) else y
        s = kinds[a['kind']]; s[0] += 1; s[1] += x; s[2] += y; s[3] += x > y + 0.01; s[4] += y > x + 0.01
    for k, s in kinds.items():
        print(f"{k}: {s[0]} cubes, mean ARI autoencoder {s[1]/s[0]:.3f}, PCA {s[2]/s[0]:.3f}; autoencoder better by > 0.01 on {s[3]}, PCA on {s[4]}")
    for k, v in rules.items(): print(f"  {k:32s} mean ARI {v/len(names):.3f}")

def load(name, r, d):
    z = np.load(f'{d}/{name}_z.npy').astype(np.float64); pix = np.load(f'{d}/{name}_pix.npy'); t = np.load(f'{d}/{name}_t.npy')
    H, W = r['shape'][0], r['shape'][1]
    return smooth(z, pix, H, W), pix, t, H, W

def smooth(z, pix, H, W):
    """CubeSeg's NeighbourhoodAveraging, radius 1: the mean over the 3 x 3 window of the
    neighbours (with data) within 4 median squared adjacent distances."""
    d = z.shape[1]; img = np.full((H, W, d), np.nan); img.reshape(-1, d)[pix] = z
    has = ~np.isnan(img[..., 0]); img = np.nan_to_num(img)
    tau = 4 * np.median(((img[:, 1:] - img[:, :-1]) ** 2).sum(-1)[has[:, 1:] & has[:, :-1]])
    acc = img.copy(); cnt = np.ones((H, W, 1))
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy == 0 and dx == 0: continue
            s = np.roll(np.roll(img, dy, 0), dx, 1); hs = np.roll(np.roll(has, dy, 0), dx, 1)
            ok = ((((s - img) ** 2).sum(-1) <= tau) & hs & has)[..., None].astype(float)
            if dy > 0: ok[:dy] = 0
            if dy < 0: ok[dy:] = 0
            if dx > 0: ok[:, :dx] = 0
            if dx < 0: ok[:, dx:] = 0
            acc += ok * s; cnt += ok
    return (acc / cnt).reshape(-1, d)[pix]

def kappa(L, pix, H, W):
    M = np.full(H * W, -1); M[pix] = L; M = M.reshape(H, W)
    same = pairs = 0
    for a, b in ((M[:, 1:], M[:, :-1]), (M[1:], M[:-1])):
        ok = (a >= 0) & (b >= 0); same += (a == b)[ok].sum(); pairs += ok.sum()
    p = np.bincount(L) / len(L); c = (p * p).sum()
    return (same / pairs - c) / (1 - c)

def elbow(I):
    y = np.log(I); g = (y[0] - y) / (y[0] - y[-1]) - (np.array(KS) - KS[0]) / (KS[-1] - KS[0]); return KS[int(np.argmax(g))]

def voters(r, tolerance=0.01):
    s = sorted(r['k_scores'], key=lambda x: x['k'])
    S = [x['spatialCoherence'] for x in s]
    return (KS[int(np.argmax([x['calinskiHarabasz'] for x in s]))], elbow([x['inertia'] for x in s]),
            max(k for k, v in zip(KS, S) if v >= max(S) - tolerance))

def summary(label, picks, R):
    hit = sum(k == R[n]['true_k'] for n, k in picks.items())
    within = sum(R[n]['ari_by_k'][str(k)] >= R[n]['baseline']['trueK']['ari'] - 0.02 for n, k in picks.items())
    mean = np.mean([R[n]['ari_by_k'][str(k)] for n, k in picks.items()])
    print(f"  {label:40s} true K {hit:2d}/{len(picks)}  within 0.02 {within:2d}  mean ARI {mean:.3f}")

def stability(run, d):
    R = runs(run); S = {}
    for n, r in R.items():
        zs, *_ = load(n, r, d); rng = np.random.default_rng(0); S[n] = {}
        for K in KS:
            v = []
            for rep in range(2):
                p = rng.permutation(len(zs)); A, B = zs[p[:len(p) // 2]], zs[p[len(p) // 2:]]
                a = KMeans(K, n_init=2, random_state=rep).fit(A); b = KMeans(K, n_init=2, random_state=rep + 10).fit(B)
                v.append(ari(b.labels_, a.predict(B)))
            S[n][K] = float(np.mean(v))
        print(f"{n:26s} K = {r['true_k']:2d}: " + ' '.join(f'{S[n][K]:.2f}' for K in KS), flush=True)
    top = lambda s, t: max([K for K, v in s.items() if v >= t] or [KS[0]])
    summary('consensus (default)', {n: sorted(voters(R[n]))[1] for n in R}, R)
    for t in (0.95, 0.98, 0.99):
        summary(f'largest K with stability >= {t}', {n: top(S[n], t) for n in R}, R)
        summary(f'median(CH, elbow, stability {t})', {n: sorted(voters(R[n])[:2] + (top(S[n], t),))[1] for n in R}, R)
    summary('upper median of the 3 voters and stability .99', {n: sorted(voters(R[n]) + (top(S[n], .99),))[2] for n in R}, R)

def sweep(x, pix, H, W, t, m):
    CH, I, S, A = [], [], [], {}
    for K in KS:
        km = KMeans(K, n_init=3, random_state=0).fit(x); L = km.labels_
        CH.append(chs(x, L)); I.append(km.inertia_); S.append(kappa(L, pix, H, W)); A[K] = ari(t[m], L[m])
    sp = max(k for k, s in zip(KS, S) if s >= max(S) - 0.01)
    return sorted([KS[int(np.argmax(CH))], elbow(I), sp])[1], A

def whitened(run, d):
    R = runs(run); tot = np.zeros(4)
    for n, r in R.items():
        zs, pix, t, H, W = load(n, r, d); m = t >= 0
        k0, A0 = sweep(zs, pix, H, W, t, m)
        L = KMeans(12, n_init=3, random_state=0).fit(zs).labels_
        mu = np.array([zs[L == c].mean(0) for c in range(12)]); E = zs - mu[L]
        w, V = np.linalg.eigh(E.T @ E / len(zs)); T = V / np.sqrt(np.maximum(w, 1e-9 * w.max()))
        k1, A1 = sweep(zs @ T, pix, H, W, t, m)
        tk = r['true_k']; tot += [k0 == tk, A0[k0], k1 == tk, A1[k1]]
        print(f"{n:26s} K = {tk:2d} | as is: K = {k0:2d}, ARI {A0[k0]:.3f} | whitened: K = {k1:2d}, ARI {A1[k1]:.3f}", flush=True)
    print(f"as is: true K {int(tot[0])}/{len(R)}, mean ARI {tot[1]/len(R):.3f}; whitened: true K {int(tot[2])}/{len(R)}, mean ARI {tot[3]/len(R):.3f}")

def tied(run, d):
    from sklearn.mixture import GaussianMixture
    R = runs(run); tot = np.zeros(2); used = 0
    for n, r in R.items():
        k = r['true_k']
        if k > KS[-1]: continue
        zs, pix, t, H, W = load(n, r, d); m = t >= 0; used += 1
        km = KMeans(k, n_init=3, random_state=0).fit(zs)
        g = GaussianMixture(k, covariance_type='tied', means_init=km.cluster_centers_, random_state=0).fit(zs)
        a, b = ari(t[m], km.labels_[m]), ari(t[m], g.predict(zs)[m]); tot += [a, b]
        print(f"{n:26s} K = {k:2d}: k-means {a:.3f}, tied mixture {b:.3f}", flush=True)
    print(f"mean ARI over {used} cubes: k-means {tot[0]/used:.3f}, tied Gaussian mixture {tot[1]/used:.3f}")

def neighbour_pairs(H, W, pix):
    idx = np.full(H * W, -1); idx[pix] = np.arange(len(pix)); M = idx.reshape(H, W); P = []
    for a, b in ((M[:, 1:], M[:, :-1]), (M[1:], M[:-1])):
        ok = (a >= 0) & (b >= 0); P.append(np.stack([a[ok], b[ok]], 1))
    return np.concatenate(P)

def smallest_contrast(L, d2, P, minimum_pairs=20):
    la, lb = L[P[:, 0]], L[P[:, 1]]; same = la == lb; ref = np.median(d2[same])
    key = (np.minimum(la, lb) * 100 + np.maximum(la, lb))[~same]; cut = d2[~same]
    v = [np.median(cut[key == q]) / ref for q in np.unique(key) if (key == q).sum() >= minimum_pairs]
    return min(v) if v else np.inf

def edges(run, d):
    R = runs(run); picks = collections.defaultdict(dict)
    for n, r in R.items():
        zs, pix, t, H, W = load(n, r, d); m = t >= 0; P = neighbour_pairs(H, W, pix)
        d2 = ((zs[P[:, 0]] - zs[P[:, 1]]) ** 2).sum(1); C, I, CH, S, A = [], [], [], [], {}
        for K in KS:
            km = KMeans(K, n_init=3, random_state=0).fit(zs); L = km.labels_
            C.append(smallest_contrast(L, d2, P)); I.append(km.inertia_); CH.append(chs(zs, L)); S.append(kappa(L, pix, H, W)); A[K] = ari(t[m], L[m])
        r['ari_by_k'] = {str(K): v for K, v in A.items()}  # score every rule on this script's own maps
        sp = max(k for k, s in zip(KS, S) if s >= max(S) - 0.01); ch, el = KS[int(np.argmax(CH))], elbow(I)
        picks['consensus (CH, elbow, spatial)'][n] = sorted([ch, el, sp])[1]
        for tau in (2, 4, 8):
            first = next((K - 1 for K, c in zip(KS, C) if c < tau), KS[-1]); first = max(first, KS[0])
            picks[f'last K before contrast < {tau}'][n] = first
            picks[f'median(CH, elbow, contrast {tau})'][n] = sorted([ch, el, first])[1]
        print(f"{n:26s} K = {r['true_k']:2d}: " + ' '.join(f'{c:.1f}' for c in C), flush=True)
    for label, p in picks.items():
        summary(label, {n: k for n, k in p.items() if R[n]['true_k'] <= KS[-1]}, R)

def smoothing(run, d):
    R = {n: r for n, r in runs(run).items() if r['true_k'] <= KS[-1]}; picks = collections.defaultdict(dict); kinds = {}
    for n, r in R.items():
        H, W = r['shape'][0], r['shape'][1]; pix = np.load(f'{d}/{n}_pix.npy'); t = np.load(f'{d}/{n}_t.npy'); m = t >= 0
        x = np.load(f'{d}/{n}_z.npy').astype(np.float64); row = {}; kinds[n] = r['kind']; r['ari_by_k'] = {}
        for times in (1, 2, 3):
            x = smooth(x, pix, H, W); CH, I, S = [], [], []
            for K in KS:
                km = KMeans(K, n_init=3, random_state=0).fit(x); L = km.labels_
                CH.append(chs(x, L)); I.append(km.inertia_); S.append(kappa(L, pix, H, W)); r['ari_by_k'][f'{K}x{times}'] = ari(t[m], L[m])
            sp = max(k for k, s in zip(KS, S) if s >= max(S) - 0.01); row[times] = sorted([KS[int(np.argmax(CH))], elbow(I), sp])[1]
            picks[times][n] = row[times]
        print(f"{n:26s} K = {r['true_k']:2d}: " + ', '.join(f"{k} times: K = {row[k]}, ARI {r['ari_by_k'][f'{row[k]}x{k}']:.3f}" for k in row), flush=True)
    for times, p in picks.items():
        for kind in sorted(set(kinds.values())) + [None]:
            sel = {n: f'{k}x{times}' for n, k in p.items() if kind in (None, kinds[n])}
            hit = sum(p[n] == R[n]['true_k'] for n in sel); mean = np.mean([R[n]['ari_by_k'][v] for n, v in sel.items()])
            print(f"  smoothed {times} times, {kind or 'all'}: {len(sel)} cubes, true K {hit}, mean ARI {mean:.3f}")

def gap_bic(run, d, sample=6000, references=5):
    from sklearn.mixture import GaussianMixture
    R = {n: r for n, r in runs(run).items() if r['true_k'] <= KS[-1]}; picks = collections.defaultdict(dict)
    span = list(range(1, KS[-1] + 2))
    for n, r in R.items():
        zs, *_ = load(n, r, d); rng = np.random.default_rng(0)
        x = zs[rng.choice(len(zs), sample, replace=False)] if len(zs) > sample else zs
        logW = {K: np.log(KMeans(K, n_init=3, random_state=0).fit(x).inertia_) for K in span}
        c = x - x.mean(0); _, _, Vt = np.linalg.svd(c, full_matrices=False); y = c @ Vt.T
        lo, hi = y.min(0), y.max(0); ref = {K: [] for K in span}
        for b in range(references):
            u = rng.uniform(lo, hi, size=y.shape) @ Vt
            for K in span: ref[K].append(np.log(KMeans(K, n_init=1, random_state=b).fit(u).inertia_))
        gap = {K: np.mean(ref[K]) - logW[K] for K in span}
        sd = {K: np.std(ref[K]) * np.sqrt(1 + 1 / references) for K in span}
        first = next((K for K in span[:-1] if gap[K] >= gap[K + 1] - sd[K + 1]), KS[-1])
        picks['gap statistic (Tibshirani rule)'][n] = max(first, KS[0])
        picks['gap statistic (largest gap)'][n] = max(KS, key=lambda K: gap[K])
        for cov in ('full', 'diag'):
            bic = {}
            for K in KS:
                km = KMeans(K, n_init=1, random_state=0).fit(x)
                bic[K] = GaussianMixture(K, covariance_type=cov, means_init=km.cluster_centers_, random_state=0,
                                         reg_covar=1e-6 * float(x.var(0).sum())).fit(x).bic(x)
            picks[f'mixture BIC ({cov})'][n] = min(KS, key=lambda K: bic[K])
        ch, el, sp = voters(r)
        picks['consensus (CH, elbow, spatial)'][n] = sorted([ch, el, sp])[1]
        g, bf = picks['gap statistic (Tibshirani rule)'][n], picks['mixture BIC (full)'][n]
        picks['median(CH, elbow, gap)'][n] = sorted([ch, el, g])[1]
        picks['median(CH, elbow, spatial, gap, BIC full)'][n] = sorted([ch, el, sp, g, bf])[2]
        print(f"{n:26s} K = {r['true_k']:2d}: gap {g:2d} (largest {picks['gap statistic (largest gap)'][n]:2d}), "
              f"BIC full {bf:2d}, diag {picks['mixture BIC (diag)'][n]:2d}, consensus {picks['consensus (CH, elbow, spatial)'][n]:2d}", flush=True)
    for label, p in picks.items(): summary(label, p, R)

def replay(run, _):
    import itertools
    R = {n: r for n, r in runs(run).items() if r['true_k'] <= KS[-1]}
    def scores(r): return sorted(r['k_scores'], key=lambda x: x['k'])
    def inertia(r): return np.array([x['inertia'] for x in scores(r)])
    def votes(r):
        s = scores(r); ch, el, sp = voters(r)
        return dict(calinski_harabasz=ch, elbow=el, spatial=sp, davies_bouldin=KS[int(np.argmin([x['daviesBouldin'] for x in s]))],
                    silhouette=KS[int(np.argmax([x['silhouette'] for x in s]))])
    def jump(r, y):  # Sugar & James 2003: the largest rise of the transformed distortion W_K^-y (from K = 3)
        t = inertia(r) ** (-y); return KS[1 + int(np.argmax(t[1:] - t[:-1]))]
    def kl(r, p):  # Krzanowski & Lai 1988, K = 3...11
        W, K = inertia(r), np.array(KS, float); diff = K[:-1] ** (2 / p) * W[:-1] - K[1:] ** (2 / p) * W[1:]
        return KS[1 + int(np.argmax(np.abs(diff[:-1] / diff[1:])))]
    V = {n: votes(r) for n, r in R.items()}
    for c in V[next(iter(V))]: summary(c, {n: v[c] for n, v in V.items()}, R)
    for trio in itertools.combinations(['calinski_harabasz', 'elbow', 'spatial', 'davies_bouldin', 'silhouette'], 3):
        summary('median(' + ', '.join(trio) + ')', {n: sorted(v[c] for c in trio)[1] for n, v in V.items()}, R)
    summary('median of all five', {n: sorted(v.values())[2] for n, v in V.items()}, R)
    for tol in (0.02, 0.03, 0.05):
        summary(f'consensus, spatial tolerance {tol}', {n: sorted(voters(r, tol))[1] for n, r in R.items()}, R)
    for y in (0.5, 1, 2, 4):
        summary(f'jump, Y = {y}', {n: jump(r, y) for n, r in R.items()}, R)
        summary(f'median(CH, elbow, jump Y = {y})', {n: sorted([V[n]['calinski_harabasz'], V[n]['elbow'], jump(r, y)])[1] for n, r in R.items()}, R)
    for p in (2, 4, 8):
        summary(f'Krzanowski-Lai, p = {p}', {n: kl(r, p) for n, r in R.items()}, R)
        summary(f'median(CH, elbow, KL p = {p})', {n: sorted([V[n]['calinski_harabasz'], V[n]['elbow'], kl(r, p)])[1] for n, r in R.items()}, R)

def mixture(run, d):
    from sklearn.mixture import GaussianMixture
    R = runs(run); groups = collections.defaultdict(lambda: collections.defaultdict(list))
    for n, r in R.items():
        zs, pix, t, H, W = load(n, r, d); m = t >= 0; dd = r['decisions']['data']
        spectrograph = dd['kind'] == 'continuous' and dd['zero_fraction'] <= 0.1 and r['decisions']['bins'] >= 512
        group = f"{dd['kind']}, {'spectrograph (mixture)' if spectrograph else 'k-means'}"
        row = []
        for label, k in (('chosen K', r['k']), ('true K', r['true_k'])):
            if k > KS[-1]: continue
            km = KMeans(k, n_init=3, random_state=0).fit(zs)
            g = GaussianMixture(k, covariance_type='full', means_init=km.cluster_centers_, random_state=0,
                                reg_covar=1e-6 * float(zs.var(0).sum())).fit(zs)
            a, b = ari(t[m], km.labels_[m]), ari(t[m], g.predict(zs)[m])
            groups[group][label].append((a, b)); row.append(f"{label} {k:2d}: k-means {a:.3f}, mixture {b:.3f}")
        print(f"{n:26s} {r['kind']:11s} zeros {dd['zero_fraction']:.2f} bins {r['decisions']['bins']:4d} | " + '; '.join(row), flush=True)
    for group, by in groups.items():
        for label, v in by.items():
            v = np.array(v)
            print(f"  {group:40s} {label}: {len(v)} cubes, k-means {v[:, 0].mean():.3f}, mixture {v[:, 1].mean():.3f}; "
                  f"mixture better by > 0.01 on {(v[:, 1] > v[:, 0] + 0.01).sum()}, worse by > 0.01 on {(v[:, 1] < v[:, 0] - 0.01).sum()}")

def brightness(run, d, suites, weights=(0.25, 0.5, 1.0)):
    R = runs(run); paths = {}
    for sp in suites.split(','):
        S = json.load(open(sp))
        for c in S['cubes']: paths[c['name']] = os.path.join(os.path.dirname(sp), c['cube'])
    tot = collections.defaultdict(list)
    for n, r in R.items():
        if r['decisions'].get('transform') != 'anscombe' or n not in paths or not os.path.exists(f'{d}/{n}_z.npy'): continue
        zs, pix, t, H, W = load(n, r, d); m = t >= 0; k = r['true_k']
        cube = np.load(paths[n], mmap_mode='r'); X = np.asarray(cube).reshape(H * W, -1)
        b = np.log1p(np.maximum(X, 0).sum(1, dtype=np.float64))
        img = b.reshape(H, W); noise = np.sqrt(0.5 * np.median((img[:, 1:] - img[:, :-1]) ** 2) / 0.4549)
        bz = smooth((b[pix] / noise)[:, None], pix, H, W)[:, 0]
        line = f"{n:26s} K = {k:2d}:"
        for w in (0.0,) + tuple(weights):
            x = np.column_stack([zs, w * bz]) if w > 0 else zs
            at = ari(t[m], KMeans(k, n_init=3, random_state=0).fit(x).labels_[m]) if k <= KS[-1] else float('nan')
            CH = []; A = {}
            for K in KS:
                L = KMeans(K, n_init=3, random_state=0).fit(x).labels_; CH.append(chs(x, L)); A[K] = ari(t[m], L[m])
            kc = KS[int(np.argmax(CH))]
            tot[w].append((at, A[kc], kc == k)); line += f" | w {w}: true K {at:.3f}, CH K = {kc:2d} {A[kc]:.3f}"
        print(line, flush=True)
    for w, v in tot.items():
        v = np.array(v, dtype=float)
        print(f"w = {w}: {len(v)} cubes, mean ARI at the true K {np.nanmean(v[:, 0]):.3f}, at CH's K {v[:, 1].mean():.3f}, true K {int(v[:, 2].sum())}")

def separable(run, d):
    from quality_peers import discriminant_ari
    R = runs(run); rows = []
    for n, r in R.items():
        zs, pix, t, H, W = load(n, r, d); z = np.load(f'{d}/{n}_z.npy').astype(np.float64)
        best = lambda x: discriminant_ari(x, t, seed=0, regularisation=1e-3)
        a, b, at = best(z), best(zs), r['ari_by_k'].get(str(r['true_k']), float('nan'))
        rows.append((a, b, at)); print(f"{n:26s} K = {r['true_k']:2d}: discriminant on z {a:.3f}, smoothed z {b:.3f} | map at the true K {at:.3f}", flush=True)
    v = np.array(rows); print(f"mean over {len(v)}: z {v[:, 0].mean():.3f}, smoothed z {v[:, 1].mean():.3f}, map at the true K {np.nanmean(v[:, 2]):.3f}")

def pooled_within(x, L, K):
    S = np.zeros((x.shape[1], x.shape[1]))
    for j in range(K):
        y = x[L == j]
        if len(y): y = y - y.mean(0); S += y.T @ y
    return S / len(x) + 1e-6 * np.trace(np.cov(x.T)) * np.eye(x.shape[1])

def repeat_kmeans(x, L, K, project, rounds=30):
    for _ in range(rounds):
        y = x @ project(x, L); C = np.array([y[L == j].mean(0) if (L == j).any() else y[0] for j in range(K)])
        L2 = KMeans(K, init=C, n_init=1).fit(y).labels_
        if (L2 == L).all(): break
        L = L2
    return L

def whitening(x, L, K):
    w, V = np.linalg.eigh(pooled_within(x, L, K)); return V / np.sqrt(w)

def discriminant_axes(x, L, K):
    from scipy.linalg import eigh
    Sw = pooled_within(x, L, K); w, V = eigh(np.cov(x.T, bias=True) - Sw, Sw); return V[:, ::-1][:, :K - 1]

def split_share(p):
    """The share of the variance of 1-D values p that their best split in two explains."""
    s = np.sort(p); n = len(s); c = np.cumsum(s); c2 = np.cumsum(s * s); tot = c2[-1] - c[-1] ** 2 / n
    if n < 4 or tot <= 0: return 0.0
    i = np.arange(1, n); w = (c2[:-1] - c[:-1] ** 2 / i) + ((c2[-1] - c2[:-1]) - (c[-1] - c[:-1]) ** 2 / (n - i))
    return 1 - w.min() / tot

def merge_split(x, L, K, margin=0.05):
    for _ in range(K):
        G = [x[L == j] for j in range(K)]; C = np.array([g.mean(0) for g in G]); splits = []
        for g in G:
            if len(g) < 8: splits.append((0.0, None)); continue
            km = KMeans(2, n_init=2, random_state=0).fit(g); a = km.cluster_centers_[1] - km.cluster_centers_[0]
            splits.append((split_share(g @ (a / max(np.linalg.norm(a), 1e-300))), km.labels_))
        D = ((C[:, None] - C[None]) ** 2).sum(-1); np.fill_diagonal(D, np.inf); near = np.argsort(D, 1)[:, :3]
        c = int(np.argmax([e for e, _ in splits])); pairs = []
        for a in range(K):
            for b in near[a]:
                if c in (a, b) or b < a and a in near[b]: continue
                u = C[b] - C[a]; pairs.append((split_share(np.vstack([G[a], G[b]]) @ (u / np.linalg.norm(u))), a, b))
        if not pairs: break
        e, a, b = min(pairs)
        if splits[c][0] < e + margin: break
        M = L.copy(); M[L == b] = a; M[np.flatnonzero(L == c)[splits[c][1] == 1]] = b
        L2 = KMeans(K, init=np.array([x[M == j].mean(0) for j in range(K)]), n_init=1).fit_predict(x)
        if (L2 == L).all(): break
        L = L2
    return L

def refine(run, d):
    from sklearn.mixture import GaussianMixture
    R = runs(run); tot = collections.defaultdict(list)
    for n, r in R.items():
        K = r['true_k']
        if K > KS[-1]: continue
        zs, pix, t, H, W = load(n, r, d); m = t >= 0
        km = KMeans(K, n_init=3, random_state=0).fit(zs); L = km.labels_; reg = 1e-6 * float(zs.var(0).sum())
        maps = {'k-means': L,
                'tied mixture': GaussianMixture(K, covariance_type='tied', means_init=km.cluster_centers_, random_state=0, reg_covar=reg).fit(zs).predict(zs),
                'full mixture': GaussianMixture(K, covariance_type='full', means_init=km.cluster_centers_, random_state=0, reg_covar=reg).fit(zs).predict(zs),
                'shared-covariance CEM': repeat_kmeans(zs, L.copy(), K, lambda x, l: whitening(x, l, K)),
                'LDA-k-means': repeat_kmeans(zs, L.copy(), K, lambda x, l: discriminant_axes(x, l, K)),
                'merge-split': merge_split(zs, L.copy(), K)}
        s = {k: ari(t[m], v[m]) for k, v in maps.items()}
        for k, v in s.items(): tot[(r['kind'], k)].append(v); tot[('all', k)].append(v)
        print(f"{n:26s} K = {K:2d}: " + ', '.join(f'{k} {v:.3f}' for k, v in s.items()), flush=True)
    for (kind, k), v in tot.items():
        base = np.array(tot[(kind, 'k-means')]); v = np.array(v)
        print(f"  {kind:11s} {k:22s} {len(v):2d} cubes, mean ARI {v.mean():.3f}; better than k-means by > 0.01 on {(v > base + .01).sum()}, worse on {(v < base - .01).sum()}")

def restarts(run, d):
    R = runs(run); tot = collections.defaultdict(list)
    for n, r in R.items():
        K = r['true_k']
        if K > KS[-1]: continue
        zs, pix, t, H, W = load(n, r, d); m = t >= 0; P = neighbour_pairs(H, W, pix); d2 = ((zs[P[:, 0]] - zs[P[:, 1]]) ** 2).sum(1); v = []
        for seed in range(16):
            km = KMeans(K, n_init=1, random_state=seed).fit(zs); L = km.labels_
            v.append((km.inertia_, smallest_contrast(L, d2, P), kappa(L, pix, H, W), ari(t[m], L[m])))
        v = np.array(v)
        pick = {'lowest inertia': v[np.argmin(v[:, 0]), 3], 'strongest weakest boundary': v[np.argmax(v[:, 1]), 3],
                'most coherent map': v[np.argmax(v[:, 2]), 3], 'best (oracle)': v[:, 3].max()}
        for k, x in pick.items(): tot[(r['kind'], k)].append(x)
        print(f"{n:26s} K = {K:2d}: " + ', '.join(f'{k} {x:.3f}' for k, x in pick.items()), flush=True)
    for (kind, k), x in sorted(tot.items()): print(f'  {kind:12s} {k:28s} {len(x):2d} cubes, mean ARI {np.mean(x):.3f}')

def mixture_k(*args):
    from sklearn.mixture import GaussianMixture
    *paths, d = args; R = {}
    for p in paths: R.update(runs(p))
    R = {n: r for n, r in R.items() if r['decisions']['cluster_model'] == 'gaussian_mixture'}; picks = collections.defaultdict(dict)
    for n, r in R.items():
        zs, pix, t, H, W = load(n, r, d); V = collections.defaultdict(list)
        for K in KS:
            km = KMeans(K, n_init=3, random_state=0).fit(zs); L = km.labels_
            g = GaussianMixture(K, covariance_type='full', means_init=km.cluster_centers_, random_state=0, reg_covar=1e-6 * float(zs.var(0).sum())).fit(zs)
            G = g.predict(zs); q = g.predict_proba(zs)
            V['km'].append((chs(zs, L), km.inertia_, kappa(L, pix, H, W)))
            V['gmm'].append((chs(zs, G) if len(np.unique(G)) > 1 else 0, sum(((zs[G == j] - zs[G == j].mean(0)) ** 2).sum() for j in np.unique(G)), kappa(G, pix, H, W)))
            V['bic'].append(g.bic(zs)); V['icl'].append(g.bic(zs) - 2 * (q * np.log(np.clip(q, 1e-300, 1))).sum())
        for label in ('km', 'gmm'):
            ch, inertia, sp = map(list, zip(*V[label]))
            picks[f'consensus on the {"k-means" if label == "km" else "mixture"} partitions'][n] = sorted([KS[int(np.argmax(ch))], elbow(inertia), max(k for k, s in zip(KS, sp) if s >= max(sp) - 0.01)])[1]
        picks['mixture BIC'][n] = KS[int(np.argmin(V['bic']))]; picks['mixture ICL'][n] = KS[int(np.argmin(V['icl']))]
        print(f"{n:32s} K = {r['true_k']}: " + ', '.join(f'{k} {p[n]}' for k, p in picks.items()), flush=True)
    summary('the run (consensus on k-means)', {n: r['k'] for n, r in R.items()}, R)
    for label, p in picks.items(): summary(label, p, R)

def mixture_starts(run, d, starts=8):
    from sklearn.mixture import GaussianMixture
    R = {n: r for n, r in runs(run).items() if r['decisions']['cluster_model'] == 'gaussian_mixture'}; rows = []
    for n, r in R.items():
        zs, pix, t, H, W = load(n, r, d); m = t >= 0; k = r['true_k']; fits = []
        for s in range(starts):
            km = KMeans(k, n_init=1, random_state=s).fit(zs)
            g = GaussianMixture(k, covariance_type='full', means_init=km.cluster_centers_, random_state=s,
                                reg_covar=1e-6 * float(zs.var(0).sum())).fit(zs)
            fits.append((km.inertia_, g.score(zs), ari(t[m], g.predict(zs)[m])))
        f = np.array(fits)
        rows.append((f[np.argmin(f[:, 0]), 2], f[np.argmax(f[:, 1]), 2], f[:, 2].mean(), f[:, 2].max()))
        print(f"{n:32s} K = {k:2d}: from the lowest inertia {rows[-1][0]:.3f}, most likely {rows[-1][1]:.3f}, mean {rows[-1][2]:.3f}, "
              f"oracle {rows[-1][3]:.3f} | mean log-likelihood / ARI per start: " + ' '.join(f'{a:.2f}/{b:.2f}' for _, a, b in fits), flush=True)
    v = np.array(rows)
    print(f"{len(v)} cubes: from the lowest inertia {v[:, 0].mean():.3f}, most likely {v[:, 1].mean():.3f}, mean over starts {v[:, 2].mean():.3f}, "
          f"oracle {v[:, 3].mean():.3f}; most likely better by > 0.005 on {(v[:, 1] > v[:, 0] + 0.005).sum()}, worse on {(v[:, 1] < v[:, 0] - 0.005).sum()}")

def slic(z, pix, H, W, step, compactness, iterations=5):
    """Superpixel index of every row of `z` (pixels `pix` of an H x W image)."""
    d = z.shape[1]; img = np.zeros((H, W, d)); has = np.zeros((H, W), bool)
    img.reshape(-1, d)[pix] = z; has.reshape(-1)[pix] = True
    tau = np.median(((img[:, 1:] - img[:, :-1]) ** 2).sum(-1)[has[:, 1:] & has[:, :-1]])
    cy, cx = [a.ravel().astype(float) for a in np.meshgrid(np.arange(step // 2, H, step), np.arange(step // 2, W, step), indexing='ij')]
    cz = img[cy.astype(int), cx.astype(int)]
    for _ in range(iterations):
        best = np.full((H, W), np.inf); lab = np.full((H, W), -1)
        for j in range(len(cy)):
            y0, y1 = max(0, int(cy[j]) - step), min(H, int(cy[j]) + step + 1)
            x0, x1 = max(0, int(cx[j]) - step), min(W, int(cx[j]) + step + 1)
            yy, xx = np.mgrid[y0:y1, x0:x1]
            D = ((img[y0:y1, x0:x1] - cz[j]) ** 2).sum(-1) / tau + compactness ** 2 * ((yy - cy[j]) ** 2 + (xx - cx[j]) ** 2) / step ** 2
            D[~has[y0:y1, x0:x1]] = np.inf
            better = D < best[y0:y1, x0:x1]
            best[y0:y1, x0:x1][better] = D[better]; lab[y0:y1, x0:x1][better] = j
        flat = lab.reshape(-1); yy, xx = np.divmod(np.arange(H * W), W)
        for j in np.unique(flat[flat >= 0]):
            sel = flat == j; cy[j], cx[j] = yy[sel].mean(), xx[sel].mean(); cz[j] = img.reshape(-1, d)[sel].mean(0)
    _, sp = np.unique(lab.reshape(-1)[pix], return_inverse=True)
    return sp

def superpixels(run, d, settings=((3, 1), (4, 1), (4, 3), (6, 1), (6, 3))):
    R = {n: r for n, r in runs(run).items() if r['true_k'] <= KS[-1]}; tot = collections.defaultdict(list); kinds = {}
    for n, r in R.items():
        H, W = r['shape'][0], r['shape'][1]; pix = np.load(f'{d}/{n}_pix.npy'); t = np.load(f'{d}/{n}_t.npy'); m = t >= 0
        z = np.load(f'{d}/{n}_z.npy').astype(np.float64); k = r['true_k']; kinds[n] = r['kind']; row = {}
        row['none'] = ari(t[m], KMeans(k, n_init=3, random_state=0).fit(z).labels_[m])
        row['neighbour mean'] = ari(t[m], KMeans(k, n_init=3, random_state=0).fit(smooth(z, pix, H, W)).labels_[m])
        for step, compactness in settings:
            sp = slic(z, pix, H, W, step, compactness); count = np.bincount(sp)
            means = np.stack([np.bincount(sp, weights=z[:, j]) for j in range(z.shape[1])], 1) / count[:, None]
            L = KMeans(k, n_init=3, random_state=0).fit(means, sample_weight=count).labels_[sp]
            row[f'SLIC S = {step}, m = {compactness}'] = ari(t[m], L[m])
        for key, v in row.items(): tot[key].append((kinds[n], v))
        print(f"{n:32s} K = {k:2d}: " + ', '.join(f'{key} {v:.3f}' for key, v in row.items()), flush=True)
    for key, v in tot.items():
        groups = {g: np.mean([a for kind, a in v if kind == g]) for g in sorted(set(kinds.values()))}
        print(f"  {key:22s} mean ARI {np.mean([a for _, a in v]):.3f} (" + ', '.join(f'{g} {a:.3f}' for g, a in groups.items()) + ')')

def signal_dimension(run, snr_path):
    R = {n: r for n, r in runs(run).items() if r['true_k'] <= KS[-1]
         and r['decisions']['data'].get('half_flux_channel_share', 1) < 0.2}
    S = {n: r['decisions']['signal_to_noise'] for n, r in runs(snr_path).items() if r['decisions'].get('signal_to_noise')}
    R = {n: r for n, r in R.items() if n in S}
    def ch_in(r, lo, hi):
        s = [x for x in r['k_scores'] if lo <= x['k'] <= hi]
        return max(s, key=lambda x: x['calinskiHarabasz'])['k'] if s else (KS[-1] if lo > KS[-1] else KS[0])
    CH = {n: ch_in(r, KS[0], KS[-1]) for n, r in R.items()}
    summary('Calinski-Harabasz (the default)', CH, R)
    summary('consensus (CH, elbow, spatial)', {n: sorted(voters(r))[1] for n, r in R.items()}, R)
    for t in (1.5, 2, 2.5, 3):
        K = {n: min(KS[-1], max(KS[0], int(sum(v > t * np.median(S[n][-8:]) for v in S[n])) + 1)) for n in R}
        summary(f'D + 1, t = {t}', K, R)
        summary(f'  CH within D + 1 +- 1', {n: ch_in(r, K[n] - 1, K[n] + 1) for n, r in R.items()}, R)
        summary(f'  CH over K >= D + 1', {n: ch_in(r, K[n], KS[-1]) for n, r in R.items()}, R)
        summary(f'  median(CH, D + 1, elbow)', {n: sorted([CH[n], K[n], voters(r)[1]])[1] for n, r in R.items()}, R)

def unimodal_k(run, d, thresholds=(0.8, 0.85, 0.9, 0.93)):
    R = {n: r for n, r in runs(run).items() if r['true_k'] <= KS[-1] and os.path.exists(f'{d}/{n}_z.npy')
         and r['decisions']['data'].get('half_flux_channel_share', 1) < 0.2}
    weakest = {}
    for n, r in R.items():
        x = load(n, r, d)[0]; w = {}
        for K in KS:
            L = KMeans(K, n_init=3, random_state=0).fit_predict(x); C = np.array([x[L == j].mean(0) for j in range(K)])
            D = ((C[:, None] - C[None]) ** 2).sum(-1); np.fill_diagonal(D, np.inf); pairs = []
            for a in range(K):
                b = int(np.argmin(D[a])); u = C[b] - C[a]
                pairs.append(split_share(np.vstack([x[L == a], x[L == b]]) @ (u / max(np.linalg.norm(u), 1e-300))))
            w[K] = min(pairs)
        weakest[n] = w
        print(f"{n:34s} K = {r['true_k']:2d}, CH {r['votes']['calinski_harabasz']:2d}: " + ' '.join(f'{w[K]:.2f}' for K in KS), flush=True)
    CH = {n: r['votes']['calinski_harabasz'] for n, r in R.items()}
    for label, S in (('all', R), ('two classes', {n: r for n, r in R.items() if r['true_k'] == 2}),
                     ('three or more', {n: r for n, r in R.items() if r['true_k'] > 2})):
        print(f'{label} ({len(S)} cubes)')
        if not S: continue
        summary('Calinski-Harabasz (the default)', {n: CH[n] for n in S}, S)
        summary('consensus (CH, elbow, spatial)', {n: r['votes']['consensus'] for n, r in S.items()}, S)
        for t in thresholds:
            summary(f'largest K <= CH with weakest pair >= {t}', {n: max([K for K in KS if K <= CH[n] and weakest[n][K] >= t] or [KS[0]]) for n in S}, S)
            summary(f'largest K with weakest pair >= {t}', {n: max([K for K in KS if weakest[n][K] >= t] or [KS[0]]) for n in S}, S)

def ch_tolerance(run_list, _, tolerances=(0, 0.02, 0.05, 0.08, 0.1, 0.15)):
    pooled = {}
    for path in run_list.split(','):
        R = {n: r for n, r in runs(path).items() if r['true_k'] <= KS[-1]
             and r['decisions']['data'].get('half_flux_channel_share', 1) < 0.2}
        pooled.update({f'{path}:{n}': r for n, r in R.items()})
        print(f'{path} ({len(R)} line-spectrum cubes)')
        for t in tolerances:
            summary(f'smallest K with CH >= {1 - t:.2f} x its maximum', {n: plateau(r, t) for n, r in R.items()}, R)
    print(f'all ({len(pooled)} cubes)')
    summary('consensus', {n: r['votes']['consensus'] for n, r in pooled.items()}, pooled)
    for t in tolerances:
        summary(f'smallest K with CH >= {1 - t:.2f} x its maximum', {n: plateau(r, t) for n, r in pooled.items()}, pooled)

def plateau(r, t):
    ch = np.array([x['calinskiHarabasz'] for x in sorted(r['k_scores'], key=lambda x: x['k'])])
    return KS[int(np.argmax(ch >= (1 - t) * ch.max()))]

if __name__ == '__main__':
    studies = {'embedding': embedding, 'stability': stability, 'whitened': whitened, 'tied': tied, 'edges': edges,
               'smoothing': smoothing, 'gap_bic': gap_bic,
               'mixture': mixture, 'replay': replay, 'separable': separable, 'brightness': brightness, 'refine': refine, 'restarts': restarts, 'mixture_k': mixture_k,
               'mixture_starts': mixture_starts, 'superpixels': superpixels, 'signal_dimension': signal_dimension, 'unimodal_k': unimodal_k,
               'ch_tolerance': ch_tolerance}
    if len(sys.argv) < 4 or sys.argv[1] not in studies or (len(sys.argv) != 4 and sys.argv[1] not in ('mixture_k', 'brightness')):
        sys.exit('usage: heldout_studies.py embedding AE.jsonl PCA.jsonl | {stability,whitened,tied,edges,smoothing,gap_bic,mixture,replay,separable,refine,restarts,mixture_starts,superpixels,unimodal_k} RUN.jsonl DUMP_DIR'
                 ' | signal_dimension RUN.jsonl SNR.jsonl | ch_tolerance RUN.jsonl[,RUN.jsonl...] -'
                 ' | mixture_k RUN.jsonl [RUN.jsonl ...] DUMP_DIR | brightness RUN.jsonl DUMP_DIR SUITE.json[,SUITE.json...]')
    studies[sys.argv[1]](*sys.argv[2:])
