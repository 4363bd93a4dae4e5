"""Result.to_xarray() and Result.to_hyperspy()."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

import cubeseg
from conftest import JOB_TIMEOUT
from cubefiles import CHANNELS, write_rpl, two_materials
from cubeseg.convert import linear_axis


@pytest.fixture(scope="module")
def kev_result(client: cubeseg.Client, tmp_path_factory: pytest.TempPathFactory) -> cubeseg.Result:
    """A (20, 16, 32) cube with a linear keV axis from 0.5 in steps of 0.02."""
    header = write_rpl(tmp_path_factory.mktemp("rpl"), two_materials(seed=7), origin=0.5, scale=0.02, units="keV")
    return client.segment(header, k_max=3, epochs=5, timeout=JOB_TIMEOUT, progress=False)


def test_to_xarray_shapes_and_units(kev_result: cubeseg.Result) -> None:
    pytest.importorskip("xarray")
    r = kev_result
    ds = r.to_xarray()
    assert ds["labels"].dims == ("y", "x") and ds["labels"].shape == (20, 16)
    assert ds["labels_by_k"].dims == ("k", "y", "x") and ds["labels_by_k"].shape == (len(r.k_values), 20, 16)
    assert list(ds["k"].values) == r.k_values
    assert np.array_equal(ds["labels"].values, r.labels)
    assert np.array_equal(ds["labels_by_k"].sel(k=r.k).values, r.labels)
    spectra = ds["mean_spectrum"]
    assert spectra.dims == ("cluster", "channel") and spectra.shape == (r.k, CHANNELS)
    assert ds["channel"].attrs["units"] == "keV"
    assert np.allclose(ds["channel"].values, 0.5 + 0.02 * np.arange(CHANNELS))
    assert list(ds["cluster"].values) == [c.label for c in r.clusters]
    assert list(ds["pixels"].values) == [c.pixels for c in r.clusters]
    assert np.allclose(spectra.sel(cluster=r.clusters[0].label).values, r.clusters[0].mean_spectrum[1])
    assert ds.attrs["chosen_k"] == r.k
    if r.value_unit is not None:  # "counts" or "intensity", when the server says
        assert spectra.attrs["units"] == r.value_unit


def test_to_xarray_of_the_synthetic_result(segmented: cubeseg.Result) -> None:
    pytest.importorskip("xarray")
    ds = segmented.to_xarray()
    assert ds["channel"].attrs["units"] == segmented.clusters[0].unit
    assert np.array_equal(ds["channel"].values, segmented.clusters[0].mean_spectrum[0])
    assert ds["labels"].shape == segmented.labels.shape
    assert ds.attrs["job_id"] == segmented.job_id


def test_to_xarray_without_xarray_says_what_to_install(segmented: cubeseg.Result, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "xarray", None)  # makes `import xarray` fail
    with pytest.raises(ImportError, match="pip install xarray"):
        segmented.to_xarray()


def test_to_hyperspy(kev_result: cubeseg.Result) -> None:
    if importlib.util.find_spec("hyperspy") is None:
        with pytest.raises(ImportError, match="pip install hyperspy"):
            kev_result.to_hyperspy()
        pytest.skip("hyperspy is not installed: checked the ImportError only")
    labels, spectra = kev_result.to_hyperspy()
    assert labels.data.shape == (20, 16) and np.array_equal(labels.data, kev_result.labels)
    assert spectra.data.shape == (kev_result.k, CHANNELS)
    axis = spectra.axes_manager.signal_axes[0]
    assert axis.units == "keV"
    assert axis.offset == pytest.approx(0.5) and axis.scale == pytest.approx(0.02)


def test_linear_axis() -> None:
    assert linear_axis(np.array([1.0, 1.5, 2.0, 2.5])) == (1.0, 0.5)
    assert linear_axis(0.5 + 0.02 * np.arange(1000)) == pytest.approx((0.5, 0.02))
    assert linear_axis(np.array([1.0, 2.0, 4.0])) is None
    assert linear_axis(np.array([], dtype=float)) is None
