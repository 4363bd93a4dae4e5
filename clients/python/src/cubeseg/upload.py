"""Turning what a caller hands over (a file path, a two-file pair, a numpy array) into the
body of ``POST /v1/cubes``, streamed with progress and never read into memory whole.

* A numpy array (H, W, C) (row major: ``cube[y, x, c]``) goes as ``.npy`` bytes (its
  header, then the array's own buffer) with ``format=npy``.
* One file (npy, FITS, HDF5, raw, ...) goes as the body; the server detects the format
  unless ``format=`` is given (raw data needs ``shape`` and ``dtype``).
* An ENVI ``.hdr`` or Lispix ``.rpl`` header goes with its data file as
  ``multipart/form-data`` (part ``cube`` = data, part ``header`` = header).
"""

from __future__ import annotations

import io
import json
import os
import uuid
import warnings
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

#: Query fields of an upload: how to open the cube (the names of ``cubeseg segment``'s
#: flags), its name, and its spectral axis when the file has none.
UPLOAD_FIELDS = (
    "name", "format", "shape", "dtype", "byte_order", "interleave", "header_offset",
    "dataset", "fits_extension", "axis_start", "axis_step", "axis_unit",
)

#: Data files an ENVI header may go with, tried in this order beside ``x.hdr``.
ENVI_DATA_SUFFIXES = (".img", ".dat", ".raw", ".bin", ".bsq", ".bil", ".bip", "")

PathLike = Union[str, "os.PathLike[str]"]
Segment = Union[bytes, memoryview, Path]


class StreamBody:
    """A request body made of byte strings and files, read lazily in order.

    ``len()`` is the exact byte count (so the request has a Content-Length); ``read`` is
    what ``requests``/``urllib3`` call. ``on_progress(sent)`` is told the bytes read so far.
    """

    #: Reads return up to this much even when asked for less (urllib3 asks for 16 KiB).
    CHUNK = 1 << 20

    def __init__(self, segments: Sequence[Segment], on_progress: Optional[Callable[[int], None]] = None) -> None:
        self._segments: List[Segment] = list(segments)
        self._sizes = [s.stat().st_size if isinstance(s, Path) else len(memoryview(s).cast("B")) for s in self._segments]
        self._index = 0
        self._offset = 0
        self._file: Optional[io.BufferedReader] = None
        self._sent = 0
        self.on_progress = on_progress

    def __len__(self) -> int:
        return sum(self._sizes)

    def __iter__(self) -> Iterator[bytes]:
        while True:
            block = self.read(self.CHUNK)
            if not block:
                return
            yield block

    def read(self, size: int = -1) -> bytes:
        want = sum(self._sizes) if size is None or size < 0 else max(size, self.CHUNK)
        out = bytearray()
        while len(out) < want and self._index < len(self._segments):
            segment = self._segments[self._index]
            if isinstance(segment, Path):
                if self._file is None:
                    self._file = open(segment, "rb")
                block = self._file.read(want - len(out))
            else:
                view = memoryview(segment).cast("B")
                block = bytes(view[self._offset:self._offset + want - len(out)])
                self._offset += len(block)
            if block:
                out += block
            if not block or (not isinstance(segment, Path) and self._offset >= self._sizes[self._index]):
                self._next_segment()
        self._sent += len(out)
        if out and self.on_progress is not None:
            self.on_progress(self._sent)
        return bytes(out)

    def _next_segment(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._index += 1
        self._offset = 0

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class PreparedUpload:
    """What to send: the body, its content type, a display name, query defaults."""

    def __init__(self, body: StreamBody, content_type: str, display_name: str, query: Dict[str, str]) -> None:
        self.body = body
        self.content_type = content_type
        self.display_name = display_name
        self.query = query


def query_fields(fields: Dict[str, Any]) -> Dict[str, str]:
    """Upload fields as query strings: ``shape=(H, W, C)`` -> ``"H,W,C"``, numpy dtypes by
    name, floats with full precision; ``None`` values are left out."""
    out: Dict[str, str] = {}
    for key, value in fields.items():
        if value is None:
            continue
        if key not in UPLOAD_FIELDS:
            raise TypeError(f"{key!r} is not an upload field; upload fields are {', '.join(UPLOAD_FIELDS)}")
        if key == "shape" and not isinstance(value, str):
            value = ",".join(str(int(n)) for n in value)
        elif key == "dtype" and not isinstance(value, str):
            value = np.dtype(value).name
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, float):
            value = repr(value)
        out[key] = str(value)
    return out


