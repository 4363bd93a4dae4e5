"""Airborne imaging-spectrometer scenes: reflectance or at-sensor radiance, with ground truth.

numpy only.  Written for the quality benchmark alongside xrf.py and ifu.py, with its own
physics: parametric reflectance spectra of vegetation, soils, water and man-made surfaces;
three scene layouts (agricultural parcels, an urban grid, a natural scene of smooth
regions); linear sub-pixel mixing through the sensor's point-spread function; sun,
atmosphere and path radiance; signal-dependent noise, push-broom striping, and the ways
such cubes are delivered (reflectance as floats or scaled to whole numbers, radiance as
whole-number digital numbers, with or without the water-vapour bands).

Ground truth follows the published scenes: a pixel is labelled with the material that
covers most of it, only inside the parcels a surveyor would map (eroded by `label_margin`
pixels), and surfaces nobody mapped (roads, unlabelled parcels) stay -1 while still being
in the image.  So the image holds more materials than the truth has classes, as in Indian
Pines or Pavia.
"""
import numpy as np

from common import gaussian_blur_reflect, lognormal_field, smooth_noise

# first, last band centre (nm), bands
SENSORS = {
    "aviris": (400.0, 2500.0, 224),
    "hymap": (450.0, 2480.0, 126),
    "rosis": (430.0, 860.0, 103),
    "vnir": (401.0, 889.0, 156),
}
# water-vapour windows a distributor usually drops (nm)
WATER_BANDS = ((1340.0, 1460.0), (1790.0, 1970.0), (2450.0, 2600.0))


def g(wl, centre, width):
    return np.exp(-0.5 * ((wl - centre) / width) ** 2)


def sig(wl, centre, width):
    return 1.0 / (1.0 + np.exp(-(wl - centre) / width))


# --- reflectance of surfaces (0...1) -------------------------------------------------------

def vegetation(wl, chl=1.0, nir=0.45, water=1.0, edge=715.0, brown=0.0):
    """Green leaves over a canopy: chlorophyll wells at 450 and 670 nm, a red edge, a NIR
    plateau, leaf-water bands; `brown` (0...1) turns it into dry, senescent matter."""
    vis = 0.035 + 0.055 * chl * g(wl, 555.0, 35.0) + 0.02 * (1 - chl)
    vis = vis + brown * (0.10 + 0.12 * sig(wl, 620.0, 60.0))
    vis = vis * (1 - 0.5 * chl * (g(wl, 450.0, 25.0) + g(wl, 672.0, 22.0)))
    plateau = nir * (1 - 0.35 * brown)
    r = vis * (1 - sig(wl, edge, 14.0)) + plateau * sig(wl, edge, 14.0)
    swir = np.exp(-water * (0.04 * g(wl, 970.0, 25.0) + 0.10 * g(wl, 1190.0, 35.0)
                            + 0.55 * g(wl, 1450.0, 60.0) + 0.80 * g(wl, 1940.0, 80.0)
                            + 0.35 * sig(wl, 1500.0, 120.0)))
    dry = 1 - brown * (0.12 * g(wl, 2100.0, 40.0) + 0.10 * g(wl, 2300.0, 35.0))
    return r * swir * dry


def soil(wl, bright=0.25, iron=0.3, clay=0.2, carbonate=0.0, moisture=0.2, organic=0.2):
    """Bare soil: a reflectance rising to the SWIR, iron-oxide wells at 480 and 900 nm,
    clay (Al-OH, 2200 nm) and carbonate (2340 nm) bands, darkened by moisture and organic
    matter."""
    base = bright * (0.45 + 0.55 * sig(wl, 750.0, 220.0)) * (1 - 0.3 * organic * (1 - sig(wl, 900.0, 300.0)))
    base = base * (1 - iron * (0.35 * g(wl, 480.0, 60.0) + 0.18 * g(wl, 900.0, 110.0)))
    base = base * (1 - clay * 0.35 * g(wl, 2205.0, 22.0) - carbonate * 0.35 * g(wl, 2340.0, 28.0))
    base = base * (1 - 0.45 * moisture) * np.exp(-moisture * (0.5 * g(wl, 1450.0, 50.0) + 0.8 * g(wl, 1930.0, 70.0)))
    return base


def water_body(wl, turbidity=0.2, algae=0.0):
    """Open water: a blue-green peak, sediment raising the red, nothing beyond the NIR."""
    r = 0.02 + 0.035 * g(wl, 540.0 + 60 * turbidity, 55.0) * (1 + 2 * turbidity)
    r = r + algae * 0.015 * g(wl, 705.0, 15.0)
    return r * np.where(wl > 700.0, np.exp(-(wl - 700.0) / 120.0), 1.0) + 0.002


