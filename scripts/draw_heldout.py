"""Draw a fresh held-out suite for `make quality-heldout`: cubes whose settings and seeds
come from SEED, so no default can have been tuned to them.

    python3 scripts/draw_heldout.py OUTDIR SEED CUBESEG_BINARY [--count N] [--scenes M]

Writes OUTDIR/grid (CubeSeg's generators: `cubeseg synth`) and OUTDIR/pysim (the
independent simulator, scripts/sim), each with its suite.json, N cubes in all (default
16): a quarter IFU cubes, the rest MA-XRF, at 96 x 96 pixels. The MA-XRF settings are
drawn over the ranges the quality suite spans (counts 30-5,000 per pixel, log-uniform;
3-12 classes; 1,024-4,096 channels; with some chance a rare class, a dark class, mixed
pixels, an intensity gradient, strong scatter, the W anode); each cube's name records
them. Then M airborne imaging-spectrometer scenes (default 4, scripts/sim/hsi.py: fields,
an urban grid or natural regions; 3-12 classes; four sensors; reflectance as floats or
whole numbers, or radiance in digital numbers; SNR 60-600), drawn from a stream of their
own, so a SEED drawn before they were added still draws the same 16 cubes. The same SEED
draws the same suite.
"""
import json, math, os, subprocess, sys
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'sim'))
import hsi  # noqa: E402
from make_suite import SIMULATORS, relabel_contiguous  # noqa: E402


def classes_in(labels):
    return int(len(np.unique(labels[labels >= 0])))


def draw_grid(rng, i, seed):
    """One `cubeseg synth` cube: (name, kind, arguments)."""
    if rng.random() < 0.25:
        counts = int(round(math.exp(rng.uniform(math.log(1000), math.log(30000)))))
        return f'g{i}_ifu_c{counts}', 'ifu', ['ifu', '--counts', str(counts)]
    counts = int(round(math.exp(rng.uniform(math.log(30), math.log(5000)))))
    k = int(rng.integers(3, 13)); channels = int(rng.choice([1024, 1024, 2048, 4096]))
    args = ['maxrf', '--counts', str(counts), '--classes', str(k), '--channels', str(channels)]
    name = f'g{i}_maxrf_c{counts}_k{k}_ch{channels}'
    if rng.random() < 0.2: args.append('--rare-class'); name += '_rare'
    if rng.random() < 0.2: args.append('--dark-class'); name += '_dark'
    if rng.random() < 0.25:
        m = round(float(rng.uniform(0.1, 0.4)), 2); args += ['--mixing', str(m)]; name += f'_mix{m}'
    if rng.random() < 0.25:
        v = round(float(rng.uniform(0.3, 1.0)), 2); args += ['--intensity-variation', str(v)]; name += f'_grad{v}'
    if rng.random() < 0.2:
        s = round(float(rng.uniform(2, 8)), 1); args += ['--scatter', str(s)]; name += f'_scatter{s}'
    return name, 'maxrf', args


def draw_pysim(rng, i, seed):
    """One independent-simulator cube: (name, kind, simulate keyword arguments)."""
    s = int(seed) * 1000 + i
    if rng.random() < 0.25:
        mode = str(rng.choice(['bright', 'faint'])); sky = bool(rng.random() < 0.5)
        kw = dict(H=96, W=96, channels=int(rng.choice([1024, 2048])), mode=mode, sky_sub=sky, seed=s)
        name = f'p{i}_ifu_{mode}' + ('_skysub' if sky else '')
        if rng.random() < 0.3:
            kw.update(scheme='kinematic', resolving_power=4000.0, inclination=float(rng.uniform(40, 70)))
            name += '_kinematic'
        return name, 'ifu', kw
    counts = int(round(math.exp(rng.uniform(math.log(30), math.log(5000)))))
    k = int(rng.integers(3, 13)); channels = int(rng.choice([1024, 1024, 2048, 4096]))
    kw = dict(H=96, W=96, channels=channels, counts=float(counts), n_classes=k, seed=s)
    name = f'p{i}_xrf_c{counts}_k{k}_ch{channels}'
    if rng.random() < 0.2: kw['rare'] = True; name += '_rare'
    if rng.random() < 0.2: kw['dark'] = True; name += '_dark'
    if rng.random() < 0.25:
        kw.update(mix=round(float(rng.uniform(0.1, 0.35)), 2), boundary_blur=1.0); name += f"_mix{kw['mix']}"
    if rng.random() < 0.25:
        kw.update(intensity_sigma=round(float(rng.uniform(0.3, 0.7)), 2), thickness_sigma=0.4); name += '_grad'
    if rng.random() < 0.2:
        kw.update(anode='W', e_max=20.48, ground='gypsum', scatter_strength=round(float(rng.uniform(2, 6)), 1)); name += '_w'
    return name, 'maxrf', kw


