"""Astronomical integral-field (IFU) cube simulator of a disc galaxy.  numpy only.

Independent physics model:

* Wavelength axis: linear, default 4750-9350 A, `channels` bins, spectral
  resolving power R (instrumental sigma = lambda / (2.355 R)).
* Stellar continuum: a few stellar populations, each a Planck curve
  B_lambda(T) times absorption features with Gaussian optical depth
  (Balmer H-beta/H-alpha, Mg b triplet, Fe 5270/5335/5406, Na D, Ca II
  triplet, Paschen lines for hot stars, broad TiO bands for cool stars).
  Old/red bulge (T~4300 K, strong metal lines), intermediate inner disc,
  younger outer disc, young star-forming ring (A/B stars, strong Balmer and
  Paschen absorption) and an AGN power-law in the nucleus.  Dust attenuation
  A_lambda = A_V (5500/lambda)^1.3 (gas sees 1.5x more).
* Emission lines: H-beta, [OIII]4959/5007, HeI 5876, [OI]6300/6364,
  [NII]6548/6583, H-alpha, [SII]6716/6731, [ArIII]7136, [SIII]9069 with
  line ratios typical of HII regions (ring), diffuse ionised gas (outer
  disc), LINER-like bulge and Seyfert-like nucleus (plus broad Balmer lines).
  Flux set by an H-alpha equivalent width per component.
* Kinematics: arctan rotation curve, inclination and position angle give a
  line-of-sight velocity field; stars rotate slower (asymmetric drift) and
  the bulge barely rotates; per-component velocity dispersion.  Every
  absorption and emission line is shifted and broadened per pixel; the
  whole galaxy is at redshift z.
* Surface brightness: Sersic bulge + exponential disc (truncated at R_out)
  + Gaussian star-forming ring with clumpy HII regions + point-like AGN; the
  object cube is convolved with a Gaussian PSF (seeing).
* Sky: continuum plus [OI]5577/6300/6364, Na D and an OH-like Meinel band
  forest growing to the red, telluric O2 A/B and H2O absorption on the
  object.  Sky is added to every pixel (strong shared component).
* Noise: counts = Poisson((object + sky) * throughput * exposure) + Gaussian
  read noise, converted back to flux by the smooth throughput curve
  (non-integer floats).  Optional sky subtraction with a slightly imperfect
  sky model leaves residual noise and negative values.

Labels (regions scheme): 0 sky background (outside the disc truncation
radius R_out, labelled as its own class), 1 nucleus (AGN), 2 bulge (bulge
brighter than disc), 3 inner disc, 4 star-forming ring, 5 outer disc.
Kinematic scheme: 0 sky, 1 approaching side, 2 near-systemic (minor axis),
3 receding side; one uniform stellar population and gas everywhere.
"""
import numpy as np

from common import gaussian_blur_reflect, lognormal_field, smooth_noise

C_KMS = 299792.458

# rest wavelengths (A, air) ------------------------------------------------
EMISSION = {
    "Hb": 4861.33, "OIII4959": 4958.91, "OIII5007": 5006.84, "HeI5876": 5875.62,
    "OI6300": 6300.30, "OI6364": 6363.78, "NII6548": 6548.05, "Ha": 6562.80,
    "NII6583": 6583.45, "SII6716": 6716.44, "SII6731": 6730.82,
    "ArIII7136": 7135.80, "SIII9069": 9068.60,
}

