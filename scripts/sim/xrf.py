"""MA-XRF (macro X-ray fluorescence) scan simulator for paintings.  numpy only.

Independent physics model (written from textbook approximations, not from any
other CubeSeg generator):

* Excitation: X-ray tube (Rh anode by default; W and Mo available) at `kv`
  kV.  Kramers bremsstrahlung (kv-E)/E filtered by a 125 um Be tube window plus
  the anode characteristic lines.  Each element shell (K or L3) is excited by
  the part of the tube spectrum above its edge, weighted by a photo-absorption
  falling as (edge/E)^2.7; fluorescence yields from omega = Z^4/(Z^4+a).
* Sample: a paint layer (pigment mixture in an organic binder, mass thickness
  m in g/cm^2) over an infinitely thick ground (lead white, chalk or gypsum).
  Mass attenuation mu(E) ~ 9.7 Z^3 E^-3 with K- and L3-edge jumps, plus
  Rayleigh and Compton scattering.  Paint fluorescence carries the
  self-absorption factor (1-exp(-chi m))/chi, the ground is attenuated by
  exp(-chi m) (chi = incoming + outgoing path at 45/45 degrees).
* Scatter: Rayleigh peaks at the anode lines, Compton peaks at
  E' = E/(1+E/511 (1-cos theta)) (theta = 90 deg default) with Doppler
  broadening, and the scattered bremsstrahlung continuum (Rayleigh part at E,
  Compton part remapped to E').  Light matrices scatter strongly, heavy
  (Pb/Hg) matrices absorb.
* Detector: silicon drift detector.  Gaussian with Fano-statistics width
  FWHM^2 = noise^2 + 2.355^2 * 3.85 eV * F * E (F = 0.115), a hypermet
  low-energy exponential tail and flat shelf, Si K escape peaks 1.74 keV below
  each parent (~1-2 %), efficiency = Be window * air path * (1-exp(-mu_Si t)).
  Argon in the air path gives a small Ar K peak in every pixel.
* Pile-up: sum peaks of the strongest lines, with a pile-up fraction that
  grows with the local count rate.
* Noise: Poisson per channel on the expected spectrum; output float32 whole
  counts, normalised so that the mean total counts per pixel = `counts`.

Layout: domain-warped Voronoi "paint areas", class areas from Dirichlet
targets, boundary blur (sub-pixel linear spectral mixing), optional mixed
zone (two materials, fraction from a smooth field), optional rare class
(~1 % of pixels as small spots), optional dark class (organic lacuna fill:
no fluorescence, mostly Compton scatter, low counts), smooth multiplicative
intensity field and thickness field with per-pixel jitter.  Labels = the
class with the largest area fraction in the pixel (majority), -1 only when no
class reaches 50 %.
"""
import numpy as np

from common import (erfc, gaussian_blur_reflect, smooth_noise, lognormal_field,
                    gaussian_profile_binned)