def asphalt(wl, age=0.5):
    r = 0.05 + 0.05 * age + (0.05 + 0.06 * age) * (wl - 400.0) / 2100.0
    return r * (1 - 0.08 * g(wl, 1730.0, 20.0) - 0.10 * g(wl, 2310.0, 25.0))


def concrete(wl, bright=0.3):
    r = bright * (0.8 + 0.2 * sig(wl, 550.0, 80.0))
    return r * (1 - 0.15 * g(wl, 2340.0, 30.0) - 0.08 * g(wl, 1450.0, 40.0) - 0.1 * g(wl, 1930.0, 50.0))


def metal(wl, bright=0.45, tint=0.0):
    return bright * (1 + tint * (wl - 1000.0) / 2000.0) * np.ones_like(wl)


def tile(wl, bright=0.35):
    r = bright * (0.2 + 0.8 * sig(wl, 590.0, 30.0)) * (1 - 0.15 * g(wl, 880.0, 90.0))
    return r * (1 - 0.1 * g(wl, 2200.0, 25.0))


def mineral(wl, bright=0.5, kaolinite=0.0, alunite=0.0, calcite=0.0):
    r = bright * (0.85 + 0.15 * sig(wl, 600.0, 100.0))
    r = r * (1 - kaolinite * (0.30 * g(wl, 2165.0, 12.0) + 0.40 * g(wl, 2205.0, 14.0)))
    r = r * (1 - alunite * (0.35 * g(wl, 1760.0, 15.0) + 0.4 * g(wl, 2170.0, 18.0)))
    return r * (1 - calcite * 0.4 * g(wl, 2340.0, 25.0))


SURFACES = dict(vegetation=vegetation, soil=soil, water=water_body, asphalt=asphalt,
                concrete=concrete, metal=metal, tile=tile, mineral=mineral)


def jittered(rng, params, amount):
    """The same surface with its parameters moved by a relative `amount`."""
    return {k: max(0.0, v * (1 + amount * rng.standard_normal())) if k != "edge"
            else v + 6 * amount * rng.standard_normal() for k, v in params.items()}


# --- class catalogues per scene ------------------------------------------------------------

def crop(rng):
    return ("vegetation", dict(chl=rng.uniform(0.6, 1.2), nir=rng.uniform(0.3, 0.6),
                               water=rng.uniform(0.6, 1.4), edge=rng.uniform(705.0, 728.0),
                               brown=rng.uniform(0.0, 0.15)))


def bare(rng):
    return ("soil", dict(bright=rng.uniform(0.12, 0.4), iron=rng.uniform(0.0, 0.8),
                         clay=rng.uniform(0.0, 0.8), carbonate=rng.uniform(0.0, 0.5),
                         moisture=rng.uniform(0.0, 0.6), organic=rng.uniform(0.0, 0.8)))


def fields_classes(rng, n, similar_frac):
    """Crops (a canopy of cover fraction `cover` over its own soil), fallow and bare soils.
    A share `similar_frac` of classes are growth stages of another crop: its canopy at
    another cover (as Salinas's lettuce at 4, 5, 6 and 7 weeks)."""
    out = []
    for i in range(n):
        if out and rng.random() < similar_frac:
            src = out[rng.integers(len(out))]
            if src["cover"] > 0:
                c = dict(src)
                c["cover"] = float(np.clip(src["cover"] + rng.choice([-1, 1]) * rng.uniform(0.2, 0.35), 0.15, 0.98))
                c["variant_of"] = out.index(src)
                out.append(c)
                continue
        kind = rng.choice(["crop", "crop", "crop", "fallow", "bare"])
        if kind == "bare":
            out.append(dict(surface=bare(rng), under=None, cover=0.0))
        else:
            veg = crop(rng)
            if kind == "fallow":
                veg[1]["brown"] = rng.uniform(0.5, 0.9)
            out.append(dict(surface=veg, under=bare(rng), cover=float(rng.uniform(0.35, 0.95))))
    return out