# absorption features: (centre A, intrinsic sigma A, {population: tau})
ABSORPTION = [
    (4861.3, 6.0, {"old": 0.10, "int": 0.22, "young": 0.45}),
    (6562.8, 6.0, {"old": 0.10, "int": 0.18, "young": 0.35}),
    (5167.3, 1.6, {"old": 0.22, "int": 0.10, "young": 0.02}),
    (5172.7, 1.6, {"old": 0.28, "int": 0.12, "young": 0.02}),
    (5183.6, 1.6, {"old": 0.30, "int": 0.13, "young": 0.03}),
    (5269.5, 2.0, {"old": 0.14, "int": 0.07, "young": 0.01}),
    (5334.9, 2.0, {"old": 0.10, "int": 0.05, "young": 0.01}),
    (5406.1, 2.0, {"old": 0.08, "int": 0.04, "young": 0.01}),
    (5889.95, 1.4, {"old": 0.35, "int": 0.15, "young": 0.03}),
    (5895.92, 1.4, {"old": 0.30, "int": 0.13, "young": 0.03}),
    (8498.0, 1.8, {"old": 0.30, "int": 0.20, "young": 0.06}),
    (8542.1, 2.0, {"old": 0.55, "int": 0.35, "young": 0.10}),
    (8662.1, 2.0, {"old": 0.45, "int": 0.30, "young": 0.08}),
    (8750.5, 3.5, {"old": 0.0, "int": 0.03, "young": 0.15}),
    (8862.8, 3.5, {"old": 0.0, "int": 0.03, "young": 0.17}),
    (9014.9, 3.5, {"old": 0.0, "int": 0.04, "young": 0.19}),
    (9229.0, 3.5, {"old": 0.0, "int": 0.04, "young": 0.20}),
    (6200.0, 45.0, {"old": 0.07, "int": 0.02, "young": 0.0}),   # TiO
    (7100.0, 55.0, {"old": 0.10, "int": 0.03, "young": 0.0}),   # TiO
    (7700.0, 60.0, {"old": 0.05, "int": 0.01, "young": 0.0}),   # TiO / VO
]

# emission-line ratios relative to H-alpha (before dust), per ionisation type
RATIOS = {
    "HII":   dict(Hb=1 / 2.86, OIII5007=0.6 / 2.86, HeI5876=0.1 / 2.86, OI6300=0.02,
                  NII6583=0.35, SII6716=0.11, SII6731=0.085, ArIII7136=0.03, SIII9069=0.25),
    "DIG":   dict(Hb=1 / 2.86, OIII5007=0.8 / 2.86, HeI5876=0.03 / 2.86, OI6300=0.06,
                  NII6583=0.50, SII6716=0.32, SII6731=0.23, ArIII7136=0.01, SIII9069=0.10),
    "disc":  dict(Hb=1 / 2.86, OIII5007=0.4 / 2.86, HeI5876=0.05 / 2.86, OI6300=0.03,
                  NII6583=0.45, SII6716=0.17, SII6731=0.13, ArIII7136=0.015, SIII9069=0.18),
    "LINER": dict(Hb=1 / 2.86, OIII5007=1.0 / 2.86, HeI5876=0.0, OI6300=0.20,
                  NII6583=1.30, SII6716=0.40, SII6731=0.40, ArIII7136=0.0, SIII9069=0.12),
    "AGN":   dict(Hb=1 / 2.86, OIII5007=10.0 / 2.86, HeI5876=0.12 / 2.86, OI6300=0.15,
                  NII6583=1.10, SII6716=0.22, SII6731=0.26, ArIII7136=0.08, SIII9069=0.20),
}


def full_ratios(kind):
    r = dict(RATIOS[kind])
    r["Ha"] = 1.0
    r["OIII4959"] = r["OIII5007"] / 2.98
    r["NII6548"] = r["NII6583"] / 3.06
    r["OI6364"] = r["OI6300"] / 3.05
    return r


def planck_lambda(lam_A, T):
    lam = lam_A * 1e-8  # cm
    x = 1.4388 / (lam * T)
    return 1.0 / (lam ** 5 * np.expm1(x))


def dust(lam, A_V, gas=False):
    a = A_V * (1.5 if gas else 1.0)
    return 10.0 ** (-0.4 * a * (5500.0 / lam) ** 1.3)


