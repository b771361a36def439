"""The case's custody verbs (exhibit, bundle, verify, the report's custody part).

``Case`` keeps one-line methods; the work is here, over the custody layer.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._base import CaseBase
from ._reviewer import ReviewerFallbackWarning, pick_reviewer

if TYPE_CHECKING:
    from ..custody import Exhibit, ReportCustody, ReviewerKey, Verification

__all__ = [
    "ReviewerFallbackWarning",
    "cut",
    "exhibit_rows",
    "prepare_report",
    "report_custody",
    "signer_name",
    "write_bundle",
]

EXHIBITS_FOLDER = "exhibits"


def signer_name(case: CaseBase, reviewer: str | None = None) -> str:
    """Who signs a report or a bundle: the one reviewer rule (see :mod:`._reviewer`)."""
    return pick_reviewer(case.folder, reviewer)


def cut(case: CaseBase, item: str | os.PathLike[str], start: float, end: float | None,
        still: bool) -> Exhibit:  # fmt: skip
    from ..custody import CustodyError, cut_exhibit

    sha = case.item_key(item)
    found = case.ledger.item(sha)
    assert found is not None
    present = [p.path for p in found.paths if p.path.is_file()]
    if not present:
        name = found.paths[0].name if found.paths else sha
        raise CustodyError(f"{name}: no copy of this item's file is here to cut an exhibit from")
    return cut_exhibit(
        case.ledger,
        sha256=sha,
        source=present[0],
        source_name=found.paths[0].name,
        media_type=found.media_type,
        start=start,
        end=end,
        still=still,
        folder=case.folder / EXHIBITS_FOLDER,
    )


def exhibit_rows(case: CaseBase) -> list[dict[str, Any]]:
    """The case's exhibits as the report's custody appendix shows them (with a picture)."""
    from ..custody import exhibit_picture

    names = case.ledger.item_names()
    return [
        {
            "name": Path(e.path).name,
            "kind": e.kind,
            "sha256": e.sha256,
            "source": names.get(e.source_sha256, e.source_sha256[:12]),
            "source_sha256": e.source_sha256,
            "start_s": e.start_s,
            "end_s": e.end_s,
            "size": e.size,
            "tool": _tool_text(e.tool),
            "picture": exhibit_picture(Path(e.path), e.kind),
            "path": str(e.path),
        }
        for e in case.ledger.exhibits()
    ]


def _tool_text(tool: str) -> str:
    try:
        facts = json.loads(tool)
    except ValueError:
        return tool
    return (
        f"{facts.get('name', '?')} {facts.get('version', '')}, "
        f"{facts.get('library', '?')} {facts.get('library_version', '')}"
    )


def prepare_report(
    case: CaseBase, *, threshold: float, reviewer: str | None, exhibits: bool
) -> ReviewerKey:
    """What a report writes before it reads: the flagged items' exhibits (cut once) and the
    signer's public key; returns the key that signs the report."""
    from ..custody import flagged_exhibits, reviewer_key
    from ..report import flag_reasons

    if exhibits:
        flagged_exhibits(
            case.ledger,
            case.results(),
            case.segments(),
            flagged=lambda row: bool(flag_reasons(row, threshold)),
            folder=case.folder / EXHIBITS_FOLDER,
        )
    key = reviewer_key(signer_name(case, reviewer))
    if key.fingerprint not in case.ledger.signers():
        case.ledger.add_signer(key.fingerprint, key.reviewer, key.public_key)
    return key


def report_custody(case: CaseBase, key: ReviewerKey) -> ReportCustody:
    """The report's custody part (manifest, appendix): reads only, so it can be built
    inside the report's read snapshot."""
    from ..custody import ReportCustody
    from ._pictures import embed_exhibits

    custody = ReportCustody(case.ledger, case.name, key)
    rows = exhibit_rows(case)
    embed_exhibits(rows)  # each clip plays from the report itself, within the budget
    custody.context["exhibits"] = rows
    return custody


def write_bundle(case: CustodyVerbs, path: str | os.PathLike[str], reviewer: str | None) -> Path:
    from ..custody import reviewer_key
    from ..custody import write_bundle as write
    from ..ledger import ReadOnlyLedgerError

    if case.ledger.read_only:  # its report could not be signed: the bundle would not verify
        raise ReadOnlyLedgerError(
            f"{case.folder}: the case is read-only, so its report cannot be signed and the "
            "case cannot record the handover; copy the case folder somewhere writable "
            "and bundle the copy (resemble-nb report -o FILE still works here)"
        )
    key = reviewer_key(signer_name(case, reviewer))
    return write(
        case.ledger,
        case.name,
        lambda target: case.report(target, reviewer=key.reviewer),
        Path(path),
        key,
    )


class CustodyVerbs(CaseBase):
    """``exhibit()``, ``bundle()``, ``verify()``: the custody verbs ``Case`` inherits."""

    if TYPE_CHECKING:  # Case's report (signed), which the bundle carries

        def report(
            self,
            path: str | os.PathLike[str] | None = None,
            *,
            reviewer: str | None = None,
            exhibits: bool = True,
            **options: Any,
        ) -> Path: ...

    def exhibit(
        self,
        item: str | os.PathLike[str],
        start: float,
        end: float | None = None,
        *,
        still: bool = False,
    ) -> Exhibit:
        """Cut a clip (``start``..``end`` seconds) or a still from an item, with its lineage.

        The file goes to ``exhibits/`` in the case folder; its SHA-256, the source's
        SHA-256, the offsets and the tool are recorded and chained.
        """
        return cut(self, item, start, end, still)

    def bundle(self, path: str | os.PathLike[str], *, reviewer: str | None = None) -> Path:
        """Write the handover bundle (report, ledger, exhibits, public keys, manifest)."""
        return write_bundle(self, path, reviewer)

    def verify(self, *, trust: Any = None) -> Verification:
        """Check the case's custody record and re-hash its media (see ``rnb.verify``)."""
        from ..custody import verify

        return verify(self.folder, trust=trust)
