"""One page of ``GET /detect``, parsed lazily."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, TypedDict

from ._metrics import as_int, parse_datetime
from .models import Detection, Source

__all__ = ["DetectionPage", "Page", "Paged", "page_counters"]


class _Counters(TypedDict):
    page: int
    num_pages: int
    page_size: int
    total_count: int


def page_counters(data: Mapping[str, Any]) -> _Counters:
    """The paging counters of a list envelope ``{page, num_pages, page_size, total_count}``."""
    return _Counters(
        page=as_int(data.get("page")) or 1,
        num_pages=as_int(data.get("num_pages")) or 0,
        page_size=as_int(data.get("page_size")) or 0,
        total_count=as_int(data.get("total_count")) or 0,
    )


class Paged:
    """What every page of a paged list answers: whether a later page exists."""

    page: int
    num_pages: int

    @property
    def has_next(self) -> bool:
        """Whether a later page exists."""
        return self.page < self.num_pages


@dataclass(frozen=True)
class DetectionPage(Paged):
    """One page of ``GET /detect``: ``items`` plus the paging counters (pages start at 1).

    Items are parsed on first use of :attr:`items`; :meth:`find` parses only the ones
    asked for, which is what a poller harvesting a few detects from a 1,000-item page
    wants (no thousand models built and thrown away).
    """

    page: int
    num_pages: int
    page_size: int
    total_count: int
    source: Source = "api"
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def items(self) -> list[Detection]:
        """Every detect on the page, in the order the API sent them (none is promised)."""
        return [Detection.from_json(item, self.source) for item in self._raw_items]

    @property
    def _raw_items(self) -> list[Mapping[str, Any]]:
        items = self.raw.get("items")
        return [i for i in items if isinstance(i, Mapping)] if isinstance(items, list) else []

    def find(self, uuids: Collection[str]) -> dict[str, Detection]:
        """The detects on this page whose uuid is in ``uuids``, parsed, by uuid."""
        return {
            item["uuid"]: Detection.from_json(item, self.source)
            for item in self._raw_items
            if item.get("uuid") in uuids
        }

    def stamped(self) -> list[tuple[Mapping[str, Any], datetime | None]]:
        """Every raw item in the order sent, with its parsed ``created_at`` (no models)."""
        return [(item, parse_datetime(item.get("created_at"))) for item in self._raw_items]

    def parse(self, item: Mapping[str, Any]) -> Detection:
        """One raw item of this page as a :class:`Detection`."""
        return Detection.from_json(item, self.source)

    @property
    def oldest_created_at(self) -> datetime | None:
        """The earliest ``created_at`` on the page (``None`` if no item has one)."""
        times = [parse_datetime(item.get("created_at")) for item in self._raw_items]
        return min((t for t in times if t is not None), default=None)

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self._raw_items)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], source: Source = "api") -> DetectionPage:
        """Parse a list envelope ``{page, num_pages, page_size, total_count, items}``."""
        return cls(**page_counters(data), source=source, raw=dict(data))


Page = DetectionPage
"""Alias of :class:`DetectionPage`."""