# ---------------------------------------------------------------------------
# Atomic data (approximate, keV).  lines: (energy, relative intensity, shell)
# edges: shell -> edge energy.
# ---------------------------------------------------------------------------
ELEMENTS = {
    "P":  dict(Z=15, edges={"K": 2.145}, lines=[(2.013, 1.0, "K"), (2.139, 0.04, "K")]),
    "S":  dict(Z=16, edges={"K": 2.472}, lines=[(2.307, 1.0, "K"), (2.464, 0.06, "K")]),
    "Ar": dict(Z=18, edges={"K": 3.206}, lines=[(2.957, 1.0, "K"), (3.190, 0.10, "K")]),
    "K":  dict(Z=19, edges={"K": 3.607}, lines=[(3.313, 1.0, "K"), (3.590, 0.11, "K")]),
    "Ca": dict(Z=20, edges={"K": 4.038}, lines=[(3.691, 1.0, "K"), (4.013, 0.13, "K")]),
    "Ti": dict(Z=22, edges={"K": 4.966}, lines=[(4.510, 1.0, "K"), (4.932, 0.13, "K")]),
    "Cr": dict(Z=24, edges={"K": 5.989}, lines=[(5.414, 1.0, "K"), (5.947, 0.13, "K")]),
    "Mn": dict(Z=25, edges={"K": 6.539}, lines=[(5.898, 1.0, "K"), (6.490, 0.13, "K")]),
    "Fe": dict(Z=26, edges={"K": 7.112}, lines=[(6.403, 1.0, "K"), (7.058, 0.13, "K")]),
    "Co": dict(Z=27, edges={"K": 7.709}, lines=[(6.930, 1.0, "K"), (7.649, 0.13, "K")]),
    "Ni": dict(Z=28, edges={"K": 8.333}, lines=[(7.477, 1.0, "K"), (8.265, 0.13, "K")]),
    "Cu": dict(Z=29, edges={"K": 8.979}, lines=[(8.047, 1.0, "K"), (8.905, 0.13, "K")]),
    "Zn": dict(Z=30, edges={"K": 9.659}, lines=[(8.638, 1.0, "K"), (9.572, 0.14, "K")]),
    "As": dict(Z=33, edges={"K": 11.867, "L3": 1.323},
               lines=[(10.543, 1.0, "K"), (11.726, 0.15, "K"), (1.282, 1.0, "L3")]),
    "Se": dict(Z=34, edges={"K": 12.658, "L3": 1.436},
               lines=[(11.222, 1.0, "K"), (12.496, 0.16, "K"), (1.379, 1.0, "L3")]),
    "Sr": dict(Z=38, edges={"K": 16.105, "L3": 1.940},
               lines=[(14.165, 1.0, "K"), (15.836, 0.17, "K"), (1.806, 1.0, "L3")]),
    "Cd": dict(Z=48, edges={"K": 26.711, "L3": 3.538},
               lines=[(23.174, 1.0, "K"), (26.095, 0.20, "K"),
                      (3.134, 1.0, "L3"), (3.317, 0.50, "L3"), (3.528, 0.10, "L3")]),
    "Sn": dict(Z=50, edges={"K": 29.200, "L3": 3.929},
               lines=[(25.271, 1.0, "K"), (28.486, 0.21, "K"),
                      (3.444, 1.0, "L3"), (3.663, 0.50, "L3"), (3.905, 0.15, "L3")]),
    "Sb": dict(Z=51, edges={"K": 30.491, "L3": 4.132},
               lines=[(26.359, 1.0, "K"), (29.725, 0.21, "K"),
                      (3.605, 1.0, "L3"), (3.844, 0.50, "L3"), (4.101, 0.15, "L3")]),
    "Ba": dict(Z=56, edges={"K": 37.441, "L3": 5.247},
               lines=[(32.194, 1.0, "K"), (36.378, 0.22, "K"),
                      (4.466, 1.0, "L3"), (4.828, 0.60, "L3"), (5.157, 0.20, "L3"),
                      (5.531, 0.10, "L3")]),
    "Au": dict(Z=79, edges={"L3": 11.919, "M": 2.206},
               lines=[(9.713, 1.0, "L3"), (11.442, 0.60, "L3"), (13.381, 0.10, "L3"),
                      (8.494, 0.05, "L3"), (2.123, 1.0, "M")]),
    "Hg": dict(Z=80, edges={"L3": 12.284, "M": 2.295},
               lines=[(9.989, 1.0, "L3"), (11.823, 0.62, "L3"), (13.830, 0.10, "L3"),
                      (8.722, 0.05, "L3"), (2.195, 1.0, "M")]),
    "Pb": dict(Z=82, edges={"L3": 13.035, "M": 2.484},
               lines=[(10.551, 1.0, "L3"), (12.614, 0.65, "L3"), (14.764, 0.10, "L3"),
                      (9.184, 0.05, "L3"), (2.345, 1.0, "M")]),
}
ELEMENT_NAMES = list(ELEMENTS)
EIDX = {e: i for i, e in enumerate(ELEMENT_NAMES)}

# Pigments: element mass fractions of the pure pigment (rest = light elements).
PIGMENTS = {
    "lead_white":      {"Pb": 0.80},
    "vermilion":       {"Hg": 0.86, "S": 0.14},
    "minium":          {"Pb": 0.91},
    "red_ochre":       {"Fe": 0.45, "Ca": 0.03, "K": 0.02, "Mn": 0.01, "Ti": 0.005},
    "yellow_ochre":    {"Fe": 0.30, "Ca": 0.04, "K": 0.02, "Ti": 0.01, "Mn": 0.005},
    "raw_umber":       {"Fe": 0.35, "Mn": 0.15, "Ca": 0.03},
    "azurite":         {"Cu": 0.55},
    "malachite":       {"Cu": 0.57, "Ca": 0.01},
    "smalt":           {"Co": 0.06, "As": 0.02, "K": 0.12, "Ni": 0.01, "Fe": 0.01},
    "naples_yellow":   {"Pb": 0.55, "Sb": 0.22},
    "lead_tin_yellow": {"Pb": 0.70, "Sn": 0.16},
    "orpiment":        {"As": 0.61, "S": 0.39},
    "emerald_green":   {"Cu": 0.25, "As": 0.44},
    "chrome_yellow":   {"Pb": 0.64, "Cr": 0.16},
    "cadmium_yellow":  {"Cd": 0.78, "S": 0.22},
    "cadmium_red":     {"Cd": 0.65, "Se": 0.20, "S": 0.10},
    "zinc_white":      {"Zn": 0.80},
    "titanium_white":  {"Ti": 0.60},
    "lithopone":       {"Ba": 0.40, "Zn": 0.20, "S": 0.12},
    "ultramarine":     {"S": 0.10, "Ca": 0.01, "K": 0.01},
    "bone_black":      {"Ca": 0.30, "P": 0.14},
    "cobalt_blue":     {"Co": 0.33},
    "strontium_yellow": {"Sr": 0.43, "Cr": 0.20},
    "viridian":        {"Cr": 0.45},
    "manganese_violet": {"Mn": 0.20, "P": 0.20},
    "green_earth":     {"Fe": 0.12, "K": 0.06, "Ca": 0.02},
    "verdigris":       {"Cu": 0.33},
    "gold_leaf":       {"Au": 1.00},
    "carbon_black":    {"Fe": 0.0005},
    "chalk":           {"Ca": 0.40},
    "gypsum":          {"Ca": 0.23, "S": 0.19},
}
PAINT_PIGMENTS = [p for p in PIGMENTS if p not in ("carbon_black", "chalk", "gypsum")]

