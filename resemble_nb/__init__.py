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

from ._core.version import __version__ as __version__

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
    "resemble_nb.case": ("Case", "TeamError"),
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

if TYPE_CHECKING:  # the same names, for type checkers and editors (``X as X``: re-exported)
    from . import plots as plots
    from ._core.errors import ResembleError as ResembleError
    from .api import (
        APIConnectionError as APIConnectionError,
    )
    from .api import (
        APIStatusError as APIStatusError,
    )
    from .api import (
        APITimeoutError as APITimeoutError,
    )
    from .api import (
        AsyncClient as AsyncClient,
    )
    from .api import (
        AuthenticationError as AuthenticationError,
    )
    from .api import (
        BadRequestError as BadRequestError,
    )
    from .api import (
        BatchLimitError as BatchLimitError,
    )
    from .api import (
        Client as Client,
    )
    from .api import (
        DetectOptions as DetectOptions,
    )
    from .api import (
        FileRejectedError as FileRejectedError,
    )
    from .api import (
        InternalServerError as InternalServerError,
    )
    from .api import (
        InvalidAPIKeyError as InvalidAPIKeyError,
    )
    from .api import (
        Label as Label,
    )
    from .api import (
        MissingAPIKeyError as MissingAPIKeyError,
    )
    from .api import (
        NotFoundError as NotFoundError,
    )
    from .api import (
        OutcomeUnknownError as OutcomeUnknownError,
    )
    from .api import (
        PaymentRequiredError as PaymentRequiredError,
    )
    from .api import (
        PermissionDeniedError as PermissionDeniedError,
    )
    from .api import (
        RateLimitError as RateLimitError,
    )
    from .api import (
        UnexpectedResponseError as UnexpectedResponseError,
    )
    from .api import (
        UnknownOptionError as UnknownOptionError,
    )
    from .api import (
        UnprocessableEntityError as UnprocessableEntityError,
    )
    from .api import (
        WaitTimeoutError as WaitTimeoutError,
    )
    from .case import Case as Case
    from .case import TeamError as TeamError
    from .case._connect import connect as connect
    from .cli._doctor import doctor as doctor
    from .custody import (
        CustodyError as CustodyError,
    )
    from .custody import (
        KeyFolderError as KeyFolderError,
    )
    from .custody import (
        NotVerifiableError as NotVerifiableError,
    )
    from .custody import (
        Verification as Verification,
    )
    from .custody import (
        verify as verify,
    )
    from .engine import FatalAPIError as FatalAPIError
    from .engine import ItemStatus as ItemStatus
    from .engine import Progress as Progress
    from .engine import Run as Run
    from .engine import RunEvent as RunEvent
    from .evaluation import EvaluationError as EvaluationError
    from .ledger import (
        CaseBusyError as CaseBusyError,
    )
    from .ledger import (
        CaseFolderError as CaseFolderError,
    )
    from .ledger import (
        CaseNameError as CaseNameError,
    )
    from .ledger import (
        InvalidTransition as InvalidTransition,
    )
    from .ledger import (
        LedgerError as LedgerError,
    )
    from .ledger import (
        LedgerVersionError as LedgerVersionError,
    )
    from .ledger import (
        NotALedgerError as NotALedgerError,
    )
    from .ledger import (
        ReadOnlyLedgerError as ReadOnlyLedgerError,
    )
    from .report import UnsafeReportError as UnsafeReportError
    from .widgets import FilePicker as FilePicker
    from .widgets import JobBoard as JobBoard
    from .widgets import TriageBoard as TriageBoard
    from .widgets import UploadPicker as UploadPicker

__all__ = sorted([*_LAZY, "__version__", "plots", "sample_media"])
"""What ``from resemble_nb import *`` gives: every lazy name, ``plots`` and the two above."""


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
