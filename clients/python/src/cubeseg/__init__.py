"""Python client of CubeSeg, the segmentation service for spectral datacubes.

>>> import cubeseg
>>> client = cubeseg.Client("http://127.0.0.1:8080")
>>> result = client.segment("painting.npy", k_max=8)       # or a numpy array (H, W, C)
>>> result.labels.shape, result.k                          # int32 (H, W), -1 = background
>>> local = cubeseg.load_result("painting-result")         # a `cubeseg segment --out` folder
"""

__version__ = "0.1.0"

from .client import Client  # noqa: E402
from .errors import (  # noqa: E402
    BadRequest,
    Conflict,
    ConnectionFailed,
    CubeSegError,
    Forbidden,
    InsufficientStorage,
    JobCancelled,
    JobFailed,
    JobTimeout,
    NotFound,
    PayloadTooLarge,
    QueueFull,
    ServerError,
    ServiceUnavailable,
    Unauthorized,
    UnprocessableCube,
    UnsupportedMediaType,
)
from .result import Cluster, Result, load_result  # noqa: E402
from .upload import UPLOAD_FIELDS  # noqa: E402

__all__ = [
    "Client", "Result", "Cluster", "load_result", "UPLOAD_FIELDS",
    "CubeSegError", "BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict", "PayloadTooLarge",
    "UnsupportedMediaType", "UnprocessableCube", "QueueFull", "ServiceUnavailable", "InsufficientStorage",
    "ServerError", "ConnectionFailed", "JobFailed", "JobCancelled", "JobTimeout",
]