def urban_classes(rng, n):
    catalogue = [
        ("asphalt", lambda: dict(age=rng.uniform(0.1, 0.9))),
        ("vegetation", lambda: dict(chl=rng.uniform(0.7, 1.2), nir=rng.uniform(0.3, 0.5), water=1.0,
                                    edge=rng.uniform(710, 725), brown=rng.uniform(0.0, 0.2))),  # meadow
        ("mineral", lambda: dict(bright=rng.uniform(0.2, 0.35), calcite=rng.uniform(0.2, 0.6))),  # gravel
        ("vegetation", lambda: dict(chl=1.1, nir=rng.uniform(0.35, 0.5), water=1.3, edge=rng.uniform(718, 730),
                                    brown=0.0)),  # trees
        ("metal", lambda: dict(bright=rng.uniform(0.3, 0.6), tint=rng.uniform(-0.3, 0.3))),
        ("soil", lambda: dict(bright=rng.uniform(0.2, 0.35), iron=0.5, clay=0.4, carbonate=0.1,
                              moisture=0.2, organic=0.3)),
        ("asphalt", lambda: dict(age=rng.uniform(0.0, 0.3) + 1.2)),  # bitumen roofs
        ("tile", lambda: dict(bright=rng.uniform(0.25, 0.45))),  # bricks
        ("concrete", lambda: dict(bright=rng.uniform(0.25, 0.45))),
        ("water", lambda: dict(turbidity=rng.uniform(0.0, 0.6))),
        ("mineral", lambda: dict(bright=rng.uniform(0.35, 0.6), kaolinite=0.3)),
        ("vegetation", lambda: dict(chl=0.5, nir=0.3, water=0.6, edge=705.0, brown=0.6)),  # dry grass
    ]
    order = list(range(len(catalogue)))
    rng.shuffle(order)
    return [dict(surface=(catalogue[i][0], catalogue[i][1]()), under=None, cover=0.0) for i in order[:n]]


def natural_classes(rng, n):
    catalogue = [
        lambda: ("vegetation", dict(chl=1.1, nir=rng.uniform(0.35, 0.55), water=1.2, edge=rng.uniform(715, 728), brown=0.0)),
        lambda: ("soil", dict(bright=rng.uniform(0.2, 0.35), iron=rng.uniform(0.2, 0.7), clay=0.3, carbonate=0.1,
                              moisture=0.1, organic=0.2)),
        lambda: ("water", dict(turbidity=rng.uniform(0.0, 0.5), algae=rng.uniform(0.0, 0.5))),
        lambda: ("asphalt", dict(age=rng.uniform(0.3, 0.9))),
        lambda: ("vegetation", dict(chl=0.7, nir=0.3, water=0.7, edge=708.0, brown=rng.uniform(0.3, 0.6))),
        lambda: ("mineral", dict(bright=rng.uniform(0.3, 0.6), kaolinite=rng.uniform(0.2, 0.7))),
        lambda: ("mineral", dict(bright=rng.uniform(0.3, 0.6), alunite=rng.uniform(0.2, 0.7))),
        lambda: ("soil", dict(bright=rng.uniform(0.1, 0.2), iron=0.1, clay=0.1, carbonate=0.0, moisture=0.6,
                              organic=0.7)),
    ]
    return [dict(surface=catalogue[i](), under=None, cover=0.0) for i in range(n)]


# --- layouts: per-pixel area fractions of each class ---------------------------------------

def fields_layout(rng, H, W, K, n_parcels, road_width, warp):
    """Parcels: a jittered grid of rectangles, each a class (every class at least once),
    separated by roads (class index K, unlabelled)."""
    rows = max(2, int(round(np.sqrt(n_parcels * H / W))))
    cols = max(2, int(np.ceil(n_parcels / rows)))
    def cuts(n, length):  # n strips of 0.6...1.4 times the mean width
        w = rng.uniform(0.6, 1.4, n)
        return np.concatenate([[0.0], np.cumsum(w / w.sum())]) * length
    ys = cuts(rows, H)
    xs_per_row = [cuts(cols, W) for _ in range(rows)]
    yy, xx = np.mgrid[0:H, 0:W].astype(float)
    yy = yy + warp * H * smooth_noise(rng, H, W, H / 3)
    xx = xx + warp * W * smooth_noise(rng, H, W, W / 3)
    parcel = np.zeros((H, W), int)
    road = np.zeros((H, W), bool)
    ids = []
    for r in range(rows):
        inrow = (yy >= ys[r]) & (yy < ys[r + 1])
        xs = xs_per_row[r]
        for c in range(cols):
            m = inrow & (xx >= xs[c]) & (xx < xs[c + 1])
            parcel[m] = len(ids)
            ids.append(len(ids))
            road |= m & ((np.abs(yy - ys[r]) < road_width / 2) | (np.abs(xx - xs[c]) < road_width / 2))
    # the K largest parcels take the K classes, the others a class at random
    by_area = np.argsort(-np.bincount(parcel.ravel(), minlength=len(ids)))
    cls_of = rng.integers(0, K, len(ids))
    cls_of[by_area[:K]] = rng.permutation(K)
    labels = cls_of[parcel]
    labels[road] = K
    return labels, parcel