def population_continuum(lam, pop):
    """Rest-frame continuum shape normalised to 1 at 5500 A."""
    if pop == "old":
        f = planck_lambda(lam, 4300.0)
    elif pop == "int":
        f = 0.6 * planck_lambda(lam, 4700.0) / planck_lambda(5500.0, 4700.0) + \
            0.4 * planck_lambda(lam, 6600.0) / planck_lambda(5500.0, 6600.0)
    elif pop == "young":
        f = 0.6 * planck_lambda(lam, 9500.0) / planck_lambda(5500.0, 9500.0) + \
            0.4 * planck_lambda(lam, 20000.0) / planck_lambda(5500.0, 20000.0)
    elif pop == "agn":
        f = (lam / 5500.0) ** -1.5
    else:
        raise ValueError(pop)
    return f / np.interp(5500.0, lam, f) if lam[0] <= 5500.0 <= lam[-1] else f / f.mean()


def sky_model(lam, sigma_inst):
    """Sky continuum + emission lines (per A, sky continuum ~1) and telluric
    transmission (both noise free, in observed wavelength)."""
    cont = 0.8 + 0.5 * (lam - lam[0]) / (lam[-1] - lam[0]) + \
        0.15 * np.exp(-0.5 * ((lam - 5600.0) / 600.0) ** 2)
    lines = [(5577.34, 60.0), (6300.30, 20.0), (6363.78, 6.5), (5889.95, 6.0), (5895.92, 5.0),
             (5200.3, 1.5), (4861.3, 0.6)]
    rs = np.random.default_rng(424242)  # fixed, independent of cube seed
    bands = [(6257., 0.25), (6498., 0.45), (6863., 0.7), (7276., 0.9), (7750., 1.0),
             (7964., 1.5), (8344., 2.0), (8827., 2.3), (9200., 2.0)]
    for lam0, s in bands:
        for j in range(1, 9):
            pos = lam0 + 6.0 * j + 1.1 * j * j
            w = s * 9.0 * j * np.exp(-j * j / 14.0) * np.exp(rs.normal(0, 0.25))
            split = 0.6 + 0.35 * j
            lines.append((pos, w))
            lines.append((pos + split, w * 0.9))
        lines.append((lam0 - 12.0, s * 6.0))  # Q-branch blend
    em = np.zeros_like(lam)
    dl = lam[1] - lam[0]
    for l0, f in lines:
        s = np.interp(l0, lam, sigma_inst) if lam[0] < l0 < lam[-1] else sigma_inst[-1]
        em += f * np.exp(-0.5 * ((lam - l0) / s) ** 2) / (np.sqrt(2 * np.pi) * s)
    tell = np.ones_like(lam)
    for lo, hi, depth in [(6867., 6884., 0.35), (7594., 7621., 0.65), (7160., 7340., 0.10),
                          (8130., 8350., 0.10), (8950., 9300., 0.30)]:
        mid, half = 0.5 * (lo + hi), 0.5 * (hi - lo)
        prof = 1.0 / (1.0 + ((lam - mid) / half) ** 8)
        tell *= 1.0 - depth * prof
    del dl
    return cont, em, tell


def throughput(lam):
    t = 0.32 * np.exp(-0.5 * ((lam - 6300.0) / 2300.0) ** 2)
    t *= 1.0 - 0.55 / (1.0 + np.exp(-(lam - 8900.0) / 220.0))
    t *= 1.0 + 0.03 * np.sin(lam / 310.0)
    return t


def _gauss_window(lam, centers, sigmas, amps, halfwidth_A):
    """Window [lo, hi) and amps[p] * N(lam; centers[p], sigmas[p]) (unit area)
    evaluated only where it matters."""
    lo = max(0, int(np.searchsorted(lam, centers.min() - halfwidth_A)))
    hi = min(len(lam), int(np.searchsorted(lam, centers.max() + halfwidth_A)) + 1)
    if hi <= lo:
        return lo, hi, None
    x = lam[None, lo:hi] - centers[:, None]
    g = np.exp(-0.5 * (x / sigmas[:, None]) ** 2) / (np.sqrt(2 * np.pi) * sigmas[:, None])
    return lo, hi, amps[:, None] * g


def _add_gauss(arr, lam, centers, sigmas, amps, halfwidth_A):
    lo, hi, g = _gauss_window(lam, centers, sigmas, amps, halfwidth_A)
    if g is not None:
        arr[:, lo:hi] += g


