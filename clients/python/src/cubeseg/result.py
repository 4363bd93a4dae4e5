"""A segmentation result, from the service or from a folder ``cubeseg segment --out DIR``
wrote: label maps, clusters, scores, report and model.

Label maps are numpy int32 arrays (H, W), row major (``labels[y, x]``), ``-1`` for
background pixels, ``0 ... K-1`` for the clusters. Spectra are ``(x, y)`` pairs of 1-D
float64 arrays: ``x`` the spectral axis in ``unit`` (``"keV"``, ``"nm"``, ``"channel"``...),
``y`` the mean measured value per channel in the cube's own units (counts, flux...).
"""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np

Spectrum = Tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Cluster:
    """One cluster of one K (an entry of ``clusters.json``).

    Attributes:
        label: its value in the label maps (0 ... K-1).
        color: its colour in ``labels.png`` (``"#rrggbb"``).
        pixels: pixels labelled with it.
        fraction: ``pixels`` over the signal (non-background) pixels.
        fraction_of_image: ``pixels`` over all H * W pixels.
        mean_spectrum: ``(x, y)``: the mean measured spectrum, ``x`` in ``unit``.
        unit: unit of ``mean_spectrum``'s x (``"channel"`` when the cube has no axis).
        peaks: the identified peaks as the server writes them (dicts with ``x``,
            ``element``, ``line``, ...), or ``None`` when the result has none.
        parent: the cluster of the next smaller K this one comes from, when the result
            says (else ``None``).
        centroid: the cluster's centre in latent space (length L), when present.
        mean_reconstruction: ``(x, y)``: the model's mean reconstruction (transformed
            units, rebinned axis), when present.
        raw: the cluster's JSON object as read.
    """

    label: int
    color: str
    pixels: int
    fraction: float
    fraction_of_image: Optional[float]
    mean_spectrum: Spectrum = field(repr=False)
    unit: str = "channel"
    peaks: Optional[List[Dict[str, Any]]] = None
    parent: Optional[Any] = None
    centroid: Optional[np.ndarray] = field(default=None, repr=False)
    mean_reconstruction: Optional[Spectrum] = field(default=None, repr=False)
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Dict[str, Any]) -> "Cluster":
        spectrum = obj.get("mean_spectrum") or {}
        reconstruction = obj.get("mean_reconstruction")
        centroid = obj.get("centroid")
        return cls(
            label=int(obj["label"]),
            color=str(obj.get("color", "")),
            pixels=int(obj.get("pixels", 0)),
            fraction=float(obj.get("fraction", 0.0)),
            fraction_of_image=float(obj["fraction_of_image"]) if obj.get("fraction_of_image") is not None else None,
            mean_spectrum=_series(spectrum),
            unit=str(spectrum.get("unit", "channel")),
            peaks=list(obj["peaks"]) if isinstance(obj.get("peaks"), list) else None,
            parent=obj.get("parent"),
            centroid=np.asarray(centroid, dtype=np.float64) if centroid is not None else None,
            mean_reconstruction=_series(reconstruction) if isinstance(reconstruction, dict) else None,
            raw=obj,
        )


def _series(obj: Dict[str, Any]) -> Spectrum:
    return np.asarray(obj.get("x", []), dtype=np.float64), np.asarray(obj.get("y", []), dtype=np.float64)


def _npy(data: bytes) -> np.ndarray:
    return np.load(io.BytesIO(data), allow_pickle=False)


class FolderFiles:
    """Result files in a folder (what ``cubeseg segment --out DIR`` writes)."""

    def __init__(self, folder: Union[str, Path]) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise FileNotFoundError(f"no result folder {self.folder}")
        self._labels_json: Optional[Dict[str, Any]] = None

    def names(self) -> List[str]:
        return sorted(p.name for p in self.folder.iterdir() if p.is_file() and not p.name.startswith("."))

    def read(self, name: str, k: Optional[int] = None) -> bytes:
        if k is not None:
            raise ValueError("k selects a K of a result file on the server only; a folder's labels_by_k has every K")
        path = self.folder / name
        if not path.is_file():
            raise FileNotFoundError(f"{self.folder} has no {name} (is it a cubeseg segment --out folder?)")
        return path.read_bytes()

    def labels(self, k: int, chosen_k: int, height: int, width: int) -> np.ndarray:
        if k == chosen_k and (self.folder / "labels.npy").is_file():
            return _npy(self.read("labels.npy")).astype(np.int32, copy=False)
        if self._labels_json is None:
            self._labels_json = json.loads(self.read("labels.json"))
        by_k = self._labels_json.get("by_k", {})
        flat = by_k.get(str(k)) if str(k) in by_k else (self._labels_json.get("labels") if k == chosen_k else None)
        if flat is None:
            raise KeyError(f"labels.json has no label map for K = {k}")
        return np.asarray(flat, dtype=np.int32).reshape(height, width)


class ServerFiles:
    """Result files of a succeeded job, fetched on demand (``client`` is a ``Transport``)."""

    def __init__(self, transport: Any, job_id: str, files: List[str]) -> None:
        from .transport import segment
        self._transport = transport
        self._base = f"/v1/jobs/{segment(job_id)}/results/"
        self._files = list(files)

    def names(self) -> List[str]:
        return list(self._files)

    def read(self, name: str, k: Optional[int] = None) -> bytes:
        from .transport import segment
        params = {"k": int(k)} if k is not None else None
        return self._transport.request("GET", self._base + segment(name), params=params).content

    def labels(self, k: int, chosen_k: int, height: int, width: int) -> np.ndarray:
        labels = _npy(self.read("labels.npy", k=None if k == chosen_k else k)).astype(np.int32, copy=False)
        if labels.shape != (height, width):
            raise ValueError(f"labels.npy for K = {k} has shape {labels.shape}, not ({height}, {width})")
        return labels


