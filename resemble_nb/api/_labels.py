"""Verdict labels and scores, normalised once.

The API spells its verdicts in many ways (``fake``, ``Fake``, ``Likely fake``,
``Likely Fake``, ``Neutral/Uncertain``, ``Likely real``, ``real``...) and sends
scores as numbers or strings (``0.8``, ``"0.80"``, ``"90%"``). This module
turns them into one ordered five-step :class:`Label` scale and plain floats.

>>> parse_label("Likely Fake")
<Label.LIKELY_FAKE: 'likely_fake'>
>>> parse_label("Neutral/Uncertain") < Label.FAKE
True
>>> parse_score("0.80"), parse_score("90%"), parse_percent("90.0")
(0.8, 0.9, 0.9)
"""

from __future__ import annotations

import enum
import math
import re
from typing import Any, NamedTuple

__all__ = [
    "LABELS",
    "SCORE_BANDS",
    "Label",
    "ScoreBand",
    "parse_label",
    "parse_percent",
    "parse_score",
    "score_band",
]


class Label(str, enum.Enum):
    """The five-step verdict scale, ordered from real to fake.

    ``Label.REAL < Label.LIKELY_REAL < Label.UNCERTAIN < Label.LIKELY_FAKE < Label.FAKE``.
    Members are strings (``Label.FAKE == "fake"``), so they sort and group well in pandas:

    >>> import pandas as pd
    >>> pd.Categorical(["fake", "real"], categories=Label.order(), ordered=True).max()
    'fake'

    A label the scale does not know is never guessed: the parsed ``label`` is ``None``
    and the server's wording stays in ``label_raw``.
    """

    REAL = "real"
    LIKELY_REAL = "likely_real"
    UNCERTAIN = "uncertain"
    LIKELY_FAKE = "likely_fake"
    FAKE = "fake"

    @property
    def rank(self) -> int:
        """Position on the scale: 0 for ``REAL`` up to 4 for ``FAKE``."""
        return _RANK[self]

    @property
    def words(self) -> str:
        """The label in plain words for people: ``"Likely fake"``, ``"Uncertain"``..."""
        return _WORDING[self]

    @classmethod
    def order(cls) -> list[str]:
        """The values from most real to most fake, for ``pd.Categorical(categories=...)``."""
        return [member.value for member in cls]

    def __str__(self) -> str:
        return self.value

    def _compare(self, other: object) -> int | None:
        if isinstance(other, Label):
            return self.rank - other.rank
        return None

    def __lt__(self, other: object) -> bool:
        diff = self._compare(other)
        if diff is None:
            return NotImplemented
        return diff < 0

    def __le__(self, other: object) -> bool:
        diff = self._compare(other)
        if diff is None:
            return NotImplemented
        return diff <= 0

    def __gt__(self, other: object) -> bool:
        diff = self._compare(other)
        if diff is None:
            return NotImplemented
        return diff > 0

    def __ge__(self, other: object) -> bool:
        diff = self._compare(other)
        if diff is None:
            return NotImplemented
        return diff >= 0

    # str's __hash__ is kept so members stay usable as dict keys next to plain strings.
    __hash__ = str.__hash__


_RANK: dict[Label, int] = {member: index for index, member in enumerate(Label)}
_WORDING: dict[Label, str] = {
    Label.REAL: "Real",
    Label.LIKELY_REAL: "Likely real",
    Label.UNCERTAIN: "Uncertain",
    Label.LIKELY_FAKE: "Likely fake",
    Label.FAKE: "Fake",
}

LABELS: tuple[str, ...] = tuple(Label.order())
"""The five-step scale's values, most real first: the one list every layer uses."""


class ScoreBand(NamedTuple):
    """One band of Resemble's guidance for reading a score: ``low <= score < high``.

    ``label`` is the step of the five-step scale whose colour and words the band shares,
    so a point coloured by its band and the band behind it always agree.
    """

    low: float
    high: float
    reading: str
    label: Label


