"""Progress output: one updating line on stderr without tqdm, nothing when not asked."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import cubeseg
from conftest import FAST, JOB_TIMEOUT


def test_progress_line_on_stderr_without_tqdm(client: cubeseg.Client, synth_cube: Path,
                                              monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    r = client.segment(synth_cube, **FAST, timeout=JOB_TIMEOUT, progress=True)
    err = capsys.readouterr().err
    assert "uploading painting.npy" in err
    assert f"{r.job_id} succeeded" in err
    assert err.endswith("\n")


def test_no_progress_when_not_asked(client: cubeseg.Client, synth_cube: Path, capsys: pytest.CaptureFixture) -> None:
    client.segment(synth_cube, **FAST, timeout=JOB_TIMEOUT, progress=False)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
    # The default: only when stderr is a terminal (under pytest it is not).
    client.segment(synth_cube, **FAST, timeout=JOB_TIMEOUT)
    assert capsys.readouterr().err == ""


def test_tqdm_bars_when_installed(client: cubeseg.Client, synth_cube: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("tqdm")
    r = client.segment(synth_cube, **FAST, timeout=JOB_TIMEOUT, progress=True)
    err = capsys.readouterr().err
    assert f"{r.job_id} succeeded" in err
