"""Listing (with pagination), cancelling and deleting jobs, cubes and models."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

import cubeseg
from conftest import FAST, JOB_TIMEOUT, ids

#: A job that trains for minutes on the small cube (no early stop): cancelled, never awaited.
LONG = {"epochs": 100000, "early_stopping_patience": 0, "embedding": "autoencoder", "k_max": 3}


def test_listings_contain_the_job_its_cube_and_model(client: cubeseg.Client, segmented: cubeseg.Result) -> None:
    assert segmented.job_id in ids(client.jobs())
    assert segmented.job_id in ids(client.jobs(state="succeeded"))
    assert segmented.job_id not in ids(client.jobs(state="failed"))
    assert segmented.job["cube_id"] in ids(client.cubes())
    models = {m["id"]: m for m in client.models()}
    assert models[segmented.model_id]["job_id"] == segmented.job_id
    assert models[segmented.model_id]["chosen_k"] == segmented.k


def test_listing_follows_next_cursor(client: cubeseg.Client, synth_cube: Path) -> None:
    cube = client.upload(synth_cube, name="paged", progress=False)
    for _ in range(3):
        client.segment(cube, **FAST, timeout=JOB_TIMEOUT, progress=False)
    whole = client.jobs(page_size=200)
    paged = client.jobs(page_size=1)
    assert len(whole) >= 3
    assert ids(paged) == ids(whole)  # every page followed, newest first, no duplicates
    assert ids(client.cubes(page_size=1)) == ids(client.cubes())
    assert ids(client.models(page_size=2)) == ids(client.models())


@pytest.fixture()
def long_job(client: cubeseg.Client, synth_cube: Path) -> Iterator[dict]:
    job = client.submit(synth_cube, progress=False, **LONG)
    yield job
    try:  # never leave it training for the next tests
        client.cancel(job["id"])
    except cubeseg.CubeSegError:
        pass


def test_cancel_a_running_and_a_queued_job(client: cubeseg.Client, long_job: dict) -> None:
    # One worker: the second job waits behind the first.
    queued = client.submit({"id": long_job["cube_id"]}, **LONG)
    assert queued["state"] == "queued"

    with pytest.raises(cubeseg.Conflict) as e:
        client.delete_job(long_job["id"])
    assert e.value.status == 409 and e.value.code == "job_not_finished"
    with pytest.raises(cubeseg.Conflict) as e:
        client.delete_cube(long_job["cube_id"])
    assert e.value.code == "in_use"

    cancelled = client.cancel(queued["id"])
    assert cancelled["state"] == "cancelled"
    again = client.cancel(queued["id"])  # safe to retry
    assert again["state"] == "cancelled"

    first = client.cancel(long_job["id"])
    assert first["cancel_requested"] or first["state"] == "cancelled"
    with pytest.raises(cubeseg.JobCancelled) as stopped:
        client.wait(long_job["id"], timeout=JOB_TIMEOUT, progress=False)
    assert stopped.value.job_id == long_job["id"]
    assert client.job(long_job["id"])["state"] == "cancelled"
    with pytest.raises(cubeseg.JobCancelled):
        client.wait(queued["id"], timeout=JOB_TIMEOUT, progress=False)

    with pytest.raises(cubeseg.Conflict) as e:
        client.result(long_job["id"])
    assert e.value.code == "job_not_succeeded"
    assert long_job["id"] in ids(client.jobs(state="cancelled"))


def test_cancel_a_finished_job_is_a_conflict(client: cubeseg.Client, segmented: cubeseg.Result) -> None:
    with pytest.raises(cubeseg.Conflict) as e:
        client.cancel(segmented.job_id)
    assert e.value.status == 409 and e.value.code == "job_finished"
    assert client.job(segmented.job_id)["state"] == "succeeded"


def test_delete_removes_job_model_and_cube(client: cubeseg.Client, synth_cube: Path) -> None:
    r = client.segment(synth_cube, **FAST, timeout=JOB_TIMEOUT, progress=False)
    cube_id, model_id = r.job["cube_id"], r.model_id

    client.delete_job(r.job_id)
    assert r.job_id not in ids(client.jobs())
    with pytest.raises(cubeseg.NotFound) as e:
        client.job(r.job_id)
    assert e.value.status == 404 and e.value.code == "job_not_found"
    with pytest.raises(cubeseg.NotFound):
        client.delete_job(r.job_id)  # a retried DELETE changes nothing
    with pytest.raises(cubeseg.NotFound):
        r.download("labels.png")

    client.delete_model(model_id)
    assert model_id not in ids(client.models())
    with pytest.raises(cubeseg.NotFound) as e:
        client.model(model_id)
    assert e.value.code == "model_not_found"

    client.delete_cube(cube_id)
    assert cube_id not in ids(client.cubes())
    with pytest.raises(cubeseg.NotFound) as e:
        client.cube(cube_id)
    assert e.value.code == "cube_not_found"


def test_wait_with_a_short_timeout_leaves_the_job_running(client: cubeseg.Client, long_job: dict) -> None:
    with pytest.raises(cubeseg.JobTimeout) as e:
        client.wait(long_job["id"], timeout=0.5, progress=False)
    assert e.value.job["state"] in ("queued", "running")
    assert client.job(long_job["id"])["state"] in ("queued", "running")
