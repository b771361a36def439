"""Behaviours the docs allow but do not promise (contract §11), switchable while serving.

Each is set from ``SandboxConfig`` (so ``Sandbox(...)`` keywords and ``resemble-nb
sandbox`` flags) and changed at run time through ``POST /_sandbox/modes``:

``list_order``
    ``GET /detect`` order: ``newest`` first (default), ``oldest`` first, or ``shuffled``
    (a fixed pseudo-random order from the seed, stable across pages; new detects land
    anywhere in it). The docs state no order.
``intelligence_lag`` / ``watermark_lag`` / ``tracing_lag``
    When an analysis finishes after its detect completed (audio source tracing, only
    run for fake audio as the docs say, is absent from the item until then): ``none``
    (with the detect), ``time:S`` (S seconds later on the sandbox clock) or ``polls:N``
    (after N more reads of the detect: its own GET, a list page or a batch status
    holding it).
``intelligence_fail`` / ``watermark_fail`` / ``tracing_fail``
    The share of analyses (0 to 1) that end ``failed`` with an ``error_message`` (a failed
    tracing is ``{label: null, error_message}``); which
    ones is decided by the content hash and the seed, so the same bytes always fail.
``single_use_tokens``
    A media token serves one create; a second is refused with 400 and
    ``errors: {"media_token": [...]}``, ``error_code: "media_token_used"``.
``create_status``
    Whether create answers carry ``status`` (the docs' create examples have none).
``retry_after``
    Whether a 429 carries ``Retry-After`` (none is documented; off by default).
``visual_artifacts``
    How image heatmaps are sent: ``inline`` ``data:`` URIs (default), or pre-signed-like
    ``url``s that serve the image, a 404 (``url_404``), HTML (``url_html``), 12 MB
    (``url_huge``), a redirect to a metadata address (``url_redirect``) or a URL on a
    private address (``url_private``); see :mod:`.artifacts`.
``hostile``
    Answers that attack the reviewer's browser: markup in every text field, heatmaps
    whose media type breaks out of an attribute, ``javascript:`` links, a megabyte of
    text (see :mod:`.hostile`). Off by default.

Modes are read when a detect is created: changing one affects later detects (and, for
list order, tokens and headers, later requests).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

__all__ = ["LIST_ORDERS", "Modes", "fails", "parse_lag"]

LIST_ORDERS = ("newest", "oldest", "shuffled")
VISUAL_ARTIFACTS = (
    "inline", "url", "url_404", "url_html", "url_huge", "url_redirect", "url_private",
)  # fmt: skip
"""How heatmaps are sent (the same list as :data:`.artifacts.VISUAL_ARTIFACTS`)."""


def parse_lag(value: str) -> tuple[str, float]:
    """Split an analysis lag into its mode and amount.

    >>> parse_lag("polls:3"), parse_lag("time:2.5"), parse_lag("none")
    (('polls', 3.0), ('time', 2.5), ('none', 0.0))
    """
    text = str(value).strip().lower()
    if text in ("none", "", "0"):
        return "none", 0.0
    mode, _, amount = text.partition(":")
    try:
        number = float(amount)
    except ValueError:
        number = -1.0
    if mode == "polls" and number >= 0 and number.is_integer():
        return "polls", number
    if mode == "time" and number >= 0 and math.isfinite(number):
        return "time", number
    raise ValueError(f"an analysis lag must be 'none', 'time:SECONDS' or 'polls:N', got {value!r}")


def fails(share: float, seed: int, kind: str, sha256: str) -> bool:
    """Whether the ``kind`` analysis of this content fails, for a failing ``share``.

    >>> fails(0.0, 0, "intelligence", "ab"), fails(1.0, 0, "intelligence", "ab")
    (False, True)
    """
    if share <= 0:
        return False
    if share >= 1:
        return True
    digest = hashlib.sha256(f"{seed}:{kind}:{sha256}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def _share(name: str, value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)) and 0 <= value <= 1:
        return float(value)
    raise ValueError(f"{name} must be a share from 0 to 1 (or true/false), got {value!r}")


def _flag(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"{name} must be true or false, got {value!r}")


@dataclass
class Modes:
    """The current modes; see the module docstring.

    >>> m = Modes(list_order="oldest")
    >>> m.update({"intelligence_lag": "polls:2"}).intelligence_lag
    'polls:2'
    """

    list_order: str = "newest"
    intelligence_lag: str = "none"
    intelligence_fail: float = 0.0
    watermark_lag: str = "none"
    watermark_fail: float = 0.0
    tracing_lag: str = "none"
    tracing_fail: float = 0.0
    single_use_tokens: bool = False
    create_status: bool = True
    retry_after: bool = False
    visual_artifacts: str = "inline"
    hostile: bool = False

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Raise ``ValueError`` naming the first bad setting; normalise the rest."""
        if self.list_order not in LIST_ORDERS:
            raise ValueError(
                f"list_order must be one of {', '.join(LIST_ORDERS)}, got {self.list_order!r}"
            )
        for name in ("intelligence_lag", "watermark_lag", "tracing_lag"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise ValueError(f"{name} must be a string like 'polls:2', got {value!r}")
            try:
                parse_lag(value)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
            setattr(self, name, value.strip().lower() or "none")
        self.intelligence_fail = _share("intelligence_fail", self.intelligence_fail)
        self.watermark_fail = _share("watermark_fail", self.watermark_fail)
        self.tracing_fail = _share("tracing_fail", self.tracing_fail)
        for name in ("single_use_tokens", "create_status", "retry_after", "hostile"):
            _flag(name, getattr(self, name))
        if self.visual_artifacts not in VISUAL_ARTIFACTS:
            raise ValueError(
                f"visual_artifacts must be one of {', '.join(VISUAL_ARTIFACTS)}, "
                f"got {self.visual_artifacts!r}"
            )

    def update(self, changes: Mapping[str, Any]) -> Modes:
        """Apply some settings at once (all or none); unknown names are refused."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown mode {unknown[0]!r}; known: {', '.join(sorted(known))}")
        candidate = Modes(**{**asdict(self), **dict(changes)})
        for name in known:
            setattr(self, name, getattr(candidate, name))
        return self

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_config(cls, config: Any) -> Modes:
        """The modes named by a ``SandboxConfig``'s fields of the same names."""
        return cls(**{f.name: getattr(config, f.name) for f in fields(cls)})
