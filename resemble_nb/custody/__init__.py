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
from ._witness import Seen, check_checkpoints, read_checkpoints, witness_log, witnessed
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
    "witness_log",
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
    witness: Iterable[str | os.PathLike[str]] = (),
) -> Verification:
    """Verify a case folder, a report (``.html``) or a handover bundle (``.zip``).

    Args:
        path: What to check (a PostgreSQL case URL too: checked on an exact copy).
        case: For a report: the case folder (or URL) to check it against as well.
        trust: Fingerprints (or their starts) of the reviewers you trust; any signature by
            another key is then a problem. Without it, the signers are listed for you to
            compare with the fingerprints you were given.
        witness: Files holding checkpoints seen elsewhere (a witness log, a report, a
            bundle): a case behind one of them, or diverging from it, was rolled back,
            truncated or rewritten. This machine's own witness log is always read.

    Returns:
        A :class:`Verification`: ``.ok`` only when everything holds; shown as a table.
    """
    from ..ledger.postgresql import is_case_url

    if is_case_url(path) or is_case_url(case):  # a PostgreSQL case: check an exact copy
        return _verify_exported(str(path), case, trust, witness)
    target = Path(os.fspath(path)).expanduser()
    trusted = None if trust is None else [t.replace(" ", "").lower() for t in trust]
    seen, problems = _seen(witness)  # read before any snapshot of the case is taken
    out = _verify(target, case, trusted, seen)
    for problem in problems:
        out.fail("witness", problem)
    return out


def _verify_exported(
    path: str,
    case: str | os.PathLike[str] | None,
    trust: Iterable[str] | None,
    witness: Iterable[str | os.PathLike[str]],
) -> Verification:
    """Verify a PostgreSQL case (or a report against one) on a row-for-row SQLite copy,
    read in one snapshot of the server (``export-case``); the copy is then removed."""
    import tempfile

    from ..ledger.postgresql import is_case_url, parse_case_url
    from ..ledger.postgresql._transfer import export_case

    url = path if is_case_url(path) else str(case)
    with tempfile.TemporaryDirectory(prefix="rnb-verify-") as scratch:
        copy = Path(scratch) / "case"
        export_case(url, copy / _LEDGER)
        if is_case_url(path):
            out = verify(copy, trust=trust, witness=witness)
            out.target = parse_case_url(url).display
        else:
            out = verify(path, case=copy, trust=trust, witness=witness)
    return out


def _seen(files: Iterable[str | os.PathLike[str]]) -> tuple[list[Seen], list[str]]:
    seen, problems = [witnessed()], []
    for file in files:
        where = Path(os.fspath(file)).expanduser()
        try:
            seen.append(Seen(where.name, read_checkpoints(where)))
        except ValueError as exc:
            problems.append(str(exc))
    return seen, problems


def _verify(
    target: Path, case: str | os.PathLike[str] | None, trusted: list[str] | None, seen: list[Seen]
) -> Verification:
    if target.is_dir():
        if not (target / _LEDGER).is_file():
            raise NotVerifiableError(target, f"a folder with no {_LEDGER}")
        out = verify_case(target / _LEDGER, trust=trusted)
        check_checkpoints(out, target / _LEDGER, seen, trust=trusted)
        return out
    suffix = target.suffix.lower()
    if not target.exists():
        raise NotVerifiableError(target, "no such file or folder")
    if not target.is_file():
        raise NotVerifiableError(target, "not a regular file")
    if suffix == ".zip":
        return verify_bundle(target, trust=trusted, seen=seen)
    if suffix in {".html", ".htm"}:
        ledger = None if case is None else Path(os.fspath(case)).expanduser() / _LEDGER
        out = verify_report(target, ledger_path=ledger, trust=trusted)
        if ledger is not None:
            try:
                carried = [Seen(target.name, read_checkpoints(target))]
            except ValueError:
                carried = []  # a report from before checkpoints
            check_checkpoints(out, ledger, [*seen, *carried], trust=trusted)
        return out
    with target.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise NotVerifiableError(target, "neither a SQLite case ledger, .html nor .zip")
    out = verify_case(target, trust=trusted)
    check_checkpoints(out, target, seen, trust=trusted)
    return out


class NotVerifiableError(CustodyError):
    """What was given to ``verify`` is not a case, a report or a bundle (a usage error)."""

    def __init__(self, target: Path, what: str) -> None:
        super().__init__(
            f"{target}: not a case, report or bundle ({what}); give a case folder, "
            "REPORT.html or BUNDLE.zip"
        )
