"""The client of the CubeSeg service (``cubeseg serve``): upload a cube, run a job, wait for
it with progress, fetch its :class:`~cubeseg.result.Result`; list, cancel and delete."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from . import upload as uploads
from .errors import BadRequest, ConnectionFailed, CubeSegError, JobCancelled, JobFailed, JobTimeout
from .progress import Progress, make_progress
from .result import Result, ServerFiles
from .transport import Transport, segment

FINISHED = ("succeeded", "failed", "cancelled")


def _jsonable(value: Any) -> Any:
    """Parameters as JSON: numpy scalars and arrays become Python numbers and lists."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def split_fields(kwargs: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """(upload fields, engine parameters) of a call's keyword arguments: the names in
    :data:`cubeseg.upload.UPLOAD_FIELDS` go to the upload, every other one to the job's
    ``params`` (the server refuses unknown ones with a 400 ``unknown_parameter``)."""
    fields = {k: v for k, v in kwargs.items() if k in uploads.UPLOAD_FIELDS}
    params = {k: _jsonable(v) for k, v in kwargs.items() if k not in uploads.UPLOAD_FIELDS}
    return fields, params


class Client:
    """A CubeSeg service at ``url``.

    Args:
        url: the service root, e.g. ``"http://127.0.0.1:8080"``.
        token: bearer token, when the server has tokens configured.
        timeout: seconds to wait for any one answer (uploads and long polls add their own
            allowance on top).
        poll_wait: seconds one long poll of a job may be held by the server (``?wait=``;
            lowered automatically to the server's ``max_wait_seconds`` when that is less).
        session: a ``requests.Session`` to use (proxies, certificates, retries).

    Cubes passed to :meth:`segment`, :meth:`apply`, :meth:`submit` and :meth:`upload` are a
    file path (npy, FITS, HDF5, raw, an ENVI ``.hdr`` or a Lispix ``.rpl`` with its data
    file beside it or named by ``companion=``), a numpy array (H, W, C) (row major:
    ``cube[y, x, channel]``), or a cube already uploaded (the dict :meth:`upload` returns).
    """

    def __init__(self, url: str = "http://127.0.0.1:8080", token: Optional[str] = None, timeout: float = 60.0,
                 *, poll_wait: float = 30.0, session: Any = None) -> None:
        self._http = Transport(url, token, timeout, session)
        self.poll_wait = float(poll_wait)

    @property
    def url(self) -> str:
        return self._http.url

    def __repr__(self) -> str:
        return f"<cubeseg.Client {self.url}>"

    # --- system ---------------------------------------------------------------------------

    def health(self) -> Dict[str, Any]:
        """``GET /healthz``: ``{"status": "ok"}`` while the service lives."""
        return self._http.json("GET", "/healthz")

    # --- cubes ----------------------------------------------------------------------------

    def upload(self, cube: Any, *, companion: Any = None, progress: Optional[bool] = None, **fields: Any) -> Dict[str, Any]:
        """Uploads a cube; returns its description (``id``, ``shape`` [H, W, C], ``dtype``,
        ``spectral_axis``, ``sha256``...).

        ``fields`` are the upload's query fields: ``name``, ``format`` (npy, raw, envi, rpl,
        fits, hdf5), ``shape`` ((H, W, C) or ``"H,W,C"``, raw data), ``dtype``,
        ``byte_order``, ``interleave``, ``header_offset``, ``dataset`` (HDF5),
        ``fits_extension``, and ``axis_start``, ``axis_step``, ``axis_unit`` (a linear
        spectral axis for files that carry none).
        """
        reporter = make_progress(progress)
        try:
            return self._upload(cube, companion, fields, reporter)
        finally:
            reporter.close()

    def _upload(self, cube: Any, companion: Any, fields: Dict[str, Any], reporter: Progress) -> Dict[str, Any]:
        prepared = uploads.prepare(cube, companion)
        query = {**prepared.query, **uploads.query_fields(fields)}
        body = prepared.body
        reporter.upload_started(prepared.display_name, len(body))
        body.on_progress = reporter.uploaded
        try:
            cube_record = self._http.json("POST", "/v1/cubes", params=query, data=body, ok=(201,),
                                          headers={"Content-Type": prepared.content_type},
                                          timeout=(self._http.timeout, max(self._http.timeout, 600.0)))
        finally:
            body.close()
        reporter.upload_finished()
        return cube_record

    def cube(self, cube_id: str) -> Dict[str, Any]:
        """``GET /v1/cubes/{id}``: the cube's description."""
        return self._http.json("GET", f"/v1/cubes/{segment(cube_id)}")

    def cubes(self, page_size: int = 200) -> List[Dict[str, Any]]:
        """Every cube this token sees, newest first (all pages)."""
        return list(self._http.pages("/v1/cubes", page_size=page_size))

    def delete_cube(self, cube_id: str) -> None:
        """``DELETE /v1/cubes/{id}`` (409 ``in_use`` while an unfinished job uses it)."""
        self._http.request("DELETE", f"/v1/cubes/{segment(cube_id)}", ok=(204,))

    # --- jobs -----------------------------------------------------------------------------

    def segment(self, cube: Any, *, companion: Any = None, priority: Optional[int] = None, timeout: Optional[float] = None,
                progress: Optional[bool] = None, idempotency_key: Optional[str] = None, **kwargs: Any) -> Result:
        """Segments ``cube``: uploads it, runs a training job, waits, returns its :class:`Result`.

        ``kwargs`` are upload fields (see :meth:`upload`) and engine parameters, the
        options of ``cubeseg segment`` in snake case (``k_min``, ``k_max``, ``epochs``,
        ``seed``, ``bins``, ``background``, ...). ``timeout``: seconds to wait for the job
        (``None``: as long as it takes); :class:`JobTimeout` when over, the job going on.
        Raises :class:`JobFailed` / :class:`JobCancelled` when the job ends otherwise.
        """
        return self._run(cube, None, companion, priority, timeout, progress, idempotency_key, kwargs)

    def apply(self, model_id: str, cube: Any, *, companion: Any = None, priority: Optional[int] = None,
              timeout: Optional[float] = None, progress: Optional[bool] = None, idempotency_key: Optional[str] = None,
              **kwargs: Any) -> Result:
        """Segments ``cube`` with a trained model (``POST /v1/models/{id}/apply``, no
        training); arguments as :meth:`segment`. The model's K labels the cube with the
        model's centroids (same label = same material); other Ks are clustered anew."""
        return self._run(cube, model_id, companion, priority, timeout, progress, idempotency_key, kwargs)

    def _run(self, cube: Any, model_id: Optional[str], companion: Any, priority: Optional[int], timeout: Optional[float],
             progress: Optional[bool], idempotency_key: Optional[str], kwargs: Dict[str, Any]) -> Result:
        reporter = make_progress(progress)
        try:
            job = self._submit(cube, model_id, companion, priority, idempotency_key, kwargs, reporter)
            job = self._wait(job["id"], timeout, reporter)
        finally:
            reporter.close()
        return self._result(job)

    def submit(self, cube: Any, *, model_id: Optional[str] = None, companion: Any = None, priority: Optional[int] = None,
               progress: Optional[bool] = None, idempotency_key: Optional[str] = None, **kwargs: Any) -> Dict[str, Any]:
        """Uploads ``cube`` (unless it is an uploaded cube's dict) and queues a job: a
        training job, or an apply job of ``model_id``. Returns the job (``id``, ``state``...)
        without waiting; :meth:`wait` and :meth:`result` take it from there."""
        reporter = make_progress(progress)
        try:
            return self._submit(cube, model_id, companion, priority, idempotency_key, kwargs, reporter)
        finally:
            reporter.close()

    def _submit(self, cube: Any, model_id: Optional[str], companion: Any, priority: Optional[int],
                idempotency_key: Optional[str], kwargs: Dict[str, Any], reporter: Progress) -> Dict[str, Any]:
        fields, params = split_fields(kwargs)
        uploaded: Optional[str] = None
        if isinstance(cube, dict):
            if fields or companion is not None:
                raise TypeError(f"cube {cube.get('id')} is uploaded already; upload fields ({', '.join(fields) or 'companion'}) do not apply")
            cube_id = cube["id"]
        else:
            cube_id = uploaded = self._upload(cube, companion, fields, reporter)["id"]
        body: Dict[str, Any] = {"cube_id": cube_id}
        if params:
            body["params"] = params
        if priority is not None:
            body["priority"] = int(priority)
        path = "/v1/jobs" if model_id is None else f"/v1/models/{segment(model_id)}/apply"
        headers = {"Idempotency-Key": idempotency_key or uuid.uuid4().hex}
        try:
            try:
                return self._http.json("POST", path, json=body, headers=headers, ok=(202,))
            except ConnectionFailed:  # the key makes the retry return the same job
                time.sleep(1.0)
                return self._http.json("POST", path, json=body, headers=headers, ok=(202,))
        except CubeSegError:
            if uploaded is not None:  # the job was refused: do not leave the upload behind
                try:
                    self.delete_cube(uploaded)
                except CubeSegError:
                    pass
            raise

    def wait(self, job_id: str, *, timeout: Optional[float] = None, progress: Optional[bool] = None) -> Dict[str, Any]:
        """Waits for a job to end (long polls, ``GET /v1/jobs/{id}?wait=``); returns the
        succeeded job, raises :class:`JobFailed`, :class:`JobCancelled` or, after
        ``timeout`` seconds, :class:`JobTimeout`."""
        reporter = make_progress(progress)
        try:
            return self._wait(job_id, timeout, reporter)
        finally:
            reporter.close()

    def _wait(self, job_id: str, timeout: Optional[float], reporter: Progress) -> Dict[str, Any]:
        path = f"/v1/jobs/{segment(job_id)}"
        deadline = None if timeout is None else time.monotonic() + timeout
        # Progress wants every change; otherwise one held request per poll_wait until the end.
        until = "finished" if type(reporter) is Progress else "change"
        job: Optional[Dict[str, Any]] = None
        etag: Optional[str] = None
        failures = 0
        while True:
            wait = self.poll_wait if deadline is None else max(0.0, min(self.poll_wait, deadline - time.monotonic()))
            headers = {"If-None-Match": etag} if etag and job is not None and until == "change" else {}
            try:
                response = self._http.request("GET", path, params={"wait": f"{wait:g}", "until": until}, headers=headers,
                                              ok=(200, 304), timeout=(self._http.timeout, self._http.timeout + wait))
                failures = 0
            except BadRequest as e:
                limit = self._server_wait_limit(e)
                if limit is None:
                    raise
                self.poll_wait = limit
                continue
            except ConnectionFailed:
                failures += 1
                if failures >= 3:
                    raise
                time.sleep(2.0)
                continue
            if response.status_code == 200 or job is None:
                job = response.json()
                etag = response.headers.get("ETag")
            reporter.job(job)
            state = job.get("state")
            if state == "succeeded":
                return job
            if state == "failed":
                raise JobFailed(job)
            if state == "cancelled":
                raise JobCancelled(job)
            if deadline is not None and time.monotonic() >= deadline:
                raise JobTimeout(job, timeout or 0.0)

    def _server_wait_limit(self, error: BadRequest) -> Optional[float]:
        """The server's ``max_wait_seconds`` when ``error`` refused our ``wait``, else None."""
        if error.code != "invalid_query" or "wait" not in (error.detail or ""):
            return None
        match = re.search(r"0\.\.\.(\d+(?:\.\d+)?)", error.detail or "")
        limit = float(match.group(1)) if match else 1.0
        return limit if limit < self.poll_wait else None

    def job(self, job_id: str) -> Dict[str, Any]:
        """``GET /v1/jobs/{id}``: state, progress, timings, error, ``model_id``."""
        return self._http.json("GET", f"/v1/jobs/{segment(job_id)}")

    def jobs(self, state: Optional[str] = None, page_size: int = 200) -> List[Dict[str, Any]]:
        """Every job this token sees, newest first (all pages); ``state`` filters
        (queued, running, succeeded, failed, cancelled)."""
        return list(self._http.pages("/v1/jobs", {"state": state}, page_size=page_size))

    def cancel(self, job_id: str) -> Dict[str, Any]:
        """``POST /v1/jobs/{id}/cancel``: a queued job is cancelled at once, a running one at
        its next training batch (``cancel_requested``). 409 ``job_finished`` when it ended
        otherwise. Returns the job."""
        return self._http.json("POST", f"/v1/jobs/{segment(job_id)}/cancel", ok=(202,))

    def delete_job(self, job_id: str) -> None:
        """``DELETE /v1/jobs/{id}``: removes a finished job and its results (409
        ``job_not_finished`` while queued or running: cancel it first)."""
        self._http.request("DELETE", f"/v1/jobs/{segment(job_id)}", ok=(204,))

    def result(self, job_id: str) -> Result:
        """The :class:`Result` of a succeeded job (409 ``job_not_succeeded`` otherwise)."""
        return self._result(self.job(job_id))

    def _result(self, job: Dict[str, Any]) -> Result:
        listing = self._http.json("GET", f"/v1/jobs/{segment(job['id'])}/results")
        return Result(ServerFiles(self._http, job["id"], listing.get("files", [])), job)

    # --- models ---------------------------------------------------------------------------

    def models(self, page_size: int = 200) -> List[Dict[str, Any]]:
        """Every stored model this token sees (``id``, ``job_id``, ``cube_id``, ``chosen_k``), newest first."""
        return list(self._http.pages("/v1/models", page_size=page_size))

    def model(self, model_id: str) -> Dict[str, Any]:
        """``GET /v1/models/{id}``: the model file (``cubeseg-model/4`` JSON)."""
        return self._http.json("GET", f"/v1/models/{segment(model_id)}")

    def delete_model(self, model_id: str) -> None:
        """``DELETE /v1/models/{id}`` (409 while a job applies it)."""
        self._http.request("DELETE", f"/v1/models/{segment(model_id)}", ok=(204,))
