"""A server with a bearer token configured refuses clients without it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import cubeseg
from conftest import FAST, HTTP_TIMEOUT, JOB_TIMEOUT, TOKEN, Server


def test_no_token_is_unauthorized(token_server: Server) -> None:
    anonymous = cubeseg.Client(token_server.url, timeout=HTTP_TIMEOUT)
    with pytest.raises(cubeseg.Unauthorized) as e:
        anonymous.jobs()
    assert e.value.status == 401 and e.value.code == "unauthorized"
    with pytest.raises(cubeseg.Unauthorized):
        anonymous.upload(np.ones((4, 4, 8), dtype=np.float32), progress=False)
    assert anonymous.health()["status"]  # liveness needs no token


def test_wrong_token_is_unauthorized(token_server: Server) -> None:
    stranger = cubeseg.Client(token_server.url, token="not-the-token-0123456789", timeout=HTTP_TIMEOUT)
    with pytest.raises(cubeseg.CubeSegError) as e:
        stranger.cubes()
    assert e.value.status == 401


def test_the_token_works(token_server: Server, synth_cube: Path) -> None:
    alice = cubeseg.Client(token_server.url, token=TOKEN, timeout=HTTP_TIMEOUT)
    r = alice.segment(synth_cube, **FAST, timeout=JOB_TIMEOUT, progress=False)
    assert r.labels.shape == (24, 24) and r.k in r.k_values
    assert r.job["owner"] == "alice"
    assert r.job_id in [j["id"] for j in alice.jobs()]
    anonymous = cubeseg.Client(token_server.url, timeout=HTTP_TIMEOUT)
    with pytest.raises(cubeseg.Unauthorized):
        anonymous.result(r.job_id)
