"""Which path each item takes (``/detect/batch`` or secure upload + ``/detect``), and batches.

>>> route(item, {"intelligence": True})  # doctest: +SKIP
Route(strategy='batch', reason='small enough for a batch and every option fits the batch form')
>>> [len(b) for b in plan_batches(items)]  # 120 small files  # doctest: +SKIP
[50, 50, 20]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from ..api._options import DetectOptions
from .limits import (
    BATCH_MAX_BYTES,
    BATCH_MAX_FILES,
    DIRECT_UPLOAD_MAX_BYTES,
    WATERMARK_MAX_BYTES,
    format_bytes,
)

__all__ = ["Route", "Strategy", "check_strategy", "plan_batches", "route"]

Strategy = Literal["auto", "batch", "single"]


class _Sized(Protocol):
    @property
    def size(self) -> int: ...


class _Item(_Sized, Protocol):
    @property
    def path(self) -> Path: ...


T = TypeVar("T", bound=_Sized)

_SEARCH_WINDOW = 32


@dataclass(frozen=True)
class Route:
    """Where one item goes.

    Attributes:
        strategy: ``"batch"`` or ``"single"``; ``None`` when no path can take the item.
        reason: Why, in words (for ``None``, the skip reason naming the file).
    """

    strategy: Literal["batch", "single"] | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.strategy is not None


def check_strategy(strategy: str, options: Mapping[str, Any] | None = None) -> None:
    """Refuse a run that cannot work at all, before anything is uploaded.

    Raises:
        ValueError: an unknown strategy, or ``"batch"`` with a single-only option.
    """
    if strategy not in ("auto", "batch", "single"):
        raise ValueError(f"strategy must be 'auto', 'batch' or 'single', not {strategy!r}")
    blocked = DetectOptions.build(options).single_only
    if strategy == "batch" and blocked:
        raise ValueError(
            "strategy='batch' cannot be used with " + ", ".join(blocked) + " (not accepted by "
            "/detect/batch); use strategy='auto' or 'single'"
        )


def route(
    item: _Item,
    options: Mapping[str, Any] | None = None,
    strategy: Strategy = "auto",
    *,
    batch_file_max_bytes: int = DIRECT_UPLOAD_MAX_BYTES,
) -> Route:
    """Choose batch or single for one item.

    ``auto`` sends an item single when it is larger than ``batch_file_max_bytes`` (the
    150 MB direct-upload cap, assumed per file in a batch) or when a single-only option is
    set; everything else goes by batch. ``batch`` refuses (``strategy=None``) items over
    the cap rather than silently sending them another way.

    Raises:
        ValueError: see :func:`check_strategy`.
    """
    checked = DetectOptions.build(options)  # the same object when it is one already
    check_strategy(strategy, checked)
    size = format_bytes(item.size)
    if checked.get("detect_watermark") and item.size > WATERMARK_MAX_BYTES:
        return Route(
            None,
            f"{item.path}: {size} is over the {format_bytes(WATERMARK_MAX_BYTES)} limit "
            "for detect_watermark",
        )
    if strategy == "single":
        return Route("single", "strategy='single' was asked for")
    too_big = item.size > batch_file_max_bytes
    if strategy == "batch":
        if too_big:
            return Route(
                None,
                f"{item.path}: {size} is over the {format_bytes(batch_file_max_bytes)} per-file "
                "limit of /detect/batch; use strategy='auto' or 'single'",
            )
        return Route("batch", "strategy='batch' was asked for")
    blocked = checked.single_only
    if blocked:
        return Route("single", "option " + ", ".join(blocked) + " is not accepted by batches")
    if too_big:
        return Route(
            "single",
            f"{size} is over the {format_bytes(batch_file_max_bytes)} direct-upload cap",
        )
    return Route("batch", "small enough for a batch and every option fits the batch form")


def plan_batches(
    items: Sequence[T],
    max_files: int = BATCH_MAX_FILES,
    max_bytes: int = BATCH_MAX_BYTES,
) -> list[list[T]]:
    """Split items into batches of at most ``max_files`` files and ``max_bytes`` bytes.

    First fit in the order given: each item joins the first batch with room for it, so
    order is kept inside a batch and few batches are made. Every item appears exactly once.
    Only the last :data:`_SEARCH_WINDOW` batches with room are searched, which keeps the
    planning linear for any mix of sizes.

    Raises:
        ValueError: an item larger than ``max_bytes`` on its own (route it single), or
            limits below 1.
    """
    if max_files < 1 or max_bytes < 1:
        raise ValueError("max_files and max_bytes must be at least 1")
    batches: list[list[T]] = []
    room: list[int] = []  # bytes left per batch
    open_batches: list[int] = []  # indexes of batches with a free file slot
    for item in items:
        if item.size > max_bytes:
            where = getattr(item, "path", "an item")
            raise ValueError(
                f"{where}: {format_bytes(item.size)} cannot fit in a batch of at most "
                f"{format_bytes(max_bytes)}; route it single"
            )
        if len(open_batches) > _SEARCH_WINDOW:
            del open_batches[: len(open_batches) - _SEARCH_WINDOW]
        position = next(
            (pos for pos, index in enumerate(open_batches) if room[index] >= item.size), None
        )
        if position is None:
            position = len(open_batches)
            open_batches.append(len(batches))
            batches.append([])
            room.append(max_bytes)
        index = open_batches[position]
        batches[index].append(item)
        room[index] -= item.size
        if len(batches[index]) >= max_files or room[index] == 0:
            del open_batches[position]
    return batches