def urban_layout(rng, H, W, K, block):
    """Blocks of buildings (roof classes) between roads, with meadows, trees and shadows;
    every class is painted at least once."""
    labels = np.zeros((H, W), int)  # class 0 everywhere, then painted over
    parcel = np.zeros((H, W), int)
    pid = 1
    for y0 in range(0, H, block):
        for x0 in range(0, W, block):
            c = int(rng.integers(1, K))
            y1, x1 = min(H, y0 + block - 3), min(W, x0 + block - 3)
            if y1 - y0 < 3 or x1 - x0 < 3:
                continue
            labels[y0:y1, x0:x1] = c
            parcel[y0:y1, x0:x1] = pid
            pid += 1
            if rng.random() < 0.6 and y1 - y0 > 8 and x1 - x0 > 8:  # a building of another class inside
                by, bx = int(rng.integers(y0 + 2, y1 - 5)), int(rng.integers(x0 + 2, x1 - 5))
                hh, ww = int(rng.integers(3, max(4, y1 - by))), int(rng.integers(3, max(4, x1 - bx)))
                labels[by:by + hh, bx:bx + ww] = int(rng.integers(1, K))
                parcel[by:by + hh, bx:bx + ww] = pid
                pid += 1
    present = set(np.unique(labels).tolist())
    for c in range(K):
        if c not in present:
            y, x = int(rng.integers(0, H - 8)), int(rng.integers(0, W - 8))
            labels[y:y + 8, x:x + 8] = c
            parcel[y:y + 8, x:x + 8] = pid
            pid += 1
    return labels, parcel


def natural_layout(rng, H, W, K, scale, softness):
    """Smooth regions that grade into one another (as trees thin out over soil): each
    pixel's area fractions are a softmax of K smooth random fields at temperature
    `softness`; returns (fractions (H, W, K), the majority class)."""
    fields = np.stack([smooth_noise(rng, H, W, scale, octaves=3) + 0.3 * rng.standard_normal() for _ in range(K)], axis=2)
    for c in range(K):  # every class present
        if not np.any(np.argmax(fields, axis=2) == c):
            y, x = int(rng.integers(0, H - 10)), int(rng.integers(0, W - 10))
            fields[y:y + 10, x:x + 10, c] += 10.0
    e = np.exp((fields - fields.max(axis=2, keepdims=True)) / softness)
    frac = e / e.sum(axis=2, keepdims=True)
    return frac, np.argmax(frac, axis=2)


# --- atmosphere and sensor -------------------------------------------------------------------

def solar_irradiance(wl):
    """A 5778 K Planck curve, in relative units peaking near 1 at 500 nm."""
    lam = wl * 1e-9
    b = 1.0 / (lam ** 5 * (np.exp(1.4388e-2 / (lam * 5778.0)) - 1.0))
    return b / b.max()


def transmittance(wl, vapour=1.0):
    """Two-way transmittance: Rayleigh and aerosol extinction, O2 at 760 nm, water vapour at
    940, 1140, 1380, 1870 and 2700 nm, CO2 at 2010 and 2060 nm."""
    um = wl / 1000.0
    tau = 0.0088 * um ** -4.05 + 0.08 * um ** -1.3
    tau = tau + 2.0 * g(wl, 761.0, 3.0) + vapour * (0.35 * g(wl, 940.0, 25.0) + 0.30 * g(wl, 1135.0, 30.0)
                                                    + 4.0 * g(wl, 1385.0, 45.0) + 5.0 * g(wl, 1875.0, 60.0)
                                                    + 3.0 * sig(wl, 2500.0, 40.0))
    tau = tau + 0.4 * g(wl, 2010.0, 10.0) + 0.4 * g(wl, 2060.0, 10.0)
    return np.exp(-2.0 * tau)


def path_radiance(wl):
    um = wl / 1000.0
    return 0.012 * um ** -4.0 * np.exp(-um)


