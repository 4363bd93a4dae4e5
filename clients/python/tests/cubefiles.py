"""Small cubes for the tests, built with numpy and written in the formats the service
reads (ENVI, Lispix RPL, FITS, raw), so that no test needs astropy or h5py.

Every cube is (H, W, C) = (20, 16, 32), row major, float32 counts: two materials, the
top rows (y < 10) with a peak near channel 6 and the bottom rows with one near channel 22
(H != W, so a transposed map cannot pass for the right one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

import numpy as np

HEIGHT, WIDTH, CHANNELS = 20, 16, 32


def two_materials(seed: int = 0) -> np.ndarray:
    """float32 (20, 16, 32) Poisson counts: a continuum of 4 per channel, plus a peak of
    60 counts at channels 4...8 (y < 10) or 20...24 (y >= 10)."""
    rng = np.random.default_rng(seed)
    mean = np.full((HEIGHT, WIDTH, CHANNELS), 4.0)
    mean[:10, :, 4:9] += 12.0
    mean[10:, :, 20:25] += 12.0
    return rng.poisson(mean).astype(np.float32)


def truth() -> np.ndarray:
    """int32 (20, 16): 0 for the top material, 1 for the bottom one."""
    t = np.zeros((HEIGHT, WIDTH), dtype=np.int32)
    t[10:] = 1
    return t


def agreement(labels: np.ndarray, reference: np.ndarray) -> float:
    """Share of pixels where a two-cluster map equals ``reference`` up to swapping labels."""
    assert labels.shape == reference.shape, (labels.shape, reference.shape)
    same = float(np.mean(labels == reference))
    swapped = float(np.mean(labels == 1 - reference))
    return max(same, swapped)


def write_envi(folder: Path, cube: np.ndarray, wavelengths: Optional[Sequence[float]] = None,
               units: str = "Nanometers") -> Path:
    """``scan.hdr`` + ``scan.img``, float32 little-endian, band sequential (BSQ: the file
    holds (C, H, W)); returns the header's path."""
    h, w, c = cube.shape
    (folder / "scan.img").write_bytes(np.ascontiguousarray(cube.astype("<f4").transpose(2, 0, 1)).tobytes())
    lines = ["ENVI", f"samples = {w}", f"lines = {h}", f"bands = {c}", "header offset = 0",
             "file type = ENVI Standard", "data type = 4", "interleave = bsq", "byte order = 0"]
    if wavelengths is not None:
        lines += [f"wavelength units = {units}", "wavelength = {" + ", ".join(f"{v:g}" for v in wavelengths) + "}"]
    header = folder / "scan.hdr"
    header.write_text("\n".join(lines) + "\n")
    return header


def write_rpl(folder: Path, cube: np.ndarray, origin: float, scale: float, units: str) -> Path:
    """``map.rpl`` + ``map.raw`` (Lispix ripple: float32 little-endian, record-by vector,
    i.e. (H, W, C)) with HyperSpy's depth calibration; returns the header's path."""
    h, w, c = cube.shape
    (folder / "map.raw").write_bytes(np.ascontiguousarray(cube.astype("<f4")).tobytes())
    fields = [("key", "value"), ("width", w), ("height", h), ("depth", c), ("offset", 0), ("data-length", 4),
              ("data-type", "float"), ("byte-order", "little-endian"), ("record-by", "vector"),
              ("depth-origin", origin), ("depth-scale", scale), ("depth-units", units)]
    header = folder / "map.rpl"
    header.write_text("".join(f"{k}\t{v}\n" for k, v in fields))
    return header


def write_raw(folder: Path, cube: np.ndarray) -> Path:
    """``cube.bin``: float32 little-endian, pixel interleaved (BIP, (H, W, C)), no header."""
    path = folder / "cube.bin"
    path.write_bytes(np.ascontiguousarray(cube.astype("<f4")).tobytes())
    return path


def _card(key: str, value: str) -> bytes:
    return f"{key:<8}= {value:>20}".ljust(80).encode("ascii")


def write_fits(folder: Path, cube: np.ndarray, crval: float, cdelt: float, cunit: str) -> Path:
    """``galaxy.fits``: one primary HDU, BITPIX -32 (big-endian float32), NAXIS1 = x,
    NAXIS2 = y, NAXIS3 = spectral (the data (C, H, W)), a linear WAVE axis from ``crval``
    in steps of ``cdelt`` ``cunit``."""
    h, w, c = cube.shape
    cards = [_card("SIMPLE", "T"), _card("BITPIX", "-32"), _card("NAXIS", "3"), _card("NAXIS1", str(w)),
             _card("NAXIS2", str(h)), _card("NAXIS3", str(c)), _card("CTYPE3", "'WAVE    '"),
             _card("CRPIX3", "1.0"), _card("CRVAL3", repr(float(crval))), _card("CDELT3", repr(float(cdelt))),
             _card("CUNIT3", f"'{cunit:<8}'"), b"END".ljust(80)]
    header = b"".join(cards)
    header += b" " * (-len(header) % 2880)
    data = np.ascontiguousarray(cube.astype(">f4").transpose(2, 0, 1)).tobytes()
    data += b"\0" * (-len(data) % 2880)
    path = folder / "galaxy.fits"
    path.write_bytes(header + data)
    return path