ANODES = {
    # (energy keV, relative intensity), K or L lines of the anode
    "Rh": [(20.216, 1.0), (20.074, 0.53), (22.724, 0.17), (23.172, 0.03), (2.697, 0.08)],
    "W":  [(8.398, 1.0), (9.672, 0.60), (9.962, 0.20), (11.286, 0.10), (1.775, 0.30)],
    "Mo": [(17.479, 1.0), (17.374, 0.52), (19.608, 0.18), (2.293, 0.10)],
}
ANODE_EDGE = {"Rh": 23.22, "W": 10.21, "Mo": 20.00}

Z_LIGHT = 7.0          # effective Z of binder + O/C/H rest of the paint
SI_ESCAPE = 1.740      # Si K-alpha energy (keV)
SI_EDGE = 1.839


# ---------------------------------------------------------------------------
# Attenuation model
# ---------------------------------------------------------------------------
def mu_photo(Z, E, edges=None):
    """Photo-absorption mass attenuation (cm^2/g), ~9.7 Z^3 E^-3 with edges."""
    E = np.asarray(E, dtype=np.float64)
    mu = 9.7 * Z ** 3 * E ** -2.9
    if edges:
        if "K" in edges:
            mu = np.where(E < edges["K"], mu / 8.0, mu)
        else:  # K edge far above the tube voltage
            mu = mu / 8.0
        if "L3" in edges:
            mu = np.where(E < edges["L3"], mu / 4.0, mu)
        elif Z > 40:
            mu = mu / 4.0
    elif Z > 30:
        mu = mu / 8.0
    return mu


def sigma_rayleigh(Z, E):
    return 1.1 * (Z / 26.0) ** 1.3 * (20.0 / np.asarray(E, dtype=np.float64)) ** 1.9


def sigma_compton(Z, E):
    E = np.asarray(E, dtype=np.float64)
    kn = 1.0 / (1.0 + E / 150.0)  # mild Klein-Nishina fall-off
    return 0.19 * (1.0 - 0.2 * Z / 82.0) * kn


def mu_element(el, E):
    d = ELEMENTS[el]
    return mu_photo(d["Z"], E, d["edges"]) + sigma_rayleigh(d["Z"], E) + sigma_compton(d["Z"], E)


def mu_light(E):
    return mu_photo(Z_LIGHT, E) + sigma_rayleigh(Z_LIGHT, E) + sigma_compton(Z_LIGHT, E)


def mu_mixture(conc, E):
    """conc: dict element -> mass fraction. Remainder is light matrix."""
    E = np.asarray(E, dtype=np.float64)
    rest = max(0.0, 1.0 - sum(conc.values()))
    mu = rest * mu_light(E)
    for el, c in conc.items():
        if c > 0:
            mu = mu + c * mu_element(el, E)
    return mu


def scat_mixture(conc, E, kind):
    f = sigma_rayleigh if kind == "R" else sigma_compton
    rest = max(0.0, 1.0 - sum(conc.values()))
    s = rest * f(Z_LIGHT, E)
    for el, c in conc.items():
        if c > 0:
            s = s + c * f(ELEMENTS[el]["Z"], E)
    return s


def compton_energy(E, theta_deg):
    return E / (1.0 + (E / 511.0) * (1.0 - np.cos(np.radians(theta_deg))))


# ---------------------------------------------------------------------------
# Detector
# ---------------------------------------------------------------------------
def detector_efficiency(E, be_um=12.5, air_cm=1.0, si_um=450.0):
    E = np.maximum(np.asarray(E, dtype=np.float64), 0.05)
    t_be = np.exp(-(604.0 * E ** -3.0 + 0.15) * 1.85 * be_um * 1e-4)
    mu_air = np.where(E > 3.206, 4400.0, 3800.0) * E ** -2.95 + 0.17
    t_air = np.exp(-mu_air * 1.205e-3 * air_cm)
    mu_si = np.where(E > SI_EDGE, 33.9 * (10.0 / E) ** 2.9, 3.0 * (10.0 / E) ** 2.9) + 0.17
    absorb = 1.0 - np.exp(-mu_si * 2.33 * si_um * 1e-4)
    return t_be * t_air * absorb


