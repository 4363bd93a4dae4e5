"""Which per-spectrum transform suits PCA of photon counts? (README: "Counts
variance-stabilised for PCA".)

PCA(8) + k-means given the true K (scikit-learn, mean ARI over 3 seeds) on every MA-XRF
cube `make quality` wrote (quality-out/cubes: CubeSeg's grid and the independent
simulator), each rebinned as CubeSeg rebins counts for PCA (the largest power of two with
at least 0.2 mean counts per bin, 64...1024), under four transforms:
  cur       log(1 + x) / max (the paper's)
  hell      sqrt(x) / ||sqrt(x)|| (Hellinger)
  sqrt_l2   sqrt(x + 3/8) / norm (Anscombe)
  sqrt0_l2  (sqrt(x + 3/8) - sqrt(3/8)) / norm (CubeSeg's `anscombe`)
Run after `make quality`: PEER_PY scripts/transform_study.py (about 6 min on 2 cores).
"""
import json, os, sys, numpy as np
from sklearn.decomposition import PCA
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score as ari
Q=os.path.join(os.path.dirname(os.path.abspath(__file__)),'..','quality-out','cubes')
cubes=[]
for g in ('grid','pysim'):
    s=json.load(open(f'{Q}/{g}/suite.json'))
    for c in s['cubes']:
        if c['kind'] in ('maxrf','xrf'): cubes.append((c['name'],f'{Q}/{g}/'+c['cube'],f'{Q}/{g}/'+c['labels'],c['true_k']))
def rebin(X,B):
    C=X.shape[1]
    if C<=B: return X
    return np.add.reduceat(X,(np.arange(B)*C)//B,axis=1)
def variants(X):
    tot=X.sum(1).mean(); B=1024
    while B>64 and tot/B<0.2: B//=2
    Xb=np.maximum(rebin(X,B).astype(np.float64),0)
    L=np.log1p(Xb); A=np.sqrt(Xb+3/8)
    nz=lambda v: np.maximum(v,1e-12)
    R=np.sqrt(Xb); C0=np.sqrt(Xb+3/8)-np.sqrt(3/8)
    return {'cur':L/nz(L.max(1,keepdims=True)), 'hell':R/nz(np.linalg.norm(R,axis=1,keepdims=True)), 'sqrt_l2':A/nz(np.linalg.norm(A,axis=1,keepdims=True)), 'sqrt0_l2':C0/nz(np.linalg.norm(C0,axis=1,keepdims=True))}
tot={}
for name,cp,lp,k in cubes:
    X=np.nan_to_num(np.asarray(np.load(cp,mmap_mode='r'),dtype=np.float32)); H,W,C=X.shape
    X=X.reshape(H*W,C); y=np.load(lp).reshape(-1); m=y>=0
    res=[]
    for v,Z in variants(X).items():
        P=PCA(8,random_state=0).fit_transform(Z)
        a=np.mean([ari(y[m],KMeans(k,n_init=3,random_state=s).fit_predict(P)[m]) for s in range(3)])
        tot.setdefault(v,[]).append(a); res.append(f'{v}={a:.3f}')
    print(f'{name:18s} k={k:2d} '+' '.join(res),flush=True)
print('MEAN '+' '.join(f'{v}={np.mean(a):.3f}' for v,a in tot.items()))
