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

from ._core.version import __version__

_PUBLIC: dict[str, tuple[str, ...]] = {
    "resemble_nb.case._connect": ("connect",),
    "resemble_nb.cli._doctor": ("doctor",),
    "resemble_nb._core.errors": ("ResembleError",),
    "resemble_nb.api": (
        "APIConnectionError",
        "APIStatusError",
        "APITimeoutError",
        "AsyncClient",
        "AuthenticationError",
        "BadRequestError",
        "BatchLimitError",
        "Client",
        "DetectOptions",
        "FileRejectedError",
        "InternalServerError",
        "InvalidAPIKeyError",
        "Label",
        "MissingAPIKeyError",
        "NotFoundError",
        "OutcomeUnknownError",
        "PaymentRequiredError",
        "PermissionDeniedError",
        "RateLimitError",
        "UnexpectedResponseError",
        "UnknownOptionError",
        "UnprocessableEntityError",
        "WaitTimeoutError",
    ),
    "resemble_nb.case": ("Case",),
    "resemble_nb.custody": (
        "CustodyError",
        "KeyFolderError",
        "NotVerifiableError",
        "Verification",
        "verify",
    ),
    "resemble_nb.evaluation": ("EvaluationError",),
    "resemble_nb.engine": ("FatalAPIError", "ItemStatus", "Progress", "Run", "RunEvent"),
    "resemble_nb.ledger": (
        "CaseBusyError",
        "CaseFolderError",
        "CaseNameError",
        "InvalidTransition",
        "LedgerError",
        "LedgerVersionError",
        "NotALedgerError",
        "ReadOnlyLedgerError",
    ),
    "resemble_nb.report": ("UnsafeReportError",),
    "resemble_nb.widgets": ("FilePicker", "JobBoard", "TriageBoard", "UploadPicker"),
}
"""The one list of public names, by the module each is imported from on first use."""

_LAZY: dict[str, str] = {name: module for module, names in _PUBLIC.items() for name in names}
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
    "custody",
}

if TYPE_CHECKING:  # the same names, for type checkers and editors
    from . import plots
    from ._core.errors import ResembleError
    from .api import (
        APIConnectionError,
        APIStatusError,
        APITimeoutError,
        AsyncClient,
        AuthenticationError,
        BadRequestError,
        BatchLimitError,
        Client,
        DetectOptions,
        FileRejectedError,
        InternalServerError,
        InvalidAPIKeyError,
        Label,
        MissingAPIKeyError,
        NotFoundError,
        OutcomeUnknownError,
        PaymentRequiredError,
        PermissionDeniedError,
        RateLimitError,
        UnexpectedResponseError,
        UnknownOptionError,
        UnprocessableEntityError,
        WaitTimeoutError,
    )
    from .case import Case
    from .case._connect import connect
    from .cli._doctor import doctor
    from .custody import (
        CustodyError,
        KeyFolderError,
        NotVerifiableError,
        Verification,
        verify,
    )
    from .engine import FatalAPIError, ItemStatus, Progress, Run, RunEvent
    from .evaluation import EvaluationError
    from .ledger import (
        CaseBusyError,
        CaseFolderError,
        CaseNameError,
        InvalidTransition,
        LedgerError,
        LedgerVersionError,
        NotALedgerError,
        ReadOnlyLedgerError,
    )
    from .report import UnsafeReportError
    from .widgets import FilePicker, JobBoard, TriageBoard, UploadPicker

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "BatchLimitError",
    "Case",
    "CaseBusyError",
    "CaseFolderError",
    "CaseNameError",
    "Client",
    "CustodyError",
    "DetectOptions",
    "EvaluationError",
    "FatalAPIError",
    "FilePicker",
    "FileRejectedError",
    "InternalServerError",
    "InvalidAPIKeyError",
    "InvalidTransition",
    "ItemStatus",
    "JobBoard",
    "KeyFolderError",
    "Label",
    "LedgerError",
    "LedgerVersionError",
    "MissingAPIKeyError",
    "NotALedgerError",
    "NotFoundError",
    "NotVerifiableError",
    "OutcomeUnknownError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "Progress",
    "RateLimitError",
    "ReadOnlyLedgerError",
    "ResembleError",
    "Run",
    "RunEvent",
    "TriageBoard",
    "UnexpectedResponseError",
    "UnknownOptionError",
    "UnprocessableEntityError",
    "UnsafeReportError",
    "UploadPicker",
    "Verification",
    "WaitTimeoutError",
    "__version__",
    "connect",
    "doctor",
    "plots",
    "sample_media",
    "verify",
]


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