def fwhm_keV(E, noise_keV=0.09, fano=0.115):
    E = np.maximum(np.asarray(E, dtype=np.float64), 0.0)
    return np.sqrt(noise_keV ** 2 + 2.355 ** 2 * 3.85e-3 * fano * E)


def escape_fraction(E0):
    E0 = np.asarray(E0, dtype=np.float64)
    return np.where(E0 > SI_EDGE, 0.032 * np.exp(-(E0 - SI_EDGE) / 5.0), 0.0)


def line_profile(edges, centers, E0, extra_sigma=0.0, noise_keV=0.09, with_escape=True):
    """Detector response to a mono-energetic line of unit area at E0 (keV)."""
    sig = np.sqrt((fwhm_keV(E0, noise_keV) / 2.355) ** 2 + extra_sigma ** 2)
    ft = 0.015 + 0.05 * np.exp(-E0 / 3.0)           # tail fraction
    beta = 0.035 + 0.006 * E0 + 0.5 * extra_sigma    # tail slope (keV)
    fs = 0.002 + 0.002 * np.exp(-E0 / 6.0)          # flat shelf fraction
    fe = float(escape_fraction(E0)) if with_escape else 0.0
    de = edges[1] - edges[0]
    prof = (1.0 - ft - fs - fe) * gaussian_profile_binned(edges, E0, sig)
    x = centers - E0
    m = x < 6.0 * sig
    arg = np.where(m, x / beta + sig ** 2 / (2 * beta ** 2), 0.0)
    tail = np.where(m, np.exp(arg) * erfc(x / (np.sqrt(2) * sig) + sig / (np.sqrt(2) * beta)), 0.0)
    tail = tail / (2 * beta) * de
    prof += ft * tail / max(tail.sum(), 1e-30) if tail.sum() > 0 else 0.0
    shelf = 0.5 * erfc(x / (np.sqrt(2) * sig)) * (centers > 0)
    if shelf.sum() > 0:
        prof += fs * shelf / shelf.sum()
    if fe > 0 and E0 - SI_ESCAPE > 0:
        prof += fe * gaussian_profile_binned(edges, E0 - SI_ESCAPE, fwhm_keV(E0 - SI_ESCAPE, noise_keV) / 2.355)
    return prof


# ---------------------------------------------------------------------------
# Tube
# ---------------------------------------------------------------------------
def tube_continuum(E, kv, window_um=125.0):
    E = np.asarray(E, dtype=np.float64)
    Ec = np.maximum(E, 0.05)
    k = np.where(E < kv, (kv - Ec) / Ec, 0.0)
    t = np.exp(-(604.0 * Ec ** -3.0 + 0.15) * 1.85 * window_um * 1e-4)
    return k * t


def tube_lines(anode, kv, window_um=125.0, char_ratio=0.35):
    """Anode characteristic lines with absolute weights relative to the
    integral of the continuum (arbitrary units)."""
    if kv <= ANODE_EDGE[anode]:
        return []
    g = np.linspace(0.5, kv, 4000)
    cont_int = np.trapezoid(tube_continuum(g, kv, window_um), g)
    over = (kv / ANODE_EDGE[anode] - 1.0) ** 1.6
    total = char_ratio * cont_int * min(over, 1.5)
    lines = ANODES[anode]
    rsum = sum(r for _, r in lines)
    out = []
    for e, r in lines:
        t = np.exp(-(604.0 * e ** -3.0 + 0.15) * 1.85 * window_um * 1e-4)
        out.append((e, total * r / rsum * t))
    return out


def shell_excitation(Z, edges, shell, kv, anode_lines):
    """Photons absorbed by one element shell per unit mass fraction: the tube
    spectrum above the edge times the element photo-absorption (cm^2/g)."""
    edge = edges[shell]
    if edge >= kv:
        return 0.0
    g = np.linspace(edge * 1.0001, kv, 2000)
    val = np.trapezoid(tube_continuum(g, kv) * mu_photo(Z, g, edges), g)
    for e, w in anode_lines:
        if e > edge:
            val += w * float(mu_photo(Z, e, edges))
    return val


def fluorescence_yield(Z, shell):
    if shell == "K":
        return Z ** 4 / (Z ** 4 + 1.12e6)
    if shell == "L3":
        return Z ** 4 / (Z ** 4 + 1.0e8)
    return 0.03  # M shell