def draw_scene(rng, j, seed):
    """One airborne scene of the independent simulator: (name, kind, simulate keyword arguments)."""
    scene = str(rng.choice(['fields', 'fields', 'urban', 'natural']))
    k = int(rng.integers(3, {'fields': 13, 'urban': 10, 'natural': 9}[scene]))
    sensor = str(rng.choice(list(hsi.SENSORS))); product = str(rng.choice(['reflectance', 'reflectance_int', 'radiance_dn']))
    snr = int(round(math.exp(rng.uniform(math.log(60), math.log(600)))))
    kw = dict(H=96, W=96, scene=scene, n_classes=k, seed=int(seed) * 1000 + 500 + j, sensor=sensor, product=product,
              snr=float(snr), illumination_sigma=round(float(rng.uniform(0.05, 0.3)), 2),
              texture=round(float(rng.uniform(0.02, 0.06)), 3), labelled_frac=round(float(rng.uniform(0.5, 1.0)), 2),
              drop_water_bands=bool(rng.random() < 0.75))
    if scene == 'fields': kw['similar_frac'] = round(float(rng.uniform(0.1, 0.4)), 2)
    if scene == 'natural': kw['softness'] = round(float(rng.uniform(0.1, 0.3)), 2)
    reaches_water_bands = hsi.SENSORS[sensor][1] > hsi.WATER_BANDS[0][0]
    name = f's{j}_hsi_{scene}_k{k}_{sensor}_{product}_snr{snr}' + ('_water' if reaches_water_bands and not kw['drop_water_bands'] else '')
    return name, 'hsi', kw


def main(argv):
    if len(argv) < 4:
        print(__doc__); return 2
    out, seed, binary = argv[1], int(argv[2]), argv[3]
    count = int(argv[argv.index('--count') + 1]) if '--count' in argv else 16
    scenes = int(argv[argv.index('--scenes') + 1]) if '--scenes' in argv else 4
    rng = np.random.default_rng(seed)
    grid, pysim = [], []
    for i in range(count):
        (grid if i % 2 == 0 else pysim).append(i)
    os.makedirs(f'{out}/grid', exist_ok=True); os.makedirs(f'{out}/pysim', exist_ok=True)
    entries = []
    for i in grid:
        name, kind, args = draw_grid(rng, i, seed)
        path = f'{out}/grid/{name}.npy'
        subprocess.run([binary, 'synth', *args, path, '--size', '96', '--seed', str(seed * 1000 + i)],
                       check=True, stdout=subprocess.DEVNULL)
        k = classes_in(np.load(f'{out}/grid/{name}_labels.npy'))
        entries.append(dict(name=name, cube=f'{name}.npy', labels=f'{name}_labels.npy', true_k=k, kind=kind))
        print(f'{name:44s} K = {k}', flush=True)
    json.dump(dict(generator='cubeseg', cubes=entries), open(f'{out}/grid/suite.json', 'w'), indent=1)
    entries = []
    scene_rng = np.random.default_rng([seed, 2])
    drawn = [draw_pysim(rng, i, seed) for i in pysim] + [draw_scene(scene_rng, j, seed) for j in range(scenes)]
    for name, kind, kw in drawn:
        cube, labels, _ = SIMULATORS[kind](**kw)
        labels, present = relabel_contiguous(labels)
        np.save(f'{out}/pysim/{name}.npy', np.ascontiguousarray(cube, dtype=np.float32))
        np.save(f'{out}/pysim/{name}_labels.npy', labels.astype(np.int32))
        entries.append(dict(name=name, cube=f'{name}.npy', labels=f'{name}_labels.npy', true_k=int(len(present)), kind=kind))
        print(f'{name:44s} K = {len(present)}', flush=True)
    json.dump(dict(generator='pysim', cubes=entries), open(f'{out}/pysim/suite.json', 'w'), indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
