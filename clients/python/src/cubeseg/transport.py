"""The HTTP layer: one ``requests.Session`` with the bearer token, errors as
:class:`~cubeseg.errors.CubeSegError`."""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional, Tuple, Union
from urllib.parse import quote

import requests

from . import __version__
from .errors import ConnectionFailed, error_from_response

Timeout = Union[float, Tuple[float, float]]


class Transport:
    """Requests against one service: ``url`` is its root (``http://127.0.0.1:8080``)."""

    def __init__(self, url: str, token: Optional[str], timeout: float, session: Optional[requests.Session] = None) -> None:
        self.url = url.rstrip("/")
        self.timeout = float(timeout)
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = f"cubeseg-python/{__version__}"
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, *, ok: Tuple[int, ...] = (200,), timeout: Optional[Timeout] = None,
                **kwargs: Any) -> requests.Response:
        """``method path`` (``path`` starts with ``/``); raises the problem when the status
        is not in ``ok``, and :class:`ConnectionFailed` when no answer came."""
        try:
            response = self.session.request(method, self.url + path, timeout=timeout or self.timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as e:
            raise ConnectionFailed(f"{method} {self.url}{path}: {e}") from e
        if response.status_code not in ok:
            raise error_from_response(response)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON body of a request that answers 200 (or ``ok``)."""
        return self.request(method, path, **kwargs).json()

    def pages(self, path: str, params: Optional[Dict[str, Any]] = None, page_size: int = 200) -> Iterator[Dict[str, Any]]:
        """Every item of a paginated list (``items`` + ``next_cursor``), in server order."""
        query = {k: v for k, v in (params or {}).items() if v is not None}
        query["limit"] = page_size
        while True:
            page = self.json("GET", path, params=query)
            yield from page.get("items", [])
            cursor = page.get("next_cursor")
            if not cursor:
                return
            query["cursor"] = cursor


def segment(value: str) -> str:
    """A path segment, percent-encoded (ids are ``[A-Za-z0-9_-]``; file names may be anything)."""
    return quote(str(value), safe="")
