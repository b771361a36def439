"""Settings of one sandbox instance (stdlib only, so the CLI can import it cheaply)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

__all__ = ["MB", "FaultsSetting", "SandboxConfig", "WalletSetting"]

#: A fault spec string (``"POST /detect:500@0.1,*:drop@0.02"``) or a list of rules.
FaultsSetting: TypeAlias = "str | Sequence[str | Mapping[str, Any]] | None"
#: Wallet in cents for every team, or per API key; ``None`` means unlimited.
WalletSetting: TypeAlias = "float | Mapping[str, float] | None"

MB = 1_000_000
"""A megabyte as the docs write the caps (decimal). The sandbox keeps its own copy of the
documented limits, written from the contract; a test checks it agrees with the client's."""


def _random_key() -> str:
    return "sandbox_" + secrets.token_hex(16)


@dataclass
class SandboxConfig:
    """How a sandbox behaves.

    >>> cfg = SandboxConfig(api_keys=("team_a_key",), progress="polls:2")
    >>> cfg.api_keys
    ('team_a_key',)

    ``progress`` is ``"immediate"``, ``"time"`` (jobs finish ``latency`` seconds after
    creation) or ``"polls:N"`` (jobs finish after N reads); left unset it is ``"time"``
    when ``latency`` is above 0, else ``"immediate"``. ``rate_limit`` is requests per
    second per key (``None`` or ``0`` disables it). ``clock`` returns epoch seconds and is
    used for token expiry and ``time`` progress; tests inject one to expire tokens.
    ``batch_order`` is the order of a batch's ``detect_uuids``: ``"files"`` (the order the
    files were sent) or ``"sorted"`` (by uuid, so not the file order: the contract does
    not promise one, and clients must not rely on it). ``answers`` is how questions
    about a detect (``POST /detects/{uuid}/intelligence``) end: ``"complete"`` with a
    synthetic answer, or ``"fail"`` with an ``error_message``.

    ``list_order``, ``intelligence_lag``, ``intelligence_fail``, ``watermark_lag``,
    ``watermark_fail``, ``tracing_lag``, ``tracing_fail``, ``single_use_tokens``,
    ``create_status``, ``retry_after`` and ``visual_artifacts`` (and ``hostile``) are the
    behaviours the docs allow but do not promise (see :mod:`.modes`); they can also be
    changed while serving (``POST /_sandbox/modes``).
    """

    api_keys: Sequence[str] = ()
    latency: float = 0.0
    progress: str | None = None
    rate_limit: float | None = 40.0
    faults: FaultsSetting = None
    seed: int = 0
    wallet_cents: WalletSetting = None
    retry_after: bool = False
    batch_order: str = "files"
    list_order: str = "newest"
    intelligence_lag: str = "none"
    intelligence_fail: float = 0.0
    watermark_lag: str = "none"
    watermark_fail: float = 0.0
    tracing_lag: str = "none"
    tracing_fail: float = 0.0
    single_use_tokens: bool = False
    create_status: bool = True
    visual_artifacts: str = "inline"
    hostile: bool = False
    clock: Callable[[], float] | None = None
    # Limits, as documented; tests may lower them.
    max_direct_bytes: int = 150 * MB
    max_batch_bytes: int = 500 * MB
    max_batch_files: int = 50
    max_zip_entries: int = 1000
    token_ttl: float = 3600.0
    detect_cost_cents: float = 3.5
    intelligence_cost_cents: float = 1.0
    storage_dir: str | None = None
    # Planted truth (scoring.PlantedTruth): names saying real/fake, and/or a CSV side file.
    plant_truth: bool = False
    truth_file: str | None = None
    callback_timeout: float = 5.0
    answers: str = "complete"
    token_secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    def __post_init__(self) -> None:
        keys = tuple(str(k) for k in self.api_keys if str(k))
        self.api_keys = keys or (_random_key(),)
        if len(set(self.api_keys)) != len(self.api_keys):
            raise ValueError("SandboxConfig.api_keys: each key must be unique")
        if self.progress is None:
            self.progress = "time" if self.latency > 0 else "immediate"
        parse_progress(self.progress)
        from .modes import Modes

        Modes.from_config(self)  # raises ValueError on a bad mode
        if self.batch_order not in ("files", "sorted"):
            raise ValueError(
                f"SandboxConfig.batch_order must be 'files' or 'sorted', got {self.batch_order!r}"
            )
        if self.answers not in ("complete", "fail"):
            raise ValueError(
                f"SandboxConfig.answers must be 'complete' or 'fail', got {self.answers!r}"
            )
        if self.latency < 0:
            raise ValueError(f"SandboxConfig.latency must be >= 0, got {self.latency!r}")
        if self.rate_limit is not None and self.rate_limit < 0:
            raise ValueError(f"SandboxConfig.rate_limit must be >= 0, got {self.rate_limit!r}")

    def __repr__(self) -> str:  # keys are secrets: never show them
        return (
            f"SandboxConfig(teams={len(self.api_keys)}, progress={self.progress!r}, "
            f"latency={self.latency!r}, rate_limit={self.rate_limit!r}, seed={self.seed!r})"
        )


def parse_progress(value: str) -> tuple[str, int]:
    """Split a progress setting into its mode and poll count.

    >>> parse_progress("polls:3")
    ('polls', 3)
    >>> parse_progress("immediate")
    ('immediate', 0)
    """
    text = value.strip().lower()
    if text in ("immediate", "time"):
        return text, 0
    if text.startswith("polls:"):
        try:
            n = int(text.split(":", 1)[1])
        except ValueError:
            n = -1
        if n >= 0:
            return "polls", n
    raise ValueError(f"progress must be 'immediate', 'time' or 'polls:N', got {value!r}")
