"""Does noise-adjusted PCA (minimum noise fraction) cluster photon counts better than PCA?
(README: "Noise-adjusted PCA for counts".)

On every MA-XRF cube `make quality` wrote (quality-out/cubes: CubeSeg's grid and the
independent simulator): spectra rebinned and transformed as CubeSeg does for PCA of counts
(the largest power of two with at least 0.2 mean counts per bin, 64...1024; shifted
Anscombe, unit norm), embedded in 8 dimensions by
  pca       plain PCA
  mnf a     PCA of the spectra whitened by the noise covariance measured between adjacent
            pixels (half the covariance of their differences), shrunk towards its mean
            variance by a = 0.1, 0.3 (CubeSeg's), 0.6
then averaged over the 3 x 3 neighbours within 4 median adjacent distances (CubeSeg's
edge-preserving mean) and clustered by k-means given the true K (scikit-learn, mean ARI
over 2 seeds).
With --axes-above, the columns are instead noise-adjusted PCA (shrinkage 0.3) keeping all
8 axes, or only those whose whitened variance exceeds 2, 3 or 5 times the median of all d
whitened variances (at least 2, at most 8).
Run after `make quality`: PEER_PY scripts/noise_adjusted_study.py [--axes-above] (about 6
min on 2 cores); other suites (directories holding a suite.json) can be named as arguments.
"""
import json, os, sys, numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score as ari
Q=os.path.join(os.path.dirname(os.path.abspath(__file__)),'..','quality-out','cubes')
AXES='--axes-above' in sys.argv
args=[a for a in sys.argv[1:] if a!='--axes-above']
SHRINK=(2,3,5) if AXES else (0.1,0.3,0.6)
cubes=[]
for g in args or [f'{Q}/grid',f'{Q}/pysim']:
    s=json.load(open(f'{g}/suite.json'))
    for c in s['cubes']:
        if c['kind'] in ('maxrf','xrf'): cubes.append((c['name'],f'{g}/'+c['cube'],f'{g}/'+c['labels'],c['true_k']))
def prepare(x):
    H,W,C=x.shape; x=np.maximum(x.reshape(H*W,C).astype(np.float64),0)
    b=1024
    while b>64 and x.sum(1).mean()/b<0.2: b//=2
    if C>b: x=np.add.reduceat(x,(np.arange(b)*C)//b,axis=1)
    y=np.sqrt(x+3/8)-np.sqrt(3/8)
    return (y/np.maximum(np.linalg.norm(y,axis=1,keepdims=True),1e-12)).reshape(H,W,-1)
def smooth(z,H,W):
    z=z.reshape(H,W,-1); tau=4*np.median(np.sqrt(((z[:,1:]-z[:,:-1])**2).sum(-1)))
    acc=z.copy(); cnt=np.ones((H,W,1))
    for dy in (-1,0,1):
        for dx in (-1,0,1):
            if dy==0 and dx==0: continue
            s=np.roll(np.roll(z,dy,0),dx,1)
            ok=(np.sqrt(((s-z)**2).sum(-1))<=tau)[...,None].astype(float)
            if dy==1: ok[0]=0
            if dy==-1: ok[-1]=0
            if dx==1: ok[:,0]=0
            if dx==-1: ok[:,-1]=0
            acc+=ok*s; cnt+=ok
    return (acc/cnt).reshape(H*W,-1)
rows=[]
for name,cp,lp,k in cubes:
    y=prepare(np.nan_to_num(np.asarray(np.load(cp,mmap_mode='r'),dtype=np.float32))); H,W,B=y.shape
    Y=y.reshape(-1,B); Yc=Y-Y.mean(0); S=Yc.T@Yc/len(Yc)
    d=np.concatenate([(y[:,1:]-y[:,:-1]).reshape(-1,B),(y[1:]-y[:-1]).reshape(-1,B)]); N=d.T@d/len(d)/2
    if AXES:
        w,V=np.linalg.eigh(0.7*N+0.3*np.trace(N)/B*np.eye(B)); Wh=V/np.sqrt(w)
        lam,U=np.linalg.eigh(Wh.T@S@Wh); lam=lam[::-1]; U=U[:,::-1]
        zs=[Yc@(Wh@U[:,:int(np.clip((lam>c*np.median(lam)).sum(),2,8) if c else 8)]) for c in (None,)+SHRINK]
    else:
        zs=[Yc@np.linalg.eigh(S)[1][:,::-1][:,:8]]
        for a in SHRINK:
            w,V=np.linalg.eigh((1-a)*N+a*np.trace(N)/B*np.eye(B)); Wh=V/np.sqrt(w)
            zs.append(Yc@(Wh@np.linalg.eigh(Wh.T@S@Wh)[1][:,::-1][:,:8]))
    t=np.load(lp).reshape(-1); m=t>=0
    r=[np.mean([ari(t[m],KMeans(k,n_init=3,random_state=s).fit_predict(smooth(z,H,W))[m]) for s in range(2)]) for z in zs]
    first,col=('mnf8','above') if AXES else ('pca','mnf')
    rows.append(r); print(f'{name:18s} k={k:2d} {first}={r[0]:.3f} '+' '.join(f'{col}{a}={v:.3f}' for a,v in zip(SHRINK,r[1:])),flush=True)
r=np.array(rows)
print(f'MEAN {first}=%.3f '%r[:,0].mean()+' '.join(f'{col}{a}=%.3f'%r[:,i+1].mean() for i,a in enumerate(SHRINK)))
for i,a in enumerate(SHRINK):
    print(f'{col}{a}: better on {(r[:,i+1]>r[:,0]+0.005).sum()}, worse on {(r[:,i+1]<r[:,0]-0.005).sum()} of {len(r)}; worst change {np.min(r[:,i+1]-r[:,0]):+.3f}')