# ---------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------
def _voronoi_classes(rng, H, W, n_base, n_cells, warp):
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)
    sc = max(H, W)
    wy = smooth_noise(rng, H, W, sc / 6.0, octaves=3) * warp * sc
    wx = smooth_noise(rng, H, W, sc / 6.0, octaves=3) * warp * sc
    py = (yy + wy).ravel()
    px = (xx + wx).ravel()
    seeds = rng.uniform(0, 1, (n_cells, 2)) * [H, W]
    d = (py[:, None] - seeds[None, :, 0]) ** 2 + (px[:, None] - seeds[None, :, 1]) ** 2
    cell = np.argmin(d, axis=1)
    area = np.bincount(cell, minlength=n_cells).astype(np.float64)
    target = rng.dirichlet(np.full(n_base, 4.0)) * area.sum()
    got = np.zeros(n_base)
    cls_of_cell = np.zeros(n_cells, dtype=int)
    for c in np.argsort(-area + rng.uniform(0, 0.5, n_cells)):
        k = int(np.argmax(target - got))
        cls_of_cell[c] = k
        got[k] += area[c]
    return cls_of_cell[cell].reshape(H, W)


def make_layout(rng, H, W, n_classes, rare, mix, boundary_blur, warp=0.08):
    """Returns (weights (H,W,K), labels (H,W), info).  Class K-1 is rare if
    rare=True."""
    K = n_classes
    n_base = K - (1 if rare else 0)
    n_cells = max(3 * n_base, 8)
    base = _voronoi_classes(rng, H, W, n_base, n_cells, warp)
    onehot = np.zeros((H, W, K))
    onehot[np.arange(H)[:, None], np.arange(W)[None, :], base] = 1.0
    wts = gaussian_blur_reflect(onehot, boundary_blur) if boundary_blur > 0 else onehot
    if mix > 0:
        second = _voronoi_classes(rng, H, W, n_base, n_cells, warp)
        second = np.where(second == base, (second + 1) % n_base, second)
        zone_f = smooth_noise(rng, H, W, max(H, W) / 8.0, octaves=2)
        zone = zone_f > np.quantile(zone_f, 1.0 - mix)
        frac = np.clip(0.5 + 0.3 * smooth_noise(rng, H, W, 4.0, octaves=2), 0.05, 0.95)
        frac = frac * gaussian_blur_reflect(zone.astype(float), 1.0)
        oh2 = np.zeros((H, W, K))
        oh2[np.arange(H)[:, None], np.arange(W)[None, :], second] = 1.0
        wts = (1.0 - frac[..., None]) * wts + frac[..., None] * oh2
    if rare:
        f = smooth_noise(rng, H, W, 1.6, octaves=1)
        # 1 % target; spots are blurred later so aim slightly higher
        spot = f > np.quantile(f, 0.988)
        r = gaussian_blur_reflect(spot.astype(float), 0.5) if boundary_blur > 0 else spot.astype(float)
        r = np.clip(r * 1.15, 0, 1)
        wts = (1.0 - r[..., None]) * wts
        wts[..., K - 1] += r
    wts /= wts.sum(axis=2, keepdims=True)
    lab = np.argmax(wts, axis=2).astype(np.int32)
    lab[wts.max(axis=2) < 0.5] = -1
    return wts, lab


