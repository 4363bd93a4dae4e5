"""Parts of the client that need no server: request bodies, query fields, error mapping."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import requests

import cubeseg
from cubeseg.errors import error_from_response
from cubeseg.upload import StreamBody, npy_segments, prepare, query_fields


def read_all(body: StreamBody, size: int = 7) -> bytes:
    out = b""
    while True:
        block = body.read(size)
        if not block:
            return out
        out += block


def test_npy_segments_make_the_file_numpy_writes() -> None:
    cube = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    for array in (cube, np.asfortranarray(cube), cube.astype(">f4"), cube.astype(np.uint16)):
        body = StreamBody(npy_segments(array))
        data = read_all(body)
        assert len(data) == len(body)
        back = np.load(io.BytesIO(data))
        assert back.dtype.byteorder in ("<", "=", "|") and np.array_equal(back, array)
        assert not np.load(io.BytesIO(data), mmap_mode=None).flags.f_contiguous


def test_stream_body_concatenates_bytes_and_files(tmp_path: Path) -> None:
    f = tmp_path / "part.bin"
    f.write_bytes(b"0123456789" * 1000)
    seen = []
    body = StreamBody([b"head-", f, b"", b"-tail"], on_progress=seen.append)
    data = b"".join(body)
    assert data == b"head-" + b"0123456789" * 1000 + b"-tail"
    assert len(body) == len(data) and seen[-1] == len(data)


def test_two_file_pairs_become_a_multipart_form(tmp_path: Path) -> None:
    (tmp_path / "scan.hdr").write_text("ENVI\n")
    (tmp_path / "scan.img").write_bytes(b"\0" * 16)
    prepared = prepare(tmp_path / "scan.hdr")
    assert prepared.content_type.startswith("multipart/form-data; boundary=")
    data = b"".join(prepared.body)
    assert b'name="cube"; filename="scan.img"' in data and b'name="header"; filename="scan.hdr"' in data
    assert data.index(b'name="cube"') < data.index(b'name="header"')
    (tmp_path / "lone.rpl").write_text("width\t1\n")
    with pytest.raises(FileNotFoundError, match="companion"):
        prepare(tmp_path / "lone.rpl")


def test_query_fields() -> None:
    assert query_fields({"shape": (20, 16, 32), "dtype": np.float32, "header_offset": 0, "axis_step": 0.1,
                         "dataset": None}) == {"shape": "20,16,32", "dtype": "float32", "header_offset": "0",
                                               "axis_step": "0.1"}
    with pytest.raises(TypeError):
        query_fields({"k_max": 3})


def response(status: int, body: bytes, content_type: str = "application/problem+json") -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = body
    r.headers["Content-Type"] = content_type
    r.reason = "Reason"
    return r


def test_problem_details_become_errors() -> None:
    e = error_from_response(response(409, b'{"type":"urn:cubeseg:problem:in_use","title":"Conflict","status":409,'
                                          b'"detail":"cube is in use","code":"in_use"}'))
    assert isinstance(e, cubeseg.Conflict)
    assert (e.status, e.code, e.detail, e.title) == (409, "in_use", "cube is in use", "Conflict")
    assert str(e) == "409 in_use: cube is in use"
    q = response(429, b'{"code":"queue_full","detail":"too many","status":429,"title":"Too many","type":"x"}')
    q.headers["Retry-After"] = "7"
    assert error_from_response(q).retry_after == 7.0
    html = error_from_response(response(502, b"<html>bad gateway</html>", "text/html"))
    assert isinstance(html, cubeseg.ServerError) and html.code is None and "bad gateway" in html.detail
