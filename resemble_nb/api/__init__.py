"""HTTP client for Resemble AI's deepfake detection API (v2), sync and async.

This layer owns the wire: ``Client`` and ``AsyncClient`` from one definition of each
endpoint, typed errors per status, retries, timeouts, size caps, and parsed models that
keep the raw JSON. It must not know about files beyond streaming them, nor about
ledgers, cases or widgets.

>>> from resemble_nb.api import Client
>>> with Client() as client:                       # doctest: +SKIP
...     job = client.detect(file="call.wav", wait=True)
...     job.label, job.score
(<Label.LIKELY_FAKE: 'likely_fake'>, 0.71)

See :class:`Client` for the methods, :mod:`resemble_nb.api.models` for what they
return and :mod:`resemble_nb.api.errors` for what they raise.
"""

from __future__ import annotations

from ._analysis import FEEDBACK_TYPES, Feedback, ListPage, Question, SourceTrace
from ._async_client import AsyncClient
from ._base import DEFAULT_BASE_URL, ClientStats
from ._bounded import MAX_RESPONSE_BYTES
from ._client import Client
from ._findings import Artifact, C2PAManifest, Findings, Watermark
from ._formats import MEDIA_EXTENSIONS
from ._labels import (
    LABELS,
    SCORE_BANDS,
    Label,
    ScoreBand,
    parse_label,
    parse_percent,
    parse_score,
    score_band,
)
from ._limits import (
    MAX_BATCH_BYTES,
    MAX_BATCH_FILES,
    MAX_DIRECT_UPLOAD_BYTES,
    MAX_WATERMARK_BYTES,
    MB,
)
from ._options import ADDABLE_ANALYSES, ANALYSIS_OPTIONS, DETECTION_OPTIONS, DetectOptions
from ._page import DetectionPage, Page
from ._retry import MAX_RETRY_AFTER, parse_retry_after, retry_delay
from ._secret import Secret
from ._transport import async_http_client, http_client
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BatchLimitError,
    FileRejectedError,
    InternalServerError,
    InvalidAPIKeyError,
    MissingAPIKeyError,
    NotFoundError,
    OutcomeUnknownError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    ResembleError,
    UnexpectedResponseError,
    UnknownOptionError,
    UnprocessableEntityError,
    WaitTimeoutError,
)
from .models import (
    AudioMetrics,
    AudioSourceTracing,
    Batch,
    Detection,
    ImageMetrics,
    Intelligence,
    MediaToken,
    ReverseSearchSource,
    Segment,
    VideoFrame,
    VideoMetrics,
)

__all__ = [
    "ADDABLE_ANALYSES",
    "ANALYSIS_OPTIONS",
    "DEFAULT_BASE_URL",
    "DETECTION_OPTIONS",
    "FEEDBACK_TYPES",
    "LABELS",
    "MAX_BATCH_BYTES",
    "MAX_BATCH_FILES",
    "MAX_DIRECT_UPLOAD_BYTES",
    "MAX_RESPONSE_BYTES",
    "MAX_RETRY_AFTER",
    "MAX_WATERMARK_BYTES",
    "MB",
    "MEDIA_EXTENSIONS",
    "SCORE_BANDS",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "Artifact",
    "AsyncClient",
    "AudioMetrics",
    "AudioSourceTracing",
    "AuthenticationError",
    "BadRequestError",
    "Batch",
    "BatchLimitError",
    "C2PAManifest",
    "Client",
    "ClientStats",
    "DetectOptions",
    "Detection",
    "DetectionPage",
    "Feedback",
    "FileRejectedError",
    "Findings",
    "ImageMetrics",
    "Intelligence",
    "InternalServerError",
    "InvalidAPIKeyError",
    "Label",
    "ListPage",
    "MediaToken",
    "MissingAPIKeyError",
    "NotFoundError",
    "OutcomeUnknownError",
    "Page",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "Question",
    "RateLimitError",
    "ResembleError",
    "ReverseSearchSource",
    "ScoreBand",
    "Secret",
    "Segment",
    "SourceTrace",
    "UnexpectedResponseError",
    "UnknownOptionError",
    "UnprocessableEntityError",
    "VideoFrame",
    "VideoMetrics",
    "WaitTimeoutError",
    "Watermark",
    "async_http_client",
    "http_client",
    "parse_label",
    "parse_percent",
    "parse_retry_after",
    "parse_score",
    "retry_delay",
    "score_band",
]