# ---------------------------------------------------------------------------
# Classes
# ---------------------------------------------------------------------------
def make_classes(rng, n_classes, dark, similar_frac, rare):
    classes = []
    used = set()
    pool = list(PAINT_PIGMENTS)
    n_dark = 1 if dark else 0
    n_paint = n_classes - n_dark
    n_variants = 0
    max_variants = int(round(similar_frac * n_paint))
    for k in range(n_paint):
        if k > 1 and n_variants < max_variants and rng.uniform() < similar_frac * 1.5:
            # variant of an existing (non-variant) class: same pigments, a
            # clearly different proportion and/or layer thickness
            srcs = [c for c in classes if c["kind"] == "paint"]
            src = srcs[int(rng.integers(0, len(srcs)))]
            pigs = list(src["pigments"])
            w = np.array(src["weights"], dtype=float)
            if len(w) > 1:
                j = int(rng.integers(0, len(w)))
                shift = float(rng.choice([-1, 1])) * rng.uniform(0.18, 0.3)
                w[j] = np.clip(w[j] + shift, 0.05, 0.95)
                w /= w.sum()
                tf = float(rng.choice([0.6, 1.6])) * float(np.exp(rng.normal(0, 0.1)))
            else:
                tf = float(rng.choice([0.4, 2.5])) * float(np.exp(rng.normal(0, 0.1)))
            thick = src["mass_thickness"] * tf
            pvc = float(np.clip(src["pigment_fraction"] * np.exp(rng.normal(0, 0.15)), 0.2, 0.9))
            n_variants += 1
            kind = "variant"
        else:
            for _ in range(100):
                n_p = int(rng.choice([1, 2, 2, 3]))
                pigs = sorted(rng.choice(pool, size=n_p, replace=False).tolist())
                if tuple(pigs) not in used:
                    break
            w = rng.dirichlet(np.full(len(pigs), 1.5))
            thick = float(np.exp(rng.uniform(np.log(0.003), np.log(0.02))))
            pvc = float(rng.uniform(0.35, 0.75))
            kind = "paint"
        used.add(tuple(pigs))
        classes.append(dict(pigments=pigs, weights=[float(x) for x in w],
                            mass_thickness=thick, pigment_fraction=pvc,
                            brightness=1.0, ground=True, kind=kind))
    if rare:
        # the rare class should be a distinct material: take an unused pigment
        unused = [p for p in pool if all(p not in c["pigments"] for c in classes)]
        pig = str(rng.choice(unused)) if unused else str(rng.choice(pool))
        classes[-1] = dict(pigments=[pig], weights=[1.0], mass_thickness=0.01,
                           pigment_fraction=0.6, brightness=1.0, ground=True, kind="rare")
    if dark:
        d = dict(pigments=["carbon_black"], weights=[1.0], mass_thickness=1.0,
                 pigment_fraction=0.3, brightness=0.35, ground=False, kind="dark")
        # the dark class goes before the rare one (rare stays last)
        if rare:
            classes.insert(len(classes) - 1, d)
        else:
            classes.append(d)
    for c in classes:
        conc = {}
        for p, w in zip(c["pigments"], c["weights"]):
            for el, f in PIGMENTS[p].items():
                conc[el] = conc.get(el, 0.0) + w * f * c["pigment_fraction"]
        c["conc"] = conc
    return classes