class Result:
    """A segmentation: label maps for every K tried, clusters, scores, report, model.

    Attributes:
        job_id: the job (``None`` for a folder).
        job: the job's JSON (``None`` for a folder).
        files: names of the result files.
        k: the chosen K.
        k_values: every K tried, ascending.
        height, width: the label maps' shape.
        labels: int32 (H, W), the chosen K's map; -1 = background.
        clusters: the chosen K's clusters, by label.
        clusters_by_k: ``{K: [Cluster, ...]}`` for every K tried.
        scores: ``scores.json`` (criterion, chosen_k, reason, one row of scores per K).
        report: ``report.json`` (parameters, decisions, history, timings, ...).
        value_unit: unit of the mean spectra's values (``"counts"`` for photon counts,
            ``"intensity"`` for the file's own units), or ``None`` when the result does not say.
    """

    def __init__(self, source: Union[FolderFiles, ServerFiles], job: Optional[Dict[str, Any]] = None) -> None:
        self._source = source
        self.job = job
        self.job_id: Optional[str] = job.get("id") if job else None
        self.files: List[str] = source.names()
        self.report: Dict[str, Any] = json.loads(source.read("report.json"))
        self.scores: Dict[str, Any] = json.loads(source.read("scores.json")) if "scores.json" in self.files else {}
        clusters = json.loads(source.read("clusters.json"))
        self.k: int = int(self.report.get("chosen_k", clusters.get("k")))
        self.height: int = int(self.report["height"])
        self.width: int = int(self.report["width"])
        by_k = {int(k): [Cluster.from_json(c) for c in cs] for k, cs in (clusters.get("by_k") or {}).items()}
        if self.k not in by_k:
            by_k[self.k] = [Cluster.from_json(c) for c in clusters.get("clusters", [])]
        self.clusters_by_k: Dict[int, List[Cluster]] = dict(sorted(by_k.items()))
        self.clusters: List[Cluster] = self.clusters_by_k[self.k]
        self.value_unit: Optional[str] = clusters.get("value_unit")
        self.k_values: List[int] = sorted(int(k) for k in self.report.get("k_values") or self.clusters_by_k)
        self.labels: np.ndarray = source.labels(self.k, self.k, self.height, self.width)
        self._labels_by_k: Optional[Dict[int, np.ndarray]] = None
        self._model: Optional[Dict[str, Any]] = None

    @property
    def labels_by_k(self) -> Dict[int, np.ndarray]:
        """``{K: int32 (H, W)}`` for every K tried (fetched on first use)."""
        if self._labels_by_k is None:
            self._labels_by_k = {k: (self.labels if k == self.k else self._source.labels(k, self.k, self.height, self.width))
                                 for k in self.k_values}
        return self._labels_by_k

    @property
    def model(self) -> Dict[str, Any]:
        """``model.json`` (architecture, preprocessing, weights, centroids), read on first use."""
        if self._model is None:
            self._model = json.loads(self._source.read("model.json"))
        return self._model

    @property
    def model_id(self) -> Optional[str]:
        """The stored model of a server training job (for :meth:`Client.apply`)."""
        return (self.job or {}).get("model_id")

    @property
    def scores_by_k(self) -> Dict[int, Dict[str, Any]]:
        """``{K: {silhouette, calinski_harabasz, davies_bouldin, inertia, ...}}``."""
        return {int(row["k"]): row for row in self.scores.get("scores", self.report.get("scores", []))}

    def download(self, name: str, k: Optional[int] = None) -> bytes:
        """The bytes of one result file (``labels.png``, ``spectra.png``, ...). ``k`` (a K
        tried) selects that K on ``labels.png``, ``labels.npy`` and ``clusters.json``
        (server results only)."""
        return self._source.read(name, k)

    def save(self, folder: Union[str, Path]) -> Path:
        """Writes every result file into ``folder`` (created if missing), as
        ``cubeseg segment --out`` would; :func:`load_result` reads it back."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        for name in self.files:
            if isinstance(self._source, FolderFiles):
                shutil.copyfile(self._source.folder / name, out / name)
            else:
                (out / name).write_bytes(self._source.read(name))
        return out

    def to_xarray(self) -> Any:
        """An ``xarray.Dataset``: ``labels`` (y, x), ``labels_by_k`` (k, y, x) and
        ``mean_spectrum`` (cluster, channel) of the chosen K, ``channel`` being the
        spectral axis with its ``units``. Needs ``pip install xarray``."""
        from .convert import to_xarray
        return to_xarray(self)

    def to_hyperspy(self) -> Any:
        """``(labels, spectra)``: a HyperSpy ``Signal2D`` of the chosen K's label map and a
        ``Signal1D`` of the clusters' mean spectra (navigation: cluster) with a calibrated
        signal axis. Needs ``pip install hyperspy``."""
        from .convert import to_hyperspy
        return to_hyperspy(self)

    def __repr__(self) -> str:
        where = f"job {self.job_id}" if self.job_id else str(getattr(self._source, "folder", "?"))
        return f"<cubeseg.Result {where}: {self.height} x {self.width}, K = {self.k} of {self.k_values}>"


def load_result(folder: Union[str, Path]) -> Result:
    """The result in a folder ``cubeseg segment CUBE --out DIR`` (or :meth:`Result.save`)
    wrote: ``labels.npy``, ``labels.json``, ``clusters.json``, ``scores.json``,
    ``report.json``, ``model.json``, ... No network."""
    return Result(FolderFiles(folder))
