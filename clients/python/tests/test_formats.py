"""Cube files other than .npy: two-file pairs (ENVI, Lispix RPL), FITS and raw data with
its upload fields, and the spectral axis each carries (or is given)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import cubeseg
from conftest import JOB_TIMEOUT
from cubefiles import CHANNELS, agreement, truth, two_materials, write_envi, write_fits, write_raw, write_rpl

PARAMS = {"k_max": 3, "epochs": 5, "timeout": JOB_TIMEOUT, "progress": False}


def test_envi_pair_with_wavelengths(client: cubeseg.Client, tmp_path: Path) -> None:
    wavelengths = 400.0 + 10.0 * np.arange(CHANNELS) + 0.5 * np.arange(CHANNELS) ** 2  # not evenly spaced
    header = write_envi(tmp_path, two_materials(), wavelengths)
    r = client.segment(header, **PARAMS)
    cube = client.cube(r.job["cube_id"])
    assert cube["format"] == "envi" and cube["shape"] == [20, 16, CHANNELS]
    assert cube["spectral_axis"]["unit"] == "nm"
    assert agreement(r.labels_by_k[2], truth()) >= 0.95
    x, _ = r.clusters[0].mean_spectrum
    assert r.clusters[0].unit == "nm"
    assert np.allclose(x, wavelengths)


def test_envi_data_file_with_companion_header(client: cubeseg.Client, tmp_path: Path) -> None:
    """The data file as the cube and the header as its companion works as the reverse."""
    write_envi(tmp_path, two_materials(seed=3))
    data = tmp_path / "scan.img"
    cube = client.upload(data, companion=tmp_path / "scan.hdr", name="scan", progress=False)
    assert cube["format"] == "envi" and cube["name"] == "scan" and cube["shape"] == [20, 16, CHANNELS]
    client.delete_cube(cube["id"])


def test_rpl_pair_with_linear_kev_axis(client: cubeseg.Client, tmp_path: Path) -> None:
    header = write_rpl(tmp_path, two_materials(seed=4), origin=0.5, scale=0.02, units="keV")
    r = client.segment(header, **PARAMS)
    assert client.cube(r.job["cube_id"])["format"] == "rpl"
    assert r.labels.shape == (20, 16)
    assert agreement(r.labels_by_k[2], truth()) >= 0.95
    assert r.clusters[0].unit == "keV"
    assert np.allclose(r.clusters[0].mean_spectrum[0], 0.5 + 0.02 * np.arange(CHANNELS))


def test_fits_with_wavelength_wcs(client: cubeseg.Client, tmp_path: Path) -> None:
    path = write_fits(tmp_path, two_materials(seed=5), crval=4000.0, cdelt=2.0, cunit="Angstrom")
    r = client.segment(path, **PARAMS)
    cube = client.cube(r.job["cube_id"])
    assert cube["format"] == "fits" and cube["shape"] == [20, 16, CHANNELS]
    assert r.labels.shape == (20, 16)
    # FITS rows may be stored bottom-up; the two materials are top and bottom halves either way.
    assert max(agreement(r.labels_by_k[2], truth()), agreement(r.labels_by_k[2][::-1], truth())) >= 0.95
    assert r.clusters[0].unit == "angstrom"
    assert np.allclose(r.clusters[0].mean_spectrum[0], 4000.0 + 2.0 * np.arange(CHANNELS))


def test_raw_needs_and_takes_shape_and_dtype(client: cubeseg.Client, tmp_path: Path) -> None:
    path = write_raw(tmp_path, two_materials(seed=6))
    r = client.segment(path, format="raw", shape=(20, 16, CHANNELS), dtype="float32", **PARAMS)
    assert client.cube(r.job["cube_id"])["shape"] == [20, 16, CHANNELS]
    assert agreement(r.labels_by_k[2], truth()) >= 0.95
    with pytest.raises(cubeseg.BadRequest) as e:
        client.upload(path, format="raw", shape="20x16", dtype="float32", progress=False)
    assert e.value.status == 400 and "shape" in e.value.detail


def test_axis_fields_give_an_npy_cube_its_axis(client: cubeseg.Client, synth_cube: Path) -> None:
    """``axis_start``/``axis_step``/``axis_unit`` calibrate a cube whose file has no axis."""
    cube = client.upload(synth_cube, axis_start=1.0, axis_step=0.5, axis_unit="keV", progress=False)
    axis = cube["spectral_axis"]
    assert axis["unit"] == "keV", f"the server ignored axis_unit=keV: spectral_axis = {axis}"
    channels = cube["shape"][2]
    assert axis["first"] == pytest.approx(1.0) and axis["last"] == pytest.approx(1.0 + 0.5 * (channels - 1))
    r = client.segment(cube, k_max=3, epochs=5, timeout=JOB_TIMEOUT, progress=False)
    assert r.clusters[0].unit == "keV"
    assert np.allclose(r.clusters[0].mean_spectrum[0], 1.0 + 0.5 * np.arange(channels))


def test_the_axis_file_beside_a_cube_is_sent_with_it(client: cubeseg.Client, synth_cube: Path) -> None:
    """``CUBE_axis.json`` (written by ``cubeseg synth``, read by ``cubeseg segment``) gives the
    upload its axis without any argument, as on the command line."""
    sidecar = json.loads(synth_cube.with_name(synth_cube.stem + "_axis.json").read_text())
    axis = client.upload(synth_cube, progress=False)["spectral_axis"]
    assert axis["unit"] == sidecar["unit"] == "keV"
    assert axis["first"] == pytest.approx(sidecar["start"])
    assert axis["last"] == pytest.approx(sidecar["start"] + sidecar["step"] * (axis["channels"] - 1))