# ---------------------------------------------------------------------------
# Main simulator
# ---------------------------------------------------------------------------
def simulate(H=96, W=96, channels=1024, counts=400.0, n_classes=7, seed=0,
             e_max=40.96, anode="Rh", kv=40.0, theta=90.0, ground="lead_white",
             rare=False, dark=False, mix=0.0, boundary_blur=0.7,
             intensity_sigma=0.15, thickness_sigma=0.25, pixel_jitter=0.05,
             conc_jitter=0.10, scatter_strength=1.5, pileup=0.004,
             similar_frac=0.3, noise_keV=0.09, warp=0.08):
    """Simulate one MA-XRF cube.  Returns cube (H,W,C) float32 counts,
    labels (H,W) int32, info dict."""
    rng = np.random.default_rng(seed)
    C = int(channels)
    edges = np.linspace(0.0, e_max, C + 1)
    centers = 0.5 * (edges[:-1] + edges[1:])
    de = edges[1] - edges[0]
    npx = H * W

    classes = make_classes(rng, n_classes, dark, similar_frac, rare)
    K = len(classes)
    wts, labels = make_layout(rng, H, W, K, rare, mix, boundary_blur, warp)
    wts = wts.reshape(npx, K)

    # --- tube & per-line constants -------------------------------------
    a_lines = tube_lines(anode, kv)
    s45 = np.sin(np.radians(45.0))
    line_E, line_el, line_S, line_edge = [], [], [], []
    rsum = {}
    for el, d in ELEMENTS.items():
        for (e, rel, shell) in d["lines"]:
            rsum[(el, shell)] = rsum.get((el, shell), 0.0) + rel
    for el, d in ELEMENTS.items():
        for (e, rel, shell) in d["lines"]:
            if el == "Ar":
                continue
            edge = d["edges"][shell]
            exc = shell_excitation(d["Z"], d["edges"], shell, kv, a_lines)
            if exc <= 0 or e >= e_max:
                continue
            jump = 0.85 if shell == "K" else 0.6
            S = fluorescence_yield(d["Z"], shell) * jump * exc * rel / rsum[(el, shell)]
            line_E.append(e)
            line_el.append(el)
            line_S.append(S)
            line_edge.append(edge)
    line_E = np.array(line_E)
    line_S = np.array(line_S) * detector_efficiency(line_E)
    nL = len(line_E)
    line_edge_in = np.minimum(1.4 * np.array(line_edge), 0.8 * kv)
    ground_conc = {k: v for k, v in PIGMENTS[ground].items()}
    if ground == "lead_white":
        ground_conc = {"Pb": 0.75}

    # Smooth fields shared by all classes
    thick_field = lognormal_field(rng, H, W, max(H, W) / 5.0, thickness_sigma).ravel()
    inten_field = lognormal_field(rng, H, W, max(H, W) / 4.0, intensity_sigma).ravel()
    inten_field = inten_field * np.exp(rng.normal(0, pixel_jitter, npx))

    # --- per (pixel, class) line and scatter intensities ---------------
    I_lines = np.zeros((npx, nL))
    anode_E = np.array([e for e, _ in a_lines])
    anode_W = np.array([w for _, w in a_lines])
    comp_E = compton_energy(anode_E, theta)
    nA = len(anode_E)
    I_ray = np.zeros((npx, nA))
    I_com = np.zeros((npx, nA))
    cont = np.zeros((npx, C))
    g_tube = tube_continuum(centers, kv)
    Ec_out = compton_energy(centers, theta)
    mu_g_all = mu_mixture(ground_conc, centers)
    for k, cl in enumerate(classes):
        w_k = wts[:, k]
        idx = np.nonzero(w_k > 1e-4)[0]
        if idx.size == 0:
            continue
        n = idx.size
        conc = cl["conc"]
        m = cl["mass_thickness"] * thick_field[idx] * np.exp(rng.normal(0, 0.08, n))
        # per-pixel pigment-proportion jitter -> per-pixel element conc
        pig_w = np.array(cl["weights"])[None, :] * np.exp(rng.normal(0, conc_jitter, (n, len(cl["weights"]))))
        pig_w /= pig_w.sum(axis=1, keepdims=True)
        el_c = np.zeros((n, len(ELEMENT_NAMES)))
        for j, p in enumerate(cl["pigments"]):
            for el, f in PIGMENTS[p].items():
                el_c[:, EIDX[el]] += pig_w[:, j] * f * cl["pigment_fraction"]
        # attenuation at line energies and incidence energies (class mean matrix)
        mu_out = mu_mixture(conc, line_E)
        mu_in = mu_mixture(conc, line_edge_in)
        chi = (mu_in + mu_out) / s45
        mug_out = mu_mixture(ground_conc, line_E)
        mug_in = mu_mixture(ground_conc, line_edge_in)
        chig = (mug_in + mug_out) / s45
        cidx = np.array([EIDX[e] for e in line_el])
        att = np.exp(-chi[None, :] * m[:, None])
        paint = el_c[:, cidx] * (1.0 - att) / chi[None, :]
        gc = np.array([ground_conc.get(e, 0.0) for e in line_el])
        grd = (gc[None, :] / chig[None, :]) * att if cl["ground"] else 0.0
        scale = w_k[idx] * cl["brightness"]
        I_lines[idx] += scale[:, None] * line_S[None, :] * (paint + grd)
        # scatter of the anode lines
        for kind, Eout, target in (("R", anode_E, I_ray), ("C", comp_E, I_com)):
            mu_i = mu_mixture(conc, anode_E)
            mu_o = mu_mixture(conc, Eout)
            chs = (mu_i + mu_o) / s45
            sig = scat_mixture(conc, anode_E, kind)
            chs_g = (mu_mixture(ground_conc, anode_E) + mu_mixture(ground_conc, Eout)) / s45
            sig_g = scat_mixture(ground_conc, anode_E, kind)
            a = np.exp(-chs[None, :] * m[:, None])
            val = sig / chs * (1.0 - a)
            if cl["ground"]:
                val = val + (sig_g / chs_g) * a
            target[idx] += scale[:, None] * anode_W[None, :] * val * detector_efficiency(Eout)[None, :]
        # scattered continuum at class-mean thickness, scaled per pixel
        mbar = cl["mass_thickness"]
        mu_c = mu_mixture(conc, centers)
        chs = 2 * mu_c / s45
        a = np.exp(-chs * mbar)
        ray = scat_mixture(conc, centers, "R") / chs * (1 - a)
        com = scat_mixture(conc, centers, "C") / chs * (1 - a)
        if cl["ground"]:
            chg = 2 * mu_g_all / s45
            ray = ray + scat_mixture(ground_conc, centers, "R") / chg * a
            com = com + scat_mixture(ground_conc, centers, "C") / chg * a
        spec = g_tube * ray
        # Compton part: photons at E land at E' (< E); remap with Jacobian
        com_in = g_tube * com
        spec = spec + np.interp(centers, Ec_out, com_in * np.gradient(centers) / np.gradient(Ec_out),
                                left=0.0, right=0.0)
        spec = spec * detector_efficiency(centers) * de
        # per-pixel thickness dependence of the scatter amplitude (approx.)
        thick_mod = (m / mbar) ** 0.15
        cont[idx] += (scale * thick_mod)[:, None] * spec[None, :]

    # global scatter strength (geometry / collimation)
    I_ray *= scatter_strength
    I_com *= scatter_strength
    cont *= scatter_strength
    # smooth the continuum by the detector resolution (mid-range width)
    sig_ch = fwhm_keV(10.0, noise_keV) / 2.355 / de
    kx = np.arange(-int(4 * sig_ch) - 1, int(4 * sig_ch) + 2)
    ker = np.exp(-0.5 * (kx / sig_ch) ** 2)
    ker /= ker.sum()
    if len(kx) > 1:
        cont = np.apply_along_axis(lambda v: np.convolve(v, ker, mode="same"), 1, cont) if C <= 512 else \
            _conv_rows(cont, ker)

    # --- assemble line table and response matrix ------------------------
    # intensity-field multiplies everything from the sample
    I_lines *= inten_field[:, None]
    I_ray *= inten_field[:, None]
    I_com *= inten_field[:, None]
    cont *= inten_field[:, None]

    all_E = list(line_E) + list(anode_E) + list(comp_E)
    extra = [0.0] * nL + [0.0] * nA + list(0.012 * comp_E)
    I_all = np.concatenate([I_lines, I_ray, I_com], axis=1)
    # Ar in the air path: constant small peak in every pixel
    ar_level = 0.004 * np.mean(I_all.sum(axis=1))
    all_E += [2.957, 3.190]
    extra += [0.0, 0.0]
    I_all = np.concatenate([I_all, np.full((npx, 2), ar_level) * np.array([1.0, 0.1])], axis=1)

    keep = np.array(all_E) < e_max
    all_E = list(np.array(all_E)[keep])
    extra = list(np.array(extra)[keep])
    I_all = I_all[:, keep]

    total_raw = I_all.sum(axis=1) + cont.sum(axis=1)
    rate = total_raw / total_raw.mean()
    # pile-up between the strongest peaks (by image mean)
    top = np.argsort(-I_all.mean(axis=0))[:5]
    pairs = [(a, b) for i, a in enumerate(top) for b in top[i:]]
    sums = []
    for a, b in pairs:
        mult = 1.0 if a == b else 2.0
        sums.append(pileup * rate * mult * I_all[:, a] * I_all[:, b] / total_raw)
        all_E.append(all_E[a] + all_E[b])
        extra.append(np.hypot(extra[a], extra[b]))
    I_sum = np.stack(sums, axis=1)
    keep_s = np.array(all_E[len(all_E) - len(pairs):]) < e_max
    I_all = np.concatenate([I_all * (1.0 - pileup * rate)[:, None], I_sum[:, keep_s]], axis=1)
    all_E = all_E[:len(all_E) - len(pairs)] + list(np.array(all_E[len(all_E) - len(pairs):])[keep_s])
    extra = extra[:len(extra) - len(pairs)] + list(np.array(extra[len(extra) - len(pairs):])[keep_s])

    R = np.stack([line_profile(edges, centers, e, x, noise_keV) for e, x in zip(all_E, extra)])
    expected = I_all.astype(np.float32) @ R.astype(np.float32)
    expected += cont.astype(np.float32)
    np.maximum(expected, 0.0, out=expected)
    norm = counts / float(expected.sum(axis=1).mean())
    expected *= norm
    cube = rng.poisson(expected).astype(np.float32)

    info = dict(
        kind="maxrf", H=H, W=W, channels=C, e_max_keV=e_max, counts=counts,
        n_classes=K, seed=seed, anode=anode, kv=kv, theta_deg=theta, ground=ground,
        rare=rare, dark=dark, mix=mix, boundary_blur=boundary_blur,
        intensity_sigma=intensity_sigma, thickness_sigma=thickness_sigma,
        pixel_jitter=pixel_jitter, conc_jitter=conc_jitter,
        scatter_strength=scatter_strength, pileup=pileup, similar_frac=similar_frac,
        noise_fwhm_keV=noise_keV,
        classes=[dict(id=i, kind=c["kind"], pigments=c["pigments"],
                      weights=[round(x, 3) for x in c["weights"]],
                      mass_thickness_g_cm2=round(c["mass_thickness"], 5))
                 for i, c in enumerate(classes)],
    )
    return cube.reshape(H, W, C), labels, info


def _conv_rows(a, ker):
    """Row-wise 'same' convolution via FFT (faster than apply_along_axis)."""
    n = a.shape[1]
    L = n + len(ker) - 1
    nfft = 1 << int(np.ceil(np.log2(L)))
    fa = np.fft.rfft(a, nfft, axis=1)
    fk = np.fft.rfft(ker, nfft)
    full = np.fft.irfft(fa * fk[None, :], nfft, axis=1)[:, :L]
    off = (len(ker) - 1) // 2
    return full[:, off:off + n]


if __name__ == "__main__":
    import sys
    import time
    t = time.time()
    cube, lab, info = simulate(seed=1)
    print(cube.shape, cube.dtype, float(cube.sum(axis=2).mean()), time.time() - t)
    print(np.bincount(lab[lab >= 0].ravel()) / lab.size)
    e = np.linspace(0, info["e_max_keV"], info["channels"] + 1)
    ms = cube.reshape(-1, cube.shape[2]).mean(axis=0)
    for i in np.argsort(-ms)[:15]:
        print(round(0.5 * (e[i] + e[i + 1]), 3), round(float(ms[i]), 3))
