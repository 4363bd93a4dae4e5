"""Conversions of a :class:`~cubeseg.result.Result` to xarray and HyperSpy objects. Both
libraries are optional and imported only here, when asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Tuple

import numpy as np

if TYPE_CHECKING:
    from .result import Result


def _import(module: str, package: str, what: str) -> Any:
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(f"{what} needs {package}, which is not installed: pip install {package}"
                          f" (or pip install 'cubeseg[{package}]')") from e


def spectral_axis(result: "Result") -> Tuple[np.ndarray, str]:
    """The chosen K's spectral axis (x values, unit), shared by its clusters' mean spectra."""
    if not result.clusters:
        return np.zeros(0), "channel"
    x, unit = result.clusters[0].mean_spectrum[0], result.clusters[0].unit
    for c in result.clusters[1:]:
        if c.unit != unit or c.mean_spectrum[0].shape != x.shape or not np.array_equal(c.mean_spectrum[0], x):
            raise ValueError(f"cluster {c.label}'s mean spectrum has another axis than cluster {result.clusters[0].label}'s")
    return x, unit


def mean_spectra(result: "Result") -> np.ndarray:
    """The chosen K's mean spectra, float64 (clusters, channels), rows by label."""
    rows = [c.mean_spectrum[1] for c in result.clusters]
    return np.vstack(rows) if rows else np.zeros((0, 0))


def linear_axis(x: np.ndarray) -> Optional[Tuple[float, float]]:
    """(offset, scale) when ``x`` is evenly spaced (to 1e-6 of its step), else ``None``."""
    if x.size == 0:
        return None
    if x.size == 1:
        return float(x[0]), 1.0
    steps = np.diff(x)
    step = float(steps.mean())
    if step == 0 or not np.allclose(steps, step, rtol=1e-6, atol=abs(step) * 1e-6):
        return None
    return float(x[0]), step


def to_xarray(result: "Result") -> Any:
    xr = _import("xarray", "xarray", "Result.to_xarray()")
    x, unit = spectral_axis(result)
    labels = [c.label for c in result.clusters]
    k_values = list(result.k_values)
    by_k = np.stack([result.labels_by_k[k] for k in k_values]) if k_values else np.zeros((0, result.height, result.width), np.int32)
    coords = {
        "y": ("y", np.arange(result.height), {"long_name": "row", "units": "pixel"}),
        "x": ("x", np.arange(result.width), {"long_name": "column", "units": "pixel"}),
        "k": ("k", np.asarray(k_values, dtype=np.int64), {"long_name": "number of clusters"}),
        "cluster": ("cluster", np.asarray(labels, dtype=np.int64), {"long_name": f"cluster label (K = {result.k})"}),
        "channel": ("channel", x, {"long_name": "spectral axis", "units": unit}),
        "color": ("cluster", [c.color for c in result.clusters]),
        "pixels": ("cluster", np.asarray([c.pixels for c in result.clusters], dtype=np.int64)),
        "fraction": ("cluster", np.asarray([c.fraction for c in result.clusters], dtype=np.float64)),
    }
    data_vars = {
        "labels": (("y", "x"), result.labels,
                   {"long_name": f"cluster label, K = {result.k}", "background": -1}),
        "labels_by_k": (("k", "y", "x"), by_k, {"long_name": "cluster label for each K", "background": -1}),
        "mean_spectrum": (("cluster", "channel"), mean_spectra(result).reshape(len(labels), x.size),
                          {"long_name": "mean measured spectrum", **({"units": result.value_unit} if result.value_unit else {})}),
    }
    attrs = {"chosen_k": result.k, "criterion": result.scores.get("criterion", ""),
             "k_reason": result.scores.get("reason", result.report.get("reason", ""))}
    if result.job_id:
        attrs["job_id"] = result.job_id
    return xr.Dataset(data_vars=data_vars, coords=coords, attrs=attrs)


def to_hyperspy(result: "Result") -> Tuple[Any, Any]:
    hs = _import("hyperspy.api", "hyperspy", "Result.to_hyperspy()")
    pixel_axes = [{"name": name, "size": n, "offset": 0, "scale": 1, "units": "pixel", "navigate": False}
                  for name, n in (("y", result.height), ("x", result.width))]
    labels = hs.signals.Signal2D(result.labels.copy(), axes=pixel_axes)
    labels.metadata.General.title = f"labels (K = {result.k})"
    x, unit = spectral_axis(result)
    data = mean_spectra(result)
    calibration = linear_axis(x)
    signal_axis = {"name": "channel" if unit == "channel" else "spectral axis", "units": unit, "navigate": False}
    if calibration is not None:
        signal_axis.update(size=x.size, offset=calibration[0], scale=calibration[1])
    else:  # not evenly spaced: a non-uniform axis (HyperSpy >= 1.7)
        signal_axis.update(axis=x)
    axes = [{"name": "cluster", "size": data.shape[0], "offset": 0, "scale": 1, "units": "", "navigate": True}, signal_axis]
    spectra = hs.signals.Signal1D(data, axes=axes)
    spectra.metadata.General.title = f"mean spectra (K = {result.k})"
    return labels, spectra
