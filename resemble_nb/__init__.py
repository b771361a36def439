"""resemble_nb: review media for deepfakes with Resemble AI's Detect API (v2) in Jupyter.

>>> import resemble_nb as rnb
>>> client = rnb.connect(sandbox="auto")                  # doctest: +SKIP
>>> case = rnb.Case("cases/acme")                         # doctest: +SKIP
>>> run = case.review(rnb.sample_media(), client=client)  # doctest: +SKIP
>>> run.wait()                                            # doctest: +SKIP
>>> case.results()                                        # doctest: +SKIP

Everything is reachable from here; the heavier parts (pandas, matplotlib, ipywidgets,
the engine) are imported on first use, so ``import resemble_nb`` stays quick.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from . import plots
    from ._connect import connect
    from .api import (
        APIConnectionError,
        APIStatusError,
        APITimeoutError,
        AsyncClient,
        AuthenticationError,
        BadRequestError,
        Client,
        Label,
        MissingAPIKeyError,
        NotFoundError,
        OutcomeUnknownError,
        PaymentRequiredError,
        PermissionDeniedError,
        RateLimitError,
        ResembleError,
    )
    from .case import Case
    from .engine import ItemStatus, Progress, Run, RunEvent
    from .ledger import LedgerError
    from .widgets import FilePicker, JobBoard, TriageBoard, UploadPicker

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "Case",
    "Client",
    "FilePicker",
    "ItemStatus",
    "JobBoard",
    "Label",
    "LedgerError",
    "MissingAPIKeyError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "Progress",
    "RateLimitError",
    "ResembleError",
    "Run",
    "RunEvent",
    "TriageBoard",
    "UploadPicker",
    "__version__",
    "connect",
    "plots",
    "sample_media",
]

_API_NAMES = {
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "Label",
    "MissingAPIKeyError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResembleError",
}
_LAZY: dict[str, str] = {
    **{name: "resemble_nb.api" for name in _API_NAMES},
    "connect": "resemble_nb._connect",
    "Case": "resemble_nb.case",
    "Run": "resemble_nb.engine",
    "ItemStatus": "resemble_nb.engine",
    "Progress": "resemble_nb.engine",
    "RunEvent": "resemble_nb.engine",
    "LedgerError": "resemble_nb.ledger",
    "FilePicker": "resemble_nb.widgets",
    "UploadPicker": "resemble_nb.widgets",
    "JobBoard": "resemble_nb.widgets",
    "TriageBoard": "resemble_nb.widgets",
}
_MODULES = {
    "plots",
    "frames",
    "report",
    "media",
    "api",
    "ledger",
    "engine",
    "widgets",
    "evaluation",
}


def sample_media() -> Path:
    """The folder of bundled sample media (speech, voicemail, images, a video, and two
    files that show how damaged and unsupported files are reported)."""
    return Path(__file__).resolve().parent / "samples"


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _MODULES:
        value = importlib.import_module(f"resemble_nb.{name}")
    else:
        raise AttributeError(f"module 'resemble_nb' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _MODULES)
