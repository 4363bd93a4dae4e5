"""Errors raised by the client.

The service answers every error as RFC 9457 problem details
(``application/problem+json``: ``type``, ``title``, ``status``, ``detail`` and a stable
machine-readable ``code``). :func:`error_from_response` turns such an answer into a
:class:`CubeSegError` of the subclass for its status.
"""

from __future__ import annotations

from typing import Any, Dict, Optional


class CubeSegError(Exception):
    """An error the service answered (or a job's failure).

    Attributes:
        status: HTTP status (``404``), or ``None`` when no HTTP answer is behind it
            (a failed job, a lost connection).
        code: the problem's stable ``code`` (``"job_not_found"``), or ``None``.
        detail: the problem's human-readable ``detail``.
        title: the problem's ``title``.
        problem: the whole problem document as a dict (extra members such as
            ``max_bytes`` included); empty when the answer was not a problem document.
    """

    def __init__(self, message: str, *, status: Optional[int] = None, code: Optional[str] = None,
                 detail: Optional[str] = None, title: Optional[str] = None,
                 problem: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title
        self.problem = dict(problem or {})


class BadRequest(CubeSegError):
    """400: a parameter, query field or body was refused; ``detail`` names it."""


class Unauthorized(CubeSegError):
    """401: missing or unknown bearer token."""


class Forbidden(CubeSegError):
    """403: the token may not do this."""


class NotFound(CubeSegError):
    """404: no such cube, job, model or result file for this token."""


class Conflict(CubeSegError):
    """409: conflicts with the current state (``job_not_finished``, ``in_use``, ...)."""


class PayloadTooLarge(CubeSegError):
    """413: the body is over the route's limit (``problem["max_bytes"]``)."""


class UnsupportedMediaType(CubeSegError):
    """415: unknown content type or cube format."""


class UnprocessableCube(CubeSegError):
    """422: the file parses but is no usable cube, or has nothing to segment."""


class QueueFull(CubeSegError):
    """429: too many unfinished jobs; ``retry_after`` seconds, when the server said."""

    retry_after: Optional[float] = None


class ServiceUnavailable(CubeSegError):
    """503: shutting down, or the store does not answer; ``retry_after`` when said."""

    retry_after: Optional[float] = None


class InsufficientStorage(CubeSegError):
    """507: the server's disk is (nearly) full; nothing was stored."""

    retry_after: Optional[float] = None


class ServerError(CubeSegError):
    """Any other 5xx answer."""


class ConnectionFailed(CubeSegError):
    """The service could not be reached, or did not answer in time (``__cause__`` says why)."""


class JobFailed(CubeSegError):
    """A job ended in state ``failed``; ``error`` is the job's error text, ``job`` the job."""

    def __init__(self, job: Dict[str, Any]) -> None:
        self.job = job
        self.job_id = job.get("id")
        self.error = job.get("error") or "no error text"
        super().__init__(f"job {self.job_id} failed: {self.error}", code="job_failed", detail=self.error)


class JobCancelled(CubeSegError):
    """A job ended in state ``cancelled``; ``job`` is the job."""

    def __init__(self, job: Dict[str, Any]) -> None:
        self.job = job
        self.job_id = job.get("id")
        super().__init__(f"job {self.job_id} was cancelled", code="job_cancelled", detail="cancelled")


class JobTimeout(CubeSegError):
    """Waiting for a job took longer than the ``timeout`` given; the job goes on."""

    def __init__(self, job: Dict[str, Any], seconds: float) -> None:
        self.job = job
        self.job_id = job.get("id")
        super().__init__(f"job {self.job_id} is still {job.get('state')} after {seconds:g} s", code="timeout")


_BY_STATUS = {
    400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict,
    413: PayloadTooLarge, 415: UnsupportedMediaType, 422: UnprocessableCube, 429: QueueFull,
    503: ServiceUnavailable, 507: InsufficientStorage,
}


def error_class(status: int) -> type:
    """The :class:`CubeSegError` subclass for an HTTP status."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ServerError if status >= 500 else CubeSegError


def error_from_response(response: Any) -> CubeSegError:
    """A :class:`CubeSegError` for a ``requests.Response`` whose status is an error.

    The message reads ``"<status> <code>: <detail>"``; an answer that is not a problem
    document (a proxy's HTML page, say) keeps its first 300 characters as ``detail``.
    """
    status = response.status_code
    problem: Dict[str, Any] = {}
    try:
        body = response.json()
        if isinstance(body, dict):
            problem = body
    except ValueError:
        pass
    code = problem.get("code") if isinstance(problem.get("code"), str) else None
    title = problem.get("title") if isinstance(problem.get("title"), str) else None
    detail = problem.get("detail") if isinstance(problem.get("detail"), str) else None
    if not problem:
        detail = (response.text or "").strip()[:300] or response.reason
    label = code or title or response.reason or "error"
    message = f"{status} {label}: {detail}" if detail else f"{status} {label}"
    error = error_class(status)(message, status=status, code=code, detail=detail, title=title, problem=problem)
    retry_after = response.headers.get("Retry-After")
    if retry_after is not None:
        try:
            error.retry_after = float(retry_after)  # type: ignore[attr-defined]
        except ValueError:
            pass
    return error
