"""Segmenting through the service: a file, a numpy array, the result's parts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import cubeseg
from conftest import FAST, JOB_TIMEOUT
from cubefiles import agreement, truth, two_materials


def test_segment_file_gives_consistent_result(segmented: cubeseg.Result, synth_cube: Path) -> None:
    r = segmented
    height, width, channels = np.load(synth_cube, mmap_mode="r").shape
    assert r.job_id and r.job_id.startswith("job_")
    assert r.job["state"] == "succeeded" and r.job["kind"] == "train"
    assert r.labels.shape == (height, width) and r.labels.dtype == np.int32
    assert (r.height, r.width) == (height, width)
    assert r.k in r.k_values
    assert r.k_values == sorted(r.report["k_values"]) == [2, 3, 4]
    assert r.k == r.job["chosen_k"] == r.report["chosen_k"] == r.scores["chosen_k"]
    assert sorted(r.labels_by_k) == r.report["k_values"]
    for k, labels in r.labels_by_k.items():
        assert labels.shape == (height, width) and labels.dtype == np.int32
        assert labels.min() >= -1 and labels.max() < k
    assert np.array_equal(r.labels_by_k[r.k], r.labels)
    assert sorted(r.clusters_by_k) == r.k_values
    assert set(r.scores_by_k) == set(r.k_values)


def test_clusters_describe_the_label_map(client: cubeseg.Client, segmented: cubeseg.Result, synth_cube: Path) -> None:
    r = segmented
    channels = np.load(synth_cube, mmap_mode="r").shape[2]
    axis = client.cube(r.job["cube_id"])["spectral_axis"]
    assert [c.label for c in r.clusters] == list(range(r.k))
    for c in r.clusters:
        assert c.pixels == int(np.sum(r.labels == c.label))
        assert c.color.startswith("#") and len(c.color) == 7
        x, y = c.mean_spectrum
        assert x.shape == y.shape == (channels,)
        assert c.unit == axis["unit"]  # "channel": an .npy file has no axis unless one is given
        assert x[0] == pytest.approx(axis["first"]) and x[-1] == pytest.approx(axis["last"])
        assert c.peaks is None or isinstance(c.peaks, list)
    assert abs(sum(c.fraction for c in r.clusters) - 1.0) < 1e-6
    for k, clusters in r.clusters_by_k.items():
        assert len(clusters) == k
        assert sum(c.pixels for c in clusters) == int(np.sum(r.labels_by_k[k] >= 0))
    # Optional members: `parent` names a cluster of the previous K, `peaks` have positions.
    for previous, k in zip(r.k_values, r.k_values[1:]):
        labels_before = {c.label for c in r.clusters_by_k[previous]}
        assert all(c.parent in labels_before for c in r.clusters_by_k[k] if c.parent is not None)
    assert all("x" in peak for c in r.clusters for peak in (c.peaks or []))


def test_model_and_files(segmented: cubeseg.Result) -> None:
    r = segmented
    assert {"labels.npy", "labels.json", "clusters.json", "scores.json", "report.json", "model.json"} <= set(r.files)
    assert r.model["format"].startswith("cubeseg-model")
    assert r.model_id == r.job["model_id"]
    assert r.download("labels.png")[:8] == b"\x89PNG\r\n\x1a\n"
    other_k = next(k for k in r.k_values if k != r.k)
    assert r.download("labels.png", k=other_k)[:8] == b"\x89PNG\r\n\x1a\n"
    labels_json = json.loads(r.download("labels.json"))
    assert labels_json["layout"] == "row_major"
    assert np.array_equal(np.asarray(labels_json["labels"], dtype=np.int32).reshape(r.height, r.width), r.labels)


def test_save_and_load_result_round_trip(segmented: cubeseg.Result, tmp_path: Path) -> None:
    folder = segmented.save(tmp_path / "saved")
    assert sorted(p.name for p in folder.iterdir()) == sorted(segmented.files)
    local = cubeseg.load_result(folder)
    assert local.job_id is None
    assert local.k == segmented.k and local.k_values == segmented.k_values
    assert np.array_equal(local.labels, segmented.labels)
    for k in segmented.k_values:
        assert np.array_equal(local.labels_by_k[k], segmented.labels_by_k[k])
    assert [c.pixels for c in local.clusters] == [c.pixels for c in segmented.clusters]


def test_result_of_an_existing_job(client: cubeseg.Client, segmented: cubeseg.Result) -> None:
    again = client.result(segmented.job_id)
    assert again.job_id == segmented.job_id
    assert np.array_equal(again.labels, segmented.labels)
    assert again.files == segmented.files


def test_segment_numpy_array_finds_the_two_materials(client: cubeseg.Client) -> None:
    cube = two_materials()
    r = client.segment(cube, k_max=3, epochs=5, timeout=JOB_TIMEOUT, progress=False)
    assert r.labels.shape == cube.shape[:2]
    cube_record = client.cube(r.job["cube_id"])
    assert cube_record["shape"] == list(cube.shape) and cube_record["format"] == "npy"
    assert agreement(r.labels_by_k[2], truth()) >= 0.95


def test_segment_non_contiguous_big_endian_array(client: cubeseg.Client) -> None:
    """A transposed (Fortran-ordered) big-endian view is sent as the array it shows."""
    cube = np.asfortranarray(two_materials(seed=1)).astype(">f8")
    assert not cube.flags.c_contiguous
    r = client.segment(cube, k_max=2, epochs=5, timeout=JOB_TIMEOUT, progress=False)
    assert client.cube(r.job["cube_id"])["dtype"] == "float64"
    assert agreement(r.labels, truth()) >= 0.95


def test_apply_model_to_another_cube(client: cubeseg.Client, segmented: cubeseg.Result, binary: Path, tmp_path: Path) -> None:
    from conftest import synth
    other = synth(binary, tmp_path / "other.npy", "maxrf", "--size", "24", "--channels", "64", "--classes", "3", "--seed", "2")
    applied = client.apply(segmented.model_id, other, k_max=4, timeout=JOB_TIMEOUT, progress=False)
    assert applied.job["kind"] == "apply" and applied.job["model_id"] == segmented.model_id
    assert applied.k == segmented.k  # the model's K labels the cube
    assert applied.labels.shape == (24, 24)
    assert applied.labels.max() < applied.k
    # The same cube through its own model gets the map it was trained on.
    same = client.apply(segmented.model_id, {"id": segmented.job["cube_id"]}, **FAST, timeout=JOB_TIMEOUT, progress=False)
    assert np.mean(same.labels == segmented.labels) >= 0.95