def npy_segments(array: np.ndarray) -> List[Segment]:
    """An array (H, W, C) as the segments of a ``.npy`` file: header, then its buffer
    (C order, little-endian; copied only when it is not so already)."""
    if not isinstance(array, np.ndarray):
        array = np.asarray(array)
    if array.ndim != 3:
        raise ValueError(f"a cube array is (height, width, channels); this one has shape {array.shape}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"a cube array holds booleans, integers or floats, not {array.dtype}")
    if array.dtype.byteorder == ">" or (array.dtype.byteorder == "=" and np.little_endian is False):
        array = array.astype(array.dtype.newbyteorder("<"))
    array = np.ascontiguousarray(array)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, np.lib.format.header_data_from_array_1_0(array))
    return [header.getvalue(), memoryview(array).cast("B")]


def _envi_data_file(header: Path) -> Path:
    for suffix in ENVI_DATA_SUFFIXES:
        for candidate in (header.with_suffix(suffix), header.with_suffix(suffix.upper())):
            if candidate != header and candidate.is_file():
                return candidate
    raise FileNotFoundError(f"no data file beside the ENVI header {header} (tried {', '.join(s or '(no suffix)' for s in ENVI_DATA_SUFFIXES)}); "
                            "pass companion=PATH")


def _rpl_data_file(header: Path) -> Path:
    for candidate in (header.with_suffix(".raw"), header.with_suffix(".RAW")):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no .raw file beside the Lispix header {header}; pass companion=PATH")


def two_file_pair(path: Path, companion: Optional[PathLike]) -> Optional[Tuple[Path, Path]]:
    """(data, header) when ``path`` (or ``companion``) is an ENVI ``.hdr`` or Lispix
    ``.rpl`` header, else ``None``. ``companion`` names the other file (as
    ``cubeseg segment --companion``); without it the data file is found beside the header."""
    other = Path(companion) if companion is not None else None
    headers = (".hdr", ".rpl")
    if path.suffix.lower() in headers:
        data = other or (_envi_data_file(path) if path.suffix.lower() == ".hdr" else _rpl_data_file(path))
        return data, path
    if other is not None and other.suffix.lower() in headers:
        return path, other
    if other is not None:
        raise ValueError(f"companion {other} is not an ENVI .hdr or Lispix .rpl header, and {path} is neither")
    return None


def prepare(cube: Any, companion: Optional[PathLike] = None) -> PreparedUpload:
    """The body for ``cube``: a path (str or ``os.PathLike``) or a numpy array (H, W, C)."""
    if isinstance(cube, np.ndarray):
        shape = "x".join(str(n) for n in cube.shape)
        return PreparedUpload(StreamBody(npy_segments(cube)), "application/octet-stream",
                              f"array {shape} {cube.dtype}", {"format": "npy", "name": "array.npy"})
    if not isinstance(cube, (str, os.PathLike)):
        raise TypeError(f"a cube is a file path or a numpy array (height, width, channels), not {type(cube).__name__}")
    path = Path(cube)
    if not path.is_file():
        raise FileNotFoundError(f"no cube file {path}")
    pair = two_file_pair(path, companion)
    if pair is None:
        return PreparedUpload(StreamBody([path]), "application/octet-stream", path.name,
                              {"name": path.name, **sidecar_axis(path)})
    data, header = pair
    if not data.is_file():
        raise FileNotFoundError(f"no data file {data} for the header {header}")
    boundary = "cubeseg-" + uuid.uuid4().hex

    def part_head(name: str, filename: str, first: bool) -> bytes:
        lead = b"" if first else b"\r\n"
        return lead + (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
                       "Content-Type: application/octet-stream\r\n\r\n").encode()

    segments: List[Segment] = [
        part_head("cube", _safe_filename(data.name), True), data,
        part_head("header", _safe_filename(header.name), False), header,
        f"\r\n--{boundary}--\r\n".encode(),
    ]
    return PreparedUpload(StreamBody(segments), f"multipart/form-data; boundary={boundary}",
                          f"{header.name} + {data.name}", {"name": header.stem})


def sidecar_axis(path: Path) -> Dict[str, str]:
    """The upload's axis fields from ``CUBE_axis.json`` beside ``CUBE.npy`` (what ``cubeseg
    synth`` writes and ``cubeseg segment`` reads), so that the service sees the axis the
    command line would. Empty when there is none; an axis of explicit values (which the
    upload cannot carry) is left out with a warning."""
    sidecar = path.with_name(path.stem + "_axis.json")
    if not sidecar.is_file():
        return {}
    try:
        axis = json.loads(sidecar.read_text())
    except (OSError, ValueError) as error:
        warnings.warn(f"{sidecar.name} is not readable JSON ({error}); uploading without an axis")
        return {}
    if "start" not in axis or "step" not in axis:
        warnings.warn(f"{sidecar.name} lists one value per channel, which an upload cannot carry; "
                      "pass axis_start, axis_step and axis_unit for a linear axis")
        return {}
    fields = {"axis_start": repr(float(axis["start"])), "axis_step": repr(float(axis["step"]))}
    if axis.get("unit"):
        fields["axis_unit"] = str(axis["unit"])
    return fields


def _safe_filename(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name) or "cube"