def psf_noise_gain(psf):
    """The standard deviation left of unit white noise blurred by a Gaussian PSF of sigma
    `psf` pixels (1 without a PSF; about 1 / (2 sqrt(pi) psf) for a wide one)."""
    if psf <= 0:
        return 1.0
    f = np.fft.fftfreq(256)
    k = np.exp(-2.0 * np.pi ** 2 * psf ** 2 * (f[:, None] ** 2 + f[None, :] ** 2))
    return float(np.sqrt(np.mean(k ** 2)))


def simulate(H=96, W=96, scene="fields", n_classes=6, seed=0, sensor="aviris", drop_water_bands=True,
             product="reflectance", snr=300.0, psf=0.6, illumination_sigma=0.12, pixel_jitter=0.03,
             parcel_jitter=0.06, similar_frac=0.25, labelled_frac=0.8, label_margin=1, stripes=0.005,
             vapour=1.0, dn_scale=None, softness=0.15, texture=0.04):
    """One scene.  Returns cube (H, W, C) float32, labels (H, W) int32 (-1 unlabelled), info.

    texture: the standard deviation of each pixel's own spectral tilt, bow and S-shape (as
    log-reflectance per unit of the Legendre polynomials over the band range) as the sensor
    sees it, after its PSF; crops' cover also varies from pixel to pixel by 3 times it.
    product: `reflectance` (floats, an imperfect atmospheric correction leaves residuals and
    noise where the atmosphere absorbs), `reflectance_int` (the same times 10,000, whole
    numbers) or `radiance_dn` (at-sensor radiance as whole-number digital numbers).
    """
    rng = np.random.default_rng(seed)
    lo, hi, n = SENSORS[sensor]
    wl = np.linspace(lo, hi, n)
    if drop_water_bands:
        keep = np.ones(n, bool)
        for a, b in WATER_BANDS:
            keep &= ~((wl >= a) & (wl <= b))
        wl = wl[keep]
    C = len(wl)
    K = int(n_classes)

    if scene == "fields":
        classes = fields_classes(rng, K, similar_frac)
        lab_hi, parcel = fields_layout(rng, H, W, K, n_parcels=int(rng.integers(int(1.5 * K), 3 * K)),
                                       road_width=1.5, warp=0.02)
        extra = [dict(surface=("asphalt", dict(age=rng.uniform(0.2, 0.8))), under=None, cover=0.0)]
    elif scene == "urban":
        classes = urban_classes(rng, K)
        lab_hi, parcel = urban_layout(rng, H, W, K, block=int(rng.integers(14, 22)))
        extra = []
    elif scene == "natural":
        classes = natural_classes(rng, K)
        soft_frac, lab_hi = natural_layout(rng, H, W, K, scale=H / 6, softness=softness)
        parcel = lab_hi.copy()
        extra = []
    else:
        raise ValueError(scene)
    allc = classes + extra
    M = len(allc)

    # per-parcel spectra: each parcel of a class draws its own slightly moved parameters
    npar = int(parcel.max()) + 1
    spectra = np.zeros((npar, M, C))
    for p in range(npar):
        for m, c in enumerate(allc):
            name, prm = c["surface"]
            top = SURFACES[name](wl, **jittered(rng, prm, parcel_jitter))
            if c["under"] is not None:
                uname, uprm = c["under"]
                under = SURFACES[uname](wl, **jittered(rng, uprm, parcel_jitter))
                cover = np.clip(c["cover"] * (1 + parcel_jitter * rng.standard_normal()), 0.05, 1.0)
                top = cover * top + (1 - cover) * under
            spectra[p, m] = top

    # the ground: each pixel's area fractions (hard for parcels, the natural scene's soft
    # ones); the sensor's PSF later mixes it all, texture included (see below)
    if scene == "natural":
        onehot = soft_frac
    else:
        onehot = np.zeros((H, W, M))
        onehot[np.arange(H)[:, None], np.arange(W)[None, :], lab_hi] = 1.0
    frac = gaussian_blur_reflect(onehot, psf) if psf > 0 else onehot
    frac = np.clip(frac, 0, None)
    frac /= frac.sum(axis=2, keepdims=True)  # what the sensor sees of each material (labels)
    # ground-level texture is drawn stronger by 1 / gain, the PSF's attenuation of
    # pixel-to-pixel independent variation, so that the sensor sees the texture asked for
    gain = psf_noise_gain(psf)
    # within-field cover variation for crops: a smooth field moving the canopy share
    cover_field = 0.12 * smooth_noise(rng, H, W, H / 8, octaves=2)
    refl = np.zeros((H, W, C))
    for m, c in enumerate(allc):
        s = spectra[parcel, m]  # (H, W, C): each pixel's own parcel's version
        if c["under"] is not None:
            name, prm = c["under"]
            soil_s = SURFACES[name](wl, **prm)
            row_gaps = cover_field + texture * 3 / gain * rng.standard_normal((H, W))  # rows, gaps, weeds
            s = s + row_gaps[..., None] * (s - soil_s[None, None, :])
        refl += onehot[..., m:m + 1] * s
    # pixel-scale texture, independent from ground sample to ground sample as one is large
    # against plants, rows and roof tiles: sunlit and shaded shares (brightness) and the
    # spectral variability of every material (a random smooth tilt and bow of its shape)
    refl *= (1 + pixel_jitter / gain * rng.standard_normal((H, W, 1)))
    x = 2 * (wl - wl[0]) / (wl[-1] - wl[0]) - 1
    basis = np.stack([x, 1.5 * x * x - 0.5, 2.5 * x ** 3 - 1.5 * x])  # Legendre P1...P3
    refl *= np.exp(np.tensordot(texture / gain * rng.standard_normal((H, W, 3)), basis, axes=1))
    # the sensor integrates the ground over its PSF: linear mixing at boundaries, and
    # neighbouring pixels' overlapping footprints share their texture (real scenes'
    # principal axes are all smoother across the image than the noise; before this
    # change the simulator's texture was independent from pixel to pixel)
    if psf > 0:
        refl = gaussian_blur_reflect(refl, psf)
    refl = np.clip(refl, 0.0005, None)
    # illumination: slopes and sun angle, a smooth multiplicative field
    illum = lognormal_field(rng, H, W, H / 5, illumination_sigma)

    # at-sensor radiance (relative units), noise, striping
    E = solar_irradiance(wl)
    T = transmittance(wl, vapour)
    Lp = path_radiance(wl)
    L = E[None, None, :] * T[None, None, :] * refl * illum[..., None] + Lp[None, None, :]
    ref_L = np.median(E * T * 0.3 + Lp)
    a = ref_L / snr ** 2  # shot-noise coefficient: SNR `snr` at 30% reflectance's median radiance
    sigma = np.sqrt(a * L + (0.3 * ref_L / snr) ** 2)
    L = L + sigma * rng.standard_normal(L.shape)
    L *= (1 + stripes * rng.standard_normal((1, W, C)))  # push-broom: a gain per detector column

    if product == "radiance_dn":
        scale = dn_scale or 8000.0 / np.percentile(L, 99)
        cube = np.round(L * scale) + 1000.0  # digital numbers with a dark offset
    else:
        # atmospheric correction with a slightly wrong model
        Tm = transmittance(wl, vapour * (1 + 0.08 * rng.standard_normal()))
        est = (L - Lp[None, None, :] * (1 + 0.01 * rng.standard_normal())) / (E * Tm)[None, None, :]
        cube = np.round(est * 10000.0) if product == "reflectance_int" else est
    cube = cube.astype(np.float32)

    # ground truth: the majority material, inside the parcels a surveyor mapped
    labels = np.argmax(frac, axis=2)
    labels[np.max(frac, axis=2) < 0.5] = -1
    labels[labels >= K] = -1  # roads and other unmapped surfaces
    if label_margin > 0:
        same = np.ones((H, W), bool)
        for dy in range(-label_margin, label_margin + 1):
            for dx in range(-label_margin, label_margin + 1):
                shifted = np.pad(parcel, label_margin, mode="edge")[label_margin + dy:label_margin + dy + H,
                                                                    label_margin + dx:label_margin + dx + W]
                same &= shifted == parcel
        labels[~same] = -1
    if labelled_frac < 1:  # some parcels were never surveyed
        unmapped = rng.random(npar) > labelled_frac
        for c in range(K):  # but every class keeps its largest parcel
            ps, area = np.unique(parcel[lab_hi == c], return_counts=True)
            if len(ps):
                unmapped[ps[np.argmax(area)]] = False
        labels[unmapped[parcel]] = -1
    info = dict(n_classes=K, scene=scene, sensor=sensor, bands=C, product=product,
                wavelengths_nm=[float(wl[0]), float(wl[-1])],
                classes=[dict(surface=c["surface"][0], cover=round(c["cover"], 3),
                              variant_of=c.get("variant_of")) for c in classes],
                labelled_share=float(np.mean(labels >= 0)))
    return cube, labels.astype(np.int32), info
