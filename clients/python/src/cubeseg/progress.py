"""Progress of uploads and jobs: a tqdm bar when tqdm is installed, else one updating line
on stderr, or nothing.

``progress=None`` (the default of every client call) shows progress only when stderr is a
terminal; ``True`` always; ``False`` never.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Dict, Optional


def _tqdm_class() -> Optional[type]:
    try:
        from tqdm.auto import tqdm  # type: ignore[import-not-found]
    except Exception:  # ImportError, or a broken install
        return None
    return tqdm


def make_progress(progress: Optional[bool]) -> "Progress":
    """The reporter for a call's ``progress`` argument."""
    if progress is None:
        isatty = getattr(sys.stderr, "isatty", None)
        progress = bool(isatty and isatty())
    if not progress:
        return Progress()
    tqdm = _tqdm_class()
    return TqdmProgress(tqdm) if tqdm is not None else LineProgress()


def _megabytes(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def describe_job(job: Dict[str, Any]) -> str:
    """One line about a job: ``job_x running 12% training epoch 12/100 loss 0.0123 eta 8 s``."""
    parts = [str(job.get("id", "job")), str(job.get("state", "?"))]
    p = job.get("progress") or {}
    if job.get("state") in ("queued", "running") and p:
        if p.get("fraction") is not None and job.get("state") == "running":
            parts.append(f"{100 * p['fraction']:.0f}%")
        if p.get("phase"):
            parts.append(str(p["phase"]))
        if p.get("epoch") is not None and p.get("epochs"):
            parts.append(f"epoch {p['epoch']}/{p['epochs']}")
        if p.get("loss") is not None:
            parts.append(f"loss {p['loss']:.4g}")
        if p.get("eta_seconds") is not None:
            parts.append(f"eta {p['eta_seconds']:.0f} s")
    if job.get("state") == "succeeded" and job.get("chosen_k") is not None:
        parts.append(f"K = {job['chosen_k']}")
    return " ".join(parts)


class Progress:
    """Reports nothing; the interface of every reporter."""

    def upload_started(self, name: str, total: int) -> None:
        """An upload of ``total`` bytes (0 when unknown) begins."""

    def uploaded(self, sent: int) -> None:
        """``sent`` bytes of the upload have gone so far (cumulative)."""

    def upload_finished(self) -> None:
        """The server answered the upload."""

    def job(self, job: Dict[str, Any]) -> None:
        """The job as last read (``progress.fraction`` in 0...1 while it runs)."""

    def close(self) -> None:
        """The call is over (success or not)."""


class LineProgress(Progress):
    """One line on stderr, rewritten in place (carriage return), ended by a newline."""

    def __init__(self, min_interval: float = 0.2) -> None:
        self._min_interval = min_interval
        self._last = 0.0
        self._width = 0
        self._open = False
        self._name = ""
        self._total = 0

    def _write(self, text: str, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self._min_interval:
            return
        self._last = now
        stream = sys.stderr  # looked up each time: tests and notebooks replace it
        pad = max(0, self._width - len(text))
        stream.write("\r" + text + " " * pad)
        stream.flush()
        self._width = len(text)
        self._open = True

    def _end_line(self) -> None:
        if self._open:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self._open = False
            self._width = 0

    def upload_started(self, name: str, total: int) -> None:
        self._name, self._total = name, total
        self._write(f"uploading {name}: 0 of {_megabytes(total)}", force=True)

    def uploaded(self, sent: int) -> None:
        if self._total:
            self._write(f"uploading {self._name}: {_megabytes(sent)} of {_megabytes(self._total)}"
                        f" ({100 * sent / self._total:.0f}%)")

    def upload_finished(self) -> None:
        self._write(f"uploaded {self._name}: {_megabytes(self._total)}", force=True)
        self._end_line()

    def job(self, job: Dict[str, Any]) -> None:
        finished = job.get("state") in ("succeeded", "failed", "cancelled")
        self._write(describe_job(job), force=finished)
        if finished:
            self._end_line()

    def close(self) -> None:
        self._end_line()


class TqdmProgress(Progress):
    """A tqdm bar in bytes for the upload, then one in percent for the job."""

    def __init__(self, tqdm: type) -> None:
        self._tqdm = tqdm
        self._bar: Any = None
        self._sent = 0
        self._job_bar: Any = None

    def upload_started(self, name: str, total: int) -> None:
        self._bar = self._tqdm(total=total or None, unit="B", unit_scale=True, desc=f"upload {name}", leave=False)
        self._sent = 0

    def uploaded(self, sent: int) -> None:
        if self._bar is not None:
            self._bar.update(sent - self._sent)
            self._sent = sent

    def upload_finished(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def job(self, job: Dict[str, Any]) -> None:
        if self._job_bar is None:
            self._job_bar = self._tqdm(total=100, desc=str(job.get("id", "job")), bar_format="{desc} |{bar}|")
        state = job.get("state")
        fraction = (job.get("progress") or {}).get("fraction")
        done = 100 if state == "succeeded" else (100 * fraction if fraction is not None else None)
        if done is not None:
            self._job_bar.n = min(100.0, max(0.0, done))
        self._job_bar.set_description_str(describe_job(job), refresh=True)

    def close(self) -> None:
        self.upload_finished()
        if self._job_bar is not None:
            self._job_bar.close()
            self._job_bar = None
