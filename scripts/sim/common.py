"""Shared numpy helpers for the pysim synthetic-datacube simulators.

Nothing here is physics; it is spatial-field and numerical plumbing used by
xrf.py and ifu.py.  numpy only.
"""
import numpy as np


def erfc(x):
    """Complementary error function, numpy-vectorised.

    Uses the Numerical-Recipes Chebyshev fit (fractional error < 1.2e-7),
    valid for all real x.
    """
    x = np.asarray(x, dtype=np.float64)
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    r = t * np.exp(
        -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
        + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
        + t * (-0.82215223 + t * 0.17087277)))))))))
    return np.where(x >= 0, r, 2.0 - r)


def _gauss_kernel_ft(h, w, sigma):
    ky = np.fft.fftfreq(h)[:, None]
    kx = np.fft.rfftfreq(w)[None, :]
    return np.exp(-2.0 * (np.pi ** 2) * (sigma ** 2) * (kx ** 2 + ky ** 2))


def gaussian_blur(img, sigma):
    """Periodic Gaussian blur of a 2-D array (or stack with spatial axes first)."""
    if sigma <= 0:
        return np.array(img, dtype=np.float64, copy=True)
    a = np.asarray(img, dtype=np.float64)
    h, w = a.shape[:2]
    ker = _gauss_kernel_ft(h, w, sigma)
    if a.ndim == 3:
        ker = ker[:, :, None]
    f = np.fft.rfft2(a, axes=(0, 1))
    return np.fft.irfft2(f * ker, s=(h, w), axes=(0, 1))


def gaussian_blur_reflect(img, sigma):
    """Gaussian blur with reflective padding (no wrap-around of features)."""
    if sigma <= 0:
        return np.array(img, dtype=np.float64, copy=True)
    a = np.asarray(img, dtype=np.float64)
    pad = int(np.ceil(4 * sigma)) + 1
    widths = [(pad, pad), (pad, pad)] + [(0, 0)] * (a.ndim - 2)
    ap = np.pad(a, widths, mode="reflect")
    b = gaussian_blur(ap, sigma)
    return b[pad:-pad, pad:-pad]


def smooth_noise(rng, h, w, scale, octaves=1, persistence=0.5):
    """Zero-mean, unit-std smooth random field with correlation length ~scale px.

    Generated on a padded canvas so that it does not wrap around.
    """
    pad = int(2 * scale) + 2
    H, W = h + 2 * pad, w + 2 * pad
    out = np.zeros((H, W))
    amp = 1.0
    s = float(scale)
    for _ in range(octaves):
        f = gaussian_blur(rng.standard_normal((H, W)), max(s, 0.3))
        f /= f.std() + 1e-12
        out += amp * f
        amp *= persistence
        s /= 2.0
    out = out[pad:pad + h, pad:pad + w]
    out -= out.mean()
    out /= out.std() + 1e-12
    return out


def lognormal_field(rng, h, w, scale, sigma):
    """Multiplicative smooth field with mean ~1 and log-std sigma."""
    if sigma <= 0:
        return np.ones((h, w))
    f = smooth_noise(rng, h, w, scale, octaves=2)
    return np.exp(sigma * f - 0.5 * sigma ** 2)


def gaussian_profile_binned(edges, mu, sigma):
    """Area-normalised Gaussian integrated over bins given by `edges`.

    mu, sigma broadcast against the bin axis (last axis).
    Returns shape broadcast(mu,...) + (nbins,).
    """
    mu = np.asarray(mu, dtype=np.float64)[..., None]
    sigma = np.asarray(sigma, dtype=np.float64)[..., None]
    z = (edges - mu) / (np.sqrt(2.0) * sigma)
    c = 0.5 * erfc(-z)  # CDF
    return np.diff(c, axis=-1)