SCORE_BANDS: tuple[ScoreBand, ...] = (
    ScoreBand(0.0, 0.3, "authentic", Label.REAL),
    ScoreBand(0.3, 0.5, "inconclusive", Label.UNCERTAIN),
    ScoreBand(0.5, 0.7, "likely synthetic", Label.LIKELY_FAKE),
    ScoreBand(0.7, 1.0, "high-confidence synthetic", Label.FAKE),
)
"""Resemble's score bands (interpretation guidance, not part of the API contract).

The guidance is one table for every media type: an audio score of 0.37 is inconclusive
even where the API's binary audio label says ``real``. Plots, the report and the triage
board all read this one table.
"""


def score_band(score: Any) -> ScoreBand | None:
    """The guidance band a score falls in (``None`` for no score); 1.0 is in the top band.

    >>> score_band(0.37).reading, score_band("0.7").reading
    ('inconclusive', 'high-confidence synthetic')
    """
    number = parse_score(score)
    if number is None:
        return None
    for band in SCORE_BANDS:
        if number < band.high:
            return band
    return SCORE_BANDS[-1]


# Wording -> label, after lower-casing and collapsing separators to single spaces.
_WORDS: dict[str, Label] = {
    "real": Label.REAL,
    "likely real": Label.LIKELY_REAL,
    "uncertain": Label.UNCERTAIN,
    "neutral": Label.UNCERTAIN,
    "neutral uncertain": Label.UNCERTAIN,
    "uncertain neutral": Label.UNCERTAIN,
    "likely fake": Label.LIKELY_FAKE,
    "fake": Label.FAKE,
}

_SEPARATORS = re.compile(r"[\s_/\-]+")


def parse_label(value: Any) -> Label | None:
    """Map any wording of a verdict onto :class:`Label`, or ``None`` if it is not one.

    Case, spaces, underscores, hyphens and slashes do not matter, so ``"Likely fake"``,
    ``"likely_fake"`` and ``"LIKELY-FAKE"`` are all ``Label.LIKELY_FAKE``;
    ``"Neutral/Uncertain"``, ``"neutral"`` and ``"uncertain"`` are ``Label.UNCERTAIN``.
    Anything else (``None``, ``""``, booleans, unknown words) gives ``None``: a missing
    or unreadable verdict is never turned into "real".
    """
    if isinstance(value, Label):
        return value
    if not isinstance(value, str):
        return None
    key = _SEPARATORS.sub(" ", value.strip().lower()).strip()
    return _WORDS.get(key)


def label_text(value: Any) -> str | None:
    """The server's label as a string for ``label_raw`` (``None`` when absent)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return str(value)


def parse_score(value: Any) -> float | None:
    """A score as a float, whether the API sent a number or a string.

    ``0.8``, ``"0.80"`` and ``" 0.8 "`` give ``0.8``; a percent string such as ``"90%"``
    gives ``0.9``. ``None``, booleans, empty or unreadable strings and non-finite values
    give ``None``. Numbers are otherwise kept as sent (no clamping).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        percent = text.endswith("%")
        if percent:
            text = text[:-1].strip()
        try:
            number = float(text)
        except ValueError:
            return None
        if percent:
            number /= 100.0
    else:
        return None
    if not math.isfinite(number):
        return None
    return number


def parse_percent(value: Any) -> float | None:
    """A ``certainty (%)`` value (``"90.0"``, ``"90%"``, ``90``) as a fraction (``0.9``)."""
    if isinstance(value, str) and value.strip().endswith("%"):
        return parse_score(value)
    number = parse_score(value)
    return None if number is None else number / 100.0


def parse_certainty(fraction: Any, percent: Any = None) -> float | None:
    """Certainty as a 0-1 fraction from ``certainty`` or, failing that, ``certainty (%)``.

    A ``certainty`` above 1 can only be a percentage and is divided by 100.
    """
    number = parse_score(fraction)
    if number is not None:
        return number / 100.0 if 1.0 < number <= 100.0 else number
    return parse_percent(percent)
