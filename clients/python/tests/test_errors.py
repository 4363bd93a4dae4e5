"""Problem details become CubeSegError subclasses with status, code and detail."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import cubeseg
from conftest import FAST, JOB_TIMEOUT, ids


def test_unknown_job_is_not_found(client: cubeseg.Client) -> None:
    with pytest.raises(cubeseg.NotFound) as e:
        client.job("job_doesnotexist")
    err = e.value
    assert isinstance(err, cubeseg.CubeSegError)
    assert err.status == 404 and err.code == "job_not_found"
    assert err.detail and "job_doesnotexist" in err.detail
    assert "job_not_found" in str(err) and err.detail in str(err)
    assert err.problem["type"].endswith("job_not_found")
    with pytest.raises(cubeseg.NotFound) as e:
        client.result("job_doesnotexist")
    assert e.value.code == "job_not_found"


def test_invalid_parameter_names_the_field_and_leaves_no_cube(client: cubeseg.Client, synth_cube: Path) -> None:
    before = ids(client.cubes())
    with pytest.raises(cubeseg.BadRequest) as e:
        client.segment(synth_cube, k_max=1, progress=False)
    assert e.value.status == 400 and e.value.code == "invalid_parameter"
    assert "k_max" in e.value.detail
    with pytest.raises(cubeseg.BadRequest) as e:
        client.segment(synth_cube, kmax=6, progress=False)
    assert e.value.code == "unknown_parameter" and "kmax" in e.value.detail
    with pytest.raises(cubeseg.BadRequest) as e:
        client.segment(synth_cube, epochs="many", progress=False)
    assert e.value.code == "invalid_parameter" and "epochs" in e.value.detail
    assert ids(client.cubes()) == before  # the refused jobs' uploads were removed


def test_a_cube_with_nothing_to_segment_is_unprocessable(client: cubeseg.Client) -> None:
    with pytest.raises(cubeseg.UnprocessableCube) as e:
        client.upload(np.zeros((8, 8, 16), dtype=np.float32), progress=False)
    assert e.value.status == 422 and e.value.code == "unsegmentable_cube"


def test_a_file_of_no_known_format_is_unsupported(client: cubeseg.Client, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a cube\n" * 10)
    with pytest.raises(cubeseg.CubeSegError) as e:
        client.upload(path, progress=False)
    assert e.value.status in (415, 422) and e.value.code in ("unknown_format", "unusable_cube")


def test_a_crop_beyond_the_cube_is_refused_before_any_work(client: cubeseg.Client, synth_cube: Path) -> None:
    # Channel 1000 does not exist in a 64-channel cube: refused at submission, naming the parameter.
    with pytest.raises(cubeseg.BadRequest) as e:
        client.segment(synth_cube, crop_start=1000, k_max=3, epochs=5, timeout=JOB_TIMEOUT, progress=False)
    assert e.value.code == "invalid_parameter" and "crop_start" in e.value.detail


def test_a_failed_job_raises_job_failed(client: cubeseg.Client, segmented: cubeseg.Result) -> None:
    # A model of 64-channel spectra applied to a 40-channel cube: accepted, then failed by the worker.
    other = np.random.default_rng(3).poisson(5.0, size=(12, 12, 40)).astype(np.float32)
    with pytest.raises(cubeseg.JobFailed) as e:
        client.apply(segmented.model_id, other, timeout=JOB_TIMEOUT, progress=False)
    err = e.value
    assert err.job["state"] == "failed" and err.job_id == err.job["id"]
    assert err.error == err.job["error"] and "model" in err.error
    assert err.error in str(err)
    with pytest.raises(cubeseg.Conflict) as conflict:
        client.result(err.job_id)
    assert conflict.value.code == "job_not_succeeded"


def test_bad_result_file_and_k(client: cubeseg.Client, segmented: cubeseg.Result) -> None:
    with pytest.raises(cubeseg.NotFound) as e:
        segmented.download("nothing.bin")
    assert e.value.code == "result_not_found"
    with pytest.raises(cubeseg.BadRequest) as e:
        segmented.download("labels.png", k=max(segmented.k_values) + 1)
    assert e.value.code == "invalid_query" and "k" in e.value.detail


def test_upload_fields_are_checked_by_the_client(client: cubeseg.Client, segmented: cubeseg.Result) -> None:
    with pytest.raises(TypeError):
        client.segment({"id": segmented.job["cube_id"]}, format="npy", **FAST)
    with pytest.raises(ValueError, match="height, width, channels"):
        client.segment(np.zeros((4, 4)), **FAST)
    with pytest.raises(FileNotFoundError):
        client.segment("/nonexistent/cube.npy", **FAST)


def test_no_server_is_a_connection_failure() -> None:
    lost = cubeseg.Client("http://127.0.0.1:9", timeout=5)
    with pytest.raises(cubeseg.ConnectionFailed):
        lost.jobs()
