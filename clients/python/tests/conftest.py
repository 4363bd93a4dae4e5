"""Fixtures: a real ``cubeseg serve`` (the binary in ``CUBESEG_BIN``, default the
repository's ``.build/release/cubeseg``) on a free port with a temporary data directory,
small cubes made by ``cubeseg synth``, and one segmentation shared by many tests.

Timeouts are generous (minutes): the machine may be busy; no test asserts a duration.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest
import requests

import cubeseg

REPO = Path(__file__).resolve().parents[3]
#: Parameters that make a job on a small cube take about a second.
FAST: Dict[str, object] = {"k_max": 4, "epochs": 5, "seed": 0}
#: Seconds a test waits for one job (a loaded 2-core machine can be slow).
JOB_TIMEOUT = 900.0
#: Seconds a client waits for one answer.
HTTP_TIMEOUT = 120.0
TOKEN = "test-token-0123456789abcdef"

CONFIG = """\
host: 127.0.0.1
port: 0
http_threads: 2
min_free_bytes: 1048576
max_cube_bytes: 268435456
retention_days: 0
workers: 1
blas_threads: 1
max_attempts: 1
poll_seconds: 1
max_wait_seconds: 20
"""


def cubeseg_binary() -> Path:
    path = Path(os.environ.get("CUBESEG_BIN") or REPO / ".build" / "release" / "cubeseg")
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"no cubeseg binary at {path}: build it (swift build -c release) or set CUBESEG_BIN", pytrace=False)
    return path


class Server:
    """``cubeseg serve`` in a child process; ``url`` once it answers /healthz."""

    def __init__(self, binary: Path, folder: Path, config: str) -> None:
        self.folder = folder
        self.log = folder / "serve.log"
        (folder / "cubeseg.yaml").write_text(config)
        # The child reads CUBESEG_<KEY> variables as configuration: none of the caller's.
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUBESEG_")}
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [str(binary), "serve", "--config", str(folder / "cubeseg.yaml"), "--data-dir", str(folder / "data")],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=folder, env=env)
        try:
            self.url = self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def _log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def _wait_until_ready(self, seconds: float = 180.0) -> str:
        deadline = time.monotonic() + seconds
        url: Optional[str] = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"cubeseg serve exited with {self.process.returncode}:\n{self._log_text()[-3000:]}")
            if url is None:
                match = re.search(r"listening on (http://[0-9.]+:[0-9]+)", self._log_text())
                url = match.group(1) if match else None
            if url is not None:
                try:
                    if requests.get(url + "/healthz", timeout=10).status_code == 200:
                        return url
                except requests.RequestException:
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"cubeseg serve did not answer /healthz within {seconds:g} s:\n{self._log_text()[-3000:]}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited after 60 s."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)


@pytest.fixture(scope="session")
def binary() -> Path:
    return cubeseg_binary()


@pytest.fixture(scope="session")
def server(binary: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = Server(binary, tmp_path_factory.mktemp("server"), CONFIG + "tokens: []\n")
    yield s
    s.stop()


@pytest.fixture(scope="session")
def token_server(binary: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    config = CONFIG + f"tokens:\n  - {{token: \"{TOKEN}\", name: alice}}\n"
    s = Server(binary, tmp_path_factory.mktemp("token-server"), config)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def client(server: Server) -> cubeseg.Client:
    return cubeseg.Client(server.url, timeout=HTTP_TIMEOUT)


def synth(binary: Path, out: Path, *args: str) -> Path:
    """Runs ``cubeseg synth ARGS OUT`` and returns OUT (float32 H x W x C .npy)."""
    subprocess.run([str(binary), "synth", *args, str(out)], check=True, capture_output=True, timeout=300)
    return out


@pytest.fixture(scope="session")
def synth_cube(binary: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 24 x 24 x 64 MA-XRF cube of 3 classes (``cubeseg synth maxrf``)."""
    return synth(binary, tmp_path_factory.mktemp("synth") / "painting.npy",
                 "maxrf", "--size", "24", "--channels", "64", "--classes", "3", "--seed", "1")


@pytest.fixture(scope="session")
def segmented(client: cubeseg.Client, synth_cube: Path) -> cubeseg.Result:
    """The synthetic cube segmented by the service with :data:`FAST` parameters (the
    client sends the axis in the sidecar file synth wrote)."""
    return client.segment(synth_cube, timeout=JOB_TIMEOUT, progress=False, **FAST)


def ids(items: List[dict]) -> List[str]:
    return [item["id"] for item in items]
