"""``cubeseg.load_result`` on what ``cubeseg segment --out`` writes, against the service's
result for the same cube and parameters."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

import cubeseg


@pytest.fixture(scope="module")
def cli_folder(binary: Path, synth_cube: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "result"
    # The same engine parameters as conftest.FAST, and one BLAS thread as the test server.
    subprocess.run([str(binary), "segment", str(synth_cube), "--out", str(out), "--k-max", "4", "--epochs", "5",
                    "--seed", "0", "--threads", "1", "--quiet"], check=True, capture_output=True, timeout=900)
    return out


def test_load_result_reads_every_part(cli_folder: Path, synth_cube: Path) -> None:
    r = cubeseg.load_result(cli_folder)
    height, width, channels = np.load(synth_cube, mmap_mode="r").shape
    assert r.job_id is None and r.job is None
    assert r.labels.shape == (height, width) and r.labels.dtype == np.int32
    assert r.k in r.k_values and r.k_values == [2, 3, 4]
    assert sorted(r.labels_by_k) == r.report["k_values"]
    assert np.array_equal(r.labels_by_k[r.k], r.labels)
    assert len(r.clusters) == r.k
    assert all(c.mean_spectrum[1].shape == (channels,) for c in r.clusters)
    assert r.scores["chosen_k"] == r.k
    assert "architecture" in r.model or "embedding" in r.model
    assert "labels_k2.png" in r.files
    assert r.download("labels.png")[:4] == b"\x89PNG"


def test_load_result_equals_the_service_result(cli_folder: Path, segmented: cubeseg.Result) -> None:
    local = cubeseg.load_result(cli_folder)
    assert local.k == segmented.k
    assert local.k_values == segmented.k_values
    assert np.array_equal(local.labels, segmented.labels)
    for k in local.k_values:
        assert np.array_equal(local.labels_by_k[k], segmented.labels_by_k[k]), f"K = {k}"
    assert [c.pixels for c in local.clusters] == [c.pixels for c in segmented.clusters]


def test_load_result_of_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        cubeseg.load_result(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="report.json"):
        cubeseg.load_result(tmp_path / "empty")
