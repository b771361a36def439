"""Custody anyone can verify: the signed event chain, ``verify``, exhibits and bundles.

The ledger chains every event that matters by hash (see :mod:`resemble_nb.ledger`); this
layer signs it with each reviewer's Ed25519 key (kept outside the case), checks it, cuts
exhibits with their lineage and writes handover bundles. It must not talk HTTP, nor keep
a private key inside a case.

>>> result = rnb.verify("cases/acme")          # doctest: +SKIP
>>> result.ok                                  # doctest: +SKIP
True
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import CustodyError
from ._keys import KeyFolderError, ReviewerKey, key_folder, reviewer_key
from ._rebuilt import close_history
from ._report import ReportCustody, verify_report
from ._result import Check, Verification
from ._sign import case_signer, key_signer, sign_event
from ._verify_case import verify_case
from .bundle import verify_bundle, write_bundle
from .exhibits import Exhibit, cut_exhibit

__all__ = [
    "Check",
    "CustodyError",
    "Exhibit",
    "KeyFolderError",
    "NotVerifiableError",
    "ReportCustody",
    "ReviewerKey",
    "Verification",
    "case_signer",
    "close_history",
    "cut_exhibit",
    "exhibit_picture",
    "flagged_exhibits",
    "key_folder",
    "key_signer",
    "reviewer_key",
    "sign_event",
    "verify",
    "verify_bundle",
    "verify_case",
    "verify_report",
    "write_bundle",
]

if TYPE_CHECKING:
    from ._report_exhibits import exhibit_picture, flagged_exhibits

_LAZY = {"exhibit_picture", "flagged_exhibits"}
"""Names whose module needs pandas: imported on first use, so opening a case (the CLI's
``detect``) does not pull pandas in."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import _report_exhibits

        return getattr(_report_exhibits, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_LEDGER = "case.db"


def verify(
    path: str | os.PathLike[str],
    *,
    case: str | os.PathLike[str] | None = None,
    trust: Iterable[str] | None = None,
) -> Verification:
    """Verify a case folder, a report (``.html``) or a handover bundle (``.zip``).

    Args:
        path: What to check.
        case: For a report: the case folder to check it against as well.
        trust: Fingerprints (or their starts) of the reviewers you trust; any signature by
            another key is then a problem. Without it, the signers are listed for you to
            compare with the fingerprints you were given.

    Returns:
        A :class:`Verification`: ``.ok`` only when everything holds; shown as a table.
    """
    target = Path(os.fspath(path)).expanduser()
    trusted = None if trust is None else [t.replace(" ", "").lower() for t in trust]
    if target.is_dir():
        if not (target / _LEDGER).is_file():
            raise NotVerifiableError(target, f"a folder with no {_LEDGER}")
        return verify_case(target / _LEDGER, trust=trusted)
    suffix = target.suffix.lower()
    if not target.exists():
        raise NotVerifiableError(target, "no such file or folder")
    if not target.is_file():
        raise NotVerifiableError(target, "not a regular file")
    if suffix == ".zip":
        return verify_bundle(target, trust=trusted)
    if suffix in {".html", ".htm"}:
        ledger = None if case is None else Path(os.fspath(case)).expanduser() / _LEDGER
        return verify_report(target, ledger_path=ledger, trust=trusted)
    with target.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise NotVerifiableError(target, "neither a SQLite case ledger, .html nor .zip")
    return verify_case(target, trust=trusted)


class NotVerifiableError(CustodyError):
    """What was given to ``verify`` is not a case, a report or a bundle (a usage error)."""

    def __init__(self, target: Path, what: str) -> None:
        super().__init__(
            f"{target}: not a case, report or bundle ({what}); give a case folder, "
            "REPORT.html or BUNDLE.zip"
        )
