"""Does the segmentation of data that are not counts depend on the cube's unit, and which
unit should log-max read values in? (README: "Maps that do not depend on the unit".)

On every cube `make quality` wrote that is not photon counts (the IFU cubes of CubeSeg's
grid and of the independent simulator, and the real scenes of ../shared/data): spectra
rebinned as CubeSeg does for them (at most 1,024 bins, negatives as 0), transformed by
  own        log(1 + x) / max, x in the cube's own unit (CubeSeg before)
  /1000      the same with the cube in a unit 1,000 times larger (values / 1000)
  *1000      the same with the cube in a unit 1,000 times smaller (values * 1000)
  typical    log(1 + x / s) / max, s the typical bin value: the median pixel total over
             the number of bins (CubeSeg now; the same whatever the unit)
  typical/10, typical*10   s ten times smaller or larger
  linear     x / max (log-max's limit for a very large unit)
then PCA(8), CubeSeg's edge-preserving 3 x 3 neighbourhood mean, and k-means given the
true K (scikit-learn, mean ARI over 2 seeds).
With --per-pixel, the columns are instead per-pixel units (each spectrum read in units of
its own mean bin value m, so only its shape counts):
  typical    as above (CubeSeg)
  pixel      log(1 + x / m) / max; pixel/10, pixel*10 with m ten times smaller or larger
  sqrtnorm   sqrt(x) / ||sqrt(x)||_2 (Anscombe-like for photon-limited fluxes)
  pixel_l2   log(1 + x / m) / ||.||_2
Run after `make quality`: PEER_PY scripts/unit_study.py [--per-pixel] [SUITE.json|SUITE_DIR ...]
(about 3 min on 2 cores); without arguments, the quality suite's cubes.
"""
import json, os, sys, numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score as ari
ROOT=os.path.join(os.path.dirname(os.path.abspath(__file__)),'..')
Q=os.path.join(ROOT,'quality-out','cubes')
PER_PIXEL='--per-pixel' in sys.argv
VARIANTS=(('typical','pixel','pixel/10','pixel*10','sqrtnorm','pixel_l2') if PER_PIXEL else
          ('own','/1000','*1000','typical','typical/10','typical*10','linear'))

def suites(args):
    return args or [f'{Q}/grid',f'{Q}/pysim',os.path.join(ROOT,'quality-out','real-suite.json')]

def cubes(paths):
    out=[]
    for g in paths:
        p=g if g.endswith('.json') else f'{g}/suite.json'
        base=os.path.dirname(p); s=json.load(open(p))
        for c in s['cubes']:
            if c['kind'] in ('maxrf','xrf'): continue
            path=lambda f: f if os.path.isabs(f) else os.path.join(base,f)
            out.append((c['name'],path(c['cube']),path(c['labels']),c['true_k']))
    return out

def rebin(x):
    H,W,C=x.shape; x=np.maximum(x.reshape(H*W,C).astype(np.float64),0)
    if C>1024: x=np.add.reduceat(x,(np.arange(1024)*C)//1024,axis=1)
    return x,H,W

def transform(name,x):
    s=np.median(x.sum(1))/x.shape[1]
    m=np.maximum(x.mean(1,keepdims=True),1e-30)
    y={'own':lambda: np.log1p(x),'/1000':lambda: np.log1p(x/1000),'*1000':lambda: np.log1p(x*1000),
       'typical':lambda: np.log1p(x/s),'typical/10':lambda: np.log1p(x/(s/10)),'typical*10':lambda: np.log1p(x/(s*10)),
       'linear':lambda: x,
       'pixel':lambda: np.log1p(x/m),'pixel/10':lambda: np.log1p(x/(m/10)),'pixel*10':lambda: np.log1p(x/(m*10)),
       'sqrtnorm':lambda: np.sqrt(x),'pixel_l2':lambda: np.log1p(x/m)}[name]()
    if name in ('sqrtnorm','pixel_l2'): return y/np.maximum(np.linalg.norm(y,axis=1,keepdims=True),1e-30)
    return y/np.maximum(y.max(1,keepdims=True),1e-30)

def smooth(z,H,W):
    """CubeSeg's NeighbourhoodAveraging, radius 1: the mean over the 3 x 3 window of the
    neighbours within 4 median squared adjacent distances."""
    z=z.reshape(H,W,-1); tau=4*np.median(((z[:,1:]-z[:,:-1])**2).sum(-1))
    acc=z.copy(); cnt=np.ones((H,W,1))
    for dy in (-1,0,1):
        for dx in (-1,0,1):
            if dy==0 and dx==0: continue
            s=np.roll(np.roll(z,dy,0),dx,1)
            ok=(((s-z)**2).sum(-1)<=tau)[...,None].astype(float)
            if dy>0: ok[:dy]=0
            if dy<0: ok[dy:]=0
            if dx>0: ok[:,:dx]=0
            if dx<0: ok[:,dx:]=0
            acc+=ok*s; cnt+=ok
    return (acc/cnt).reshape(H*W,-1)

rows=[]
for name,cp,lp,k in cubes(suites([a for a in sys.argv[1:] if a!='--per-pixel'])):
    x,H,W=rebin(np.nan_to_num(np.load(cp))); t=np.load(lp).reshape(-1); m=t>=0
    r=[]
    for v in VARIANTS:
        y=transform(v,x); yc=y-y.mean(0); U=np.linalg.eigh(yc.T@yc)[1][:,::-1][:,:8]; z=smooth(yc@U,H,W)
        r.append(np.mean([ari(t[m],KMeans(k,n_init=3,random_state=s).fit_predict(z)[m]) for s in range(2)]))
    rows.append(r); print(f'{name:22s} k={k:2d} '+' '.join(f'{a}={v:.3f}' for a,v in zip(VARIANTS,r)),flush=True)
r=np.array(rows)
print('MEAN '+' '.join(f'{a}={v:.3f}' for a,v in zip(VARIANTS,r.mean(0))))