def _apply_absorption(spec, lam, pop, v, sig_v, sig_inst_fn, z, metal=1.0):
    for l0, s0, taus in ABSORPTION:
        tau = taus.get(pop, 0.0)
        if tau <= 0:
            continue
        if l0 not in (4861.3, 6562.8, 8750.5, 8862.8, 9014.9, 9229.0):
            tau = tau * metal
        lc = l0 * (1 + z) * (1 + v / C_KMS)
        sig = np.sqrt((lc * sig_v / C_KMS) ** 2 + sig_inst_fn(lc) ** 2 + (s0 * (1 + z)) ** 2)
        # optical depth tau * exp(-x^2 / 2 sig^2): unit-area Gaussian times area
        lo, hi, t = _gauss_window(lam, lc, sig, tau * sig * np.sqrt(2 * np.pi), 5 * sig.max())
        if t is not None:
            spec[:, lo:hi] *= np.exp(-t)


def simulate(H=96, W=96, channels=2048, lam_min=4750.0, lam_max=9350.0, seed=0,
             scheme="regions", mode="bright", sky_sub=False, resolving_power=2500.0,
             z=0.015, inclination=40.0, pa=30.0, vmax=230.0, psf_fwhm=1.8,
             read_noise=3.0, exposure=None, disc_sb=None, sky_residual=0.01):
    """Simulate one IFU cube.  Returns cube (H,W,C) float32 flux, labels
    (H,W) int32, info dict."""
    rng = np.random.default_rng(seed)
    C = int(channels)
    lam = np.linspace(lam_min, lam_max, C)
    dl = lam[1] - lam[0]
    npx = H * W
    if exposure is None:
        exposure = {"bright": 80.0, "faint": 35.0}[mode]
    if disc_sb is None:
        disc_sb = {"bright": 3.0, "faint": 1.2}[mode]

    def sig_inst(l):
        return l / (2.355 * resolving_power)

    # ---- geometry ------------------------------------------------------
    N = max(H, W)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)
    cy = 0.5 * (H - 1) + rng.uniform(-0.04, 0.04) * H
    cx = 0.5 * (W - 1) + rng.uniform(-0.04, 0.04) * W
    dy, dx = yy - cy, xx - cx
    ci = np.cos(np.radians(inclination))
    si = np.sin(np.radians(inclination))
    p = np.radians(pa)
    xm = dx * np.cos(p) + dy * np.sin(p)          # along major axis
    ym = (-dx * np.sin(p) + dy * np.cos(p)) / ci  # deprojected minor
    R = np.hypot(xm, ym)
    cos_t = np.where(R > 0, xm / np.maximum(R, 1e-9), 0.0)
    r_img = np.hypot(dx, dy)

    R_out = 0.55 * N
    h = R_out / 3.8
    taper = 1.0 / (1.0 + np.exp((R - R_out) / 1.2))

    # rotation curve and velocity field
    r_t = 0.08 * N
    vrot = vmax * (2 / np.pi) * np.arctan(R / r_t)
    v_gas = vrot * si * cos_t
    v_star = 0.85 * v_gas

    labels = np.zeros((H, W), dtype=np.int32)
    comps = []  # each: dict(I=(npx,), pop, A_V, metal, v, sig_v, em_kind, ew_ha, em_sig, I_em)

    if scheme == "regions":
        # Sersic bulge (n=2.5), mild flattening
        n_s, re = 2.5, 0.10 * N
        b_n = 2 * n_s - 1 / 3 + 0.009876 / n_s
        qb = 0.85
        rb = np.hypot(xm, (-dx * np.sin(p) + dy * np.cos(p)) / qb)
        I_b = 0.8 * disc_sb * np.exp(-b_n * ((rb / re) ** (1 / n_s) - 1.0))
        I_d = disc_sb * np.exp(-R / h) * taper
        R_ring, w_ring = 0.56 * R_out, 0.05 * R_out
        clumps = lognormal_field(rng, H, W, 2.0, 0.7)
        I_ring = 0.35 * disc_sb * np.exp(-0.5 * ((R - R_ring) / w_ring) ** 2) * clumps
        # inner -> outer disc population switch across the ring
        s_out = 1.0 / (1.0 + np.exp(-(R - R_ring) / (0.04 * R_out)))
        I_agn = 1.2 * disc_sb * np.exp(-0.5 * (r_img / 0.8) ** 2)
        dispersion_b = 170.0 * (1 + 0.3 * np.exp(-rb / re))
        comps = [
            dict(I=I_b, pop="old", A_V=0.3, metal=1.2, v=0.3 * v_star, sig_v=dispersion_b,
                 em="LINER", ew=1.5, gas_sig=150.0),
            dict(I=I_d * (1 - s_out), pop="int", A_V=0.9, metal=1.0, v=v_star,
                 sig_v=90.0 * np.exp(-R / (2 * h)) + 40.0, em="disc", ew=6.0, gas_sig=35.0),
            dict(I=I_d * s_out, pop="int", A_V=0.25, metal=0.55, v=v_star,
                 sig_v=60.0 * np.exp(-R / (2 * h)) + 30.0, em="DIG", ew=12.0, gas_sig=40.0),
            dict(I=I_d * s_out * 0.5, pop="young", A_V=0.25, metal=0.5, v=v_star,
                 sig_v=30.0 + 0 * R, em=None, ew=0.0, gas_sig=30.0),
            dict(I=I_ring, pop="young", A_V=1.3, metal=0.6, v=v_gas,
                 sig_v=25.0 + 0 * R, em="HII", ew=90.0, gas_sig=25.0),
            dict(I=I_agn, pop="agn", A_V=0.6, metal=0.0, v=0 * R, sig_v=0 * R,
                 em="AGN", ew=70.0, gas_sig=260.0, broad=True),
        ]
        r_nuc = max(2.2, 0.035 * N)
        # labels
        bulge = I_b > np.exp(-R / h) * disc_sb
        labels[:] = 5
        labels[R < R_ring + 1.3 * w_ring] = 4
        labels[R < R_ring - 1.3 * w_ring] = 3
        labels[bulge & (R < R_ring - 1.3 * w_ring)] = 2
        labels[r_img < r_nuc] = 1
        labels[R > R_out] = 0
        class_names = ["sky", "nucleus_agn", "bulge", "inner_disc", "sf_ring", "outer_disc"]
    elif scheme == "kinematic":
        I_d = disc_sb * np.exp(-R / h) * taper
        I_d = I_d * lognormal_field(rng, H, W, 3.0, 0.15)
        comps = [
            dict(I=I_d, pop="int", A_V=0.6, metal=0.9, v=v_star,
                 sig_v=40.0 + 0 * R, em="disc", ew=40.0, gas_sig=30.0),
        ]
        vcut = 0.3 * vmax * si
        labels[:] = 2
        labels[v_gas < -vcut] = 1
        labels[v_gas > vcut] = 3
        labels[R > R_out] = 0
        class_names = ["sky", "approaching", "systemic", "receding"]
    else:
        raise ValueError(scheme)

    # ---- object cube (rest -> observed, per pixel kinematics) -----------
    obj = np.zeros((npx, C))
    lam_rest = lam / (1 + z)
    for cp in comps:
        I = (cp["I"] * 1.0).ravel()
        if cp["I"] is None:
            continue
        m = I > 1e-4 * disc_sb
        if not np.any(m):
            continue
        idx = np.nonzero(m)[0]
        cont = population_continuum(lam_rest, cp["pop"]) * dust(lam_rest, cp["A_V"])
        spec = I[idx, None] * cont[None, :]
        v = np.broadcast_to(cp["v"], (H, W)).ravel()[idx]
        sv = np.broadcast_to(cp["sig_v"], (H, W)).ravel()[idx]
        if cp["pop"] != "agn":
            _apply_absorption(spec, lam, cp["pop"], v, sv, sig_inst, z, cp["metal"])
        if cp["em"]:
            ratios = full_ratios(cp["em"])
            # H-alpha flux from the equivalent width against this component's continuum
            c_ha = float(np.interp(EMISSION["Ha"], lam_rest, cont))
            f_ha = cp["ew"] * I[idx] * c_ha
            if cp["em"] in ("HII",):
                f_ha = f_ha * np.exp(rng.normal(0, 0.25, idx.size))
            vg = v / (0.85 if cp["pop"] not in ("young", "agn") else 1.0)
            for name, l0 in EMISSION.items():
                r = ratios.get(name, 0.0)
                if r <= 0:
                    continue
                lc = l0 * (1 + z) * (1 + vg / C_KMS)
                sig = np.sqrt((lc * cp["gas_sig"] / C_KMS) ** 2 + sig_inst(lc) ** 2)
                amp = f_ha * r * float(dust(np.array([l0]), cp["A_V"], gas=True)[0]) / \
                    float(dust(np.array([EMISSION["Ha"]]), cp["A_V"], gas=True)[0])
                _add_gauss(spec, lam, lc, sig, amp, 6 * sig.max())
            if cp.get("broad"):
                for l0, fr in ((EMISSION["Ha"], 2.0), (EMISSION["Hb"], 2.0 / 3.1)):
                    lc = l0 * (1 + z) + 0 * v
                    sig = lc * 1700.0 / C_KMS + 0 * v
                    _add_gauss(spec, lam, lc, sig, f_ha * fr * dust(np.array([l0]), cp["A_V"], gas=True)[0],
                               5 * sig.max())
        obj[idx] += spec

    # telluric absorption on the object, PSF convolution
    sky_c, sky_e, tell = sky_model(lam, sig_inst(lam))
    obj *= tell[None, :]
    obj = obj.reshape(H, W, C)
    sig_psf = psf_fwhm / 2.355
    for c0 in range(0, C, 256):
        obj[:, :, c0:c0 + 256] = gaussian_blur_reflect(obj[:, :, c0:c0 + 256], sig_psf)
    obj = np.maximum(obj, 0.0).reshape(npx, C)

    # ---- observation -----------------------------------------------------
    sky = (sky_c * tell + sky_e)  # per A, flux units (sky continuum ~ 1)
    # slow spatial variation of the sky level (flat-field / sky gradient)
    sky_scale = (1.0 + 0.02 * smooth_noise(rng, H, W, N / 2.0)).ravel()
    thr = throughput(lam)
    gain = exposure * thr * dl  # counts per (flux/A)
    expected = (obj + sky_scale[:, None] * sky[None, :]) * gain[None, :]
    counts = rng.poisson(expected).astype(np.float64)
    counts += rng.normal(0.0, read_noise, counts.shape)
    flux = counts / gain[None, :]
    if sky_sub:
        # sky model from the observation pipeline: mean sky, slightly wrong
        # wavelength solution (0.05 px) and scale (sky_residual)
        shift = 0.05 * dl
        sky_model_obs = np.interp(lam - shift, lam, sky) * (1.0 + sky_residual)
        flux -= sky_model_obs[None, :]
    cube = flux.astype(np.float32).reshape(H, W, C)

    info = dict(kind="ifu", H=H, W=W, channels=C, lam_min_A=lam_min, lam_max_A=lam_max,
                seed=seed, scheme=scheme, mode=mode, sky_sub=sky_sub,
                resolving_power=resolving_power, z=z, inclination_deg=inclination,
                pa_deg=pa, vmax_kms=vmax, psf_fwhm_px=psf_fwhm, read_noise_counts=read_noise,
                exposure=exposure, disc_sb_over_sky=disc_sb, n_classes=len(class_names),
                class_names=class_names, flux_unit="sky-continuum units per A")
    return cube, labels, info


if __name__ == "__main__":
    import time
    for kw in (dict(), dict(mode="faint", sky_sub=True), dict(scheme="kinematic", channels=2048)):
        t = time.time()
        cube, lab, info = simulate(seed=3, **kw)
        print(kw, cube.shape, round(time.time() - t, 2), "s",
              "min %.3g max %.3g" % (cube.min(), cube.max()),
              "fractions", np.round(np.bincount(lab.ravel()) / lab.size, 3))
