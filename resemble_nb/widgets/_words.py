"""Plain words for people; the machine names stay in frames, ledgers and titles.

The words themselves live low in the layers (``api.Label.words``, ``ledger.VERDICT_WORDS``);
this module only looks them up for the widgets.

>>> words("confirmed_fake"), words("likely_real")
('Confirmed fake', 'Likely real')
"""

from __future__ import annotations

from collections.abc import Mapping

from ..api import Label
from ..ledger import VERDICT_WORDS

__all__ = ["LABEL_WORDS", "VERDICT_WORDS", "words"]

LABEL_WORDS: Mapping[str, str] = {label.value: label.words for label in Label}


def words(name: str | None) -> str:
    """A label or verdict in plain words (unknown names come back with ``_`` as spaces)."""
    if not name:
        return ""
    verdicts: Mapping[str, str] = {str(k): v for k, v in VERDICT_WORDS.items()}
    found = LABEL_WORDS.get(name) or verdicts.get(name)
    return found or name.replace("_", " ").capitalize()
