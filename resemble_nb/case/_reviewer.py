"""Who acts: one rule for decisions, labels, thresholds, questions, reports and bundles.

The name given, else ``RESEMBLE_NB_REVIEWER``, else the name confirmed for this case on
the triage board, else the computer's user name (with a visible warning, since nobody
said who is reviewing).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from .._core.errors import ResembleError

if TYPE_CHECKING:
    from ..ledger import Ledger

__all__ = ["ReviewerFallbackWarning", "install_custody", "pick_reviewer"]


class ReviewerFallbackWarning(ResembleError, UserWarning):
    """No reviewer was named: the computer's user name stands in (said, never silent)."""


def _confirmed(folder: Path) -> str | None:
    from ..widgets._triage_state import load_state, os_user

    named = (load_state(folder).get("reviewers") or {}).get(os_user())
    return named.strip() if isinstance(named, str) and named.strip() else None


def pick_reviewer(folder: Path, explicit: str | None = None) -> str:
    """The reviewer by the one rule (see the module's docstring)."""
    if explicit is not None and explicit.strip():
        return explicit.strip()
    from ..widgets._triage_state import REVIEWER_ENV

    named = os.environ.get(REVIEWER_ENV, "").strip()
    if named:
        return named
    confirmed = _confirmed(folder)
    if confirmed:
        return confirmed
    from ..ledger import default_reviewer

    user = default_reviewer()
    warnings.warn(
        f"no reviewer named (no reviewer= given, {REVIEWER_ENV} is not set and no name was "
        f"confirmed on the triage board), so this is recorded and signed as the computer's "
        f"user {user!r}; pass reviewer='name' or set {REVIEWER_ENV}",
        ReviewerFallbackWarning,
        stacklevel=3,
    )
    return user


def install_custody(ledger: Ledger, folder: Path) -> None:
    """The case's ledger signs what people answer for, by the one reviewer rule.

    Decisions, labels, thresholds, exhibits, feedback and renames are signed inside the
    write that records them; a migrated ledger's rebuilt history is closed once by a
    signed checkpoint (see :mod:`resemble_nb.custody._rebuilt`).
    """
    from ..custody import case_signer, close_history

    def rule() -> str:
        return pick_reviewer(folder)

    ledger.reviewer_rule = rule
    ledger.event_signer = case_signer(rule)
    if not ledger.read_only:
        close_history(ledger, rule)
