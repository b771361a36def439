"""Walking ``GET /detect`` whatever its order: the contract promises none (§11).

A walk looks for some detects (by a predicate on the raw items) created since a moment.
It never assumes an order; it *observes* one on the pages it reads:

* **newest first** (every page read is in non-increasing ``created_at`` order, and so is
  each pair of neighbouring pages): page 1, 2, ... until a page reaches back before the
  moment. Everything made since then has been seen.
* **oldest first** (the same, non-decreasing): the last page, then backwards, until a
  page reaches back before the moment.
* **unordered** (anything else, or an item without ``created_at``): every page, until
  the walk has seen as many distinct detects as the list counted when it began.

A walk ends early once the caller has what it wants (``done``), and after at most
``max_pages`` requests. :attr:`Walk.complete` says whether every detect made since the
moment was seen, so that "not there" is decided from what was read, never from an
assumed order. The order learned is kept (:class:`Listing`) so later walks of the same
run start where the answer is likely to be (the last page when oldest first).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from ..api import APIConnectionError, APIStatusError, DetectionPage
from ._calls import retry_after
from ._context import Context, Listing, Order

__all__ = ["PAGE_SIZE", "Listing", "Order", "Walk", "walk"]

logger = logging.getLogger("resemble_nb.engine")

PAGE_SIZE = 1000
"""The largest page the contract allows (10-1000)."""
PATIENCE = 4
"""Tries of a page that failed transiently (each after the client's own retries)."""


@dataclass
class Walk:
    """The outcome of one walk."""

    matched: int = 0
    complete: bool = False
    """Every detect created since the moment (as listed when the walk began) was seen."""
    requests: int = 0
    order: Order | None = None
    seen: int = 0


@dataclass
class _Page:
    number: int
    first: datetime | None
    last: datetime | None
    oldest: datetime | None
    direction: str  # "desc", "asc", "flat", "mixed", "empty"


def _direction(times: list[datetime | None]) -> str:
    if not times:
        return "empty"
    if any(t is None for t in times):
        return "mixed"
    known: list[datetime] = [t for t in times if t is not None]
    desc = all(a >= b for a, b in pairwise(known))
    asc = all(a <= b for a, b in pairwise(known))
    if desc and asc:
        return "flat"
    return "desc" if desc else "asc" if asc else "mixed"


@dataclass(eq=False)
class _Walker:
    ctx: Context
    listing: Listing
    since: datetime | None
    match: Callable[[Mapping[str, Any]], bool]
    take: Callable[[DetectionPage, Mapping[str, Any]], None]
    done: Callable[[], bool]
    max_pages: int
    page_size: int
    pages: dict[int, _Page] = field(default_factory=dict)
    uuids: set[str] = field(default_factory=set)
    result: Walk = field(default_factory=Walk)
    num_pages: int = 0
    total: int = 0

    @property
    def budget_left(self) -> bool:
        return self.result.requests < self.max_pages

    async def _fetch(self, number: int) -> DetectionPage:
        """One page. The client already retried; a lookup that gives up leaves every item
        it was for undecided (failed, unsent), so a transient failure is waited out a
        few more times here."""
        for attempt in range(1, PATIENCE + 1):
            try:
                return await self.ctx.api.list_detects(number, self.page_size)
            except (APIStatusError, APIConnectionError) as exc:
                if not exc.retry_safe or attempt == PATIENCE:
                    raise
                self.ctx.count("list_waits")
                await self.ctx.sleep(self.ctx.backoff(attempt, retry_after(exc)))
        raise AssertionError("unreachable")  # pragma: no cover

    async def read(self, number: int) -> _Page:
        page = await self._fetch(number)
        self.result.requests += 1
        self.ctx.count("list_pages")
        stamped = page.stamped()
        for item, _ in stamped:
            uuid = item.get("uuid")
            if isinstance(uuid, str):
                self.uuids.add(uuid)
            if self.match(item):
                self.result.matched += 1
                self.take(page, item)
        times = [t for _, t in stamped]
        known = [t for t in times if t is not None]
        seen = _Page(
            number,
            times[0] if times else None,
            times[-1] if times else None,
            min(known) if known else None,
            _direction(times),
        )
        self.pages[number] = seen
        if self.total == 0:
            self.total = page.total_count
        self.num_pages = page.num_pages
        self.listing.total = page.total_count
        return seen

    def _older(self, page: _Page) -> bool:
        """Whether the page reaches back before the moment."""
        return self.since is not None and page.oldest is not None and page.oldest < self.since

    def _consistent(self, order: Order) -> bool:
        """Every page read, and every pair of neighbours read, follow ``order``."""
        fits = ("desc", "flat", "empty") if order == "newest" else ("asc", "flat", "empty")
        for number, page in self.pages.items():
            if page.direction not in fits:
                return False
            after = self.pages.get(number + 1)
            if after is None or page.last is None or after.first is None:
                continue
            if order == "newest" and page.last < after.first:
                return False
            if order == "oldest" and page.last > after.first:
                return False
        return True

    def _all_seen(self) -> bool:
        return len(self.uuids) >= self.total

    async def run(self) -> Walk:
        known = self.listing.order
        if self.max_pages < 1:  # no budget at all: nothing can be decided
            return self._end(False, None)
        first_number = 1
        if known == "oldest" and self.listing.total:
            first_number = max(1, math.ceil(self.listing.total / self.page_size))
        first = await self.read(first_number)
        if first_number == 1 and self.num_pages <= 1:
            return self._end(True, known if known != "unordered" else None)
        if self.done():
            return self._end(False, known)
        order = self._guess(first, known)
        if order == "newest":
            return await self._newest()
        if order == "oldest":
            return await self._oldest()
        return await self._everything()

    def _guess(self, first: _Page, known: Order | None) -> Order:
        if first.direction == "desc" and first.number == 1:
            return "newest"
        if first.direction == "asc":
            return "oldest"
        if first.direction == "flat" and known in ("newest", "oldest"):
            return known
        return "unordered"

    async def _newest(self) -> Walk:
        number = 1
        while True:
            if not self._consistent("newest"):
                return await self._everything()
            page = self.pages[number]
            if self._older(page) or number >= self.num_pages:
                return self._end(True, "newest")
            if self.done() or not self.budget_left:
                return self._end(False, "newest")
            number += 1
            await self.read(number)

    async def _oldest(self) -> Walk:
        top = max(self.num_pages, max(self.pages))
        number = top
        while number >= 1:
            if number not in self.pages:
                if self.done() or not self.budget_left:
                    return self._end(False, "oldest")
                await self.read(number)
            if not self._consistent("oldest"):
                return await self._everything()
            if self._older(self.pages[number]) and all(
                n in self.pages for n in range(number, top + 1)
            ):
                return self._end(True, "oldest")
            number -= 1
        return self._end(True, "oldest")

    async def _everything(self) -> Walk:
        """No order to rely on: read every page until every detect listed was seen."""
        number = 0
        while not self._all_seen():
            if self.done() or not self.budget_left:
                return self._end(False, "unordered")
            pages = max(self.num_pages, 1)
            number = number % pages + 1
            while number in self.pages and len(self.pages) < pages:
                number = number % pages + 1
            if number in self.pages:  # every page read once: the order moved under us
                self.pages.clear()
            await self.read(number)
        return self._end(True, "unordered")

    def _end(self, complete: bool, order: Order | None) -> Walk:
        if order is not None:
            self.listing.order = order
        self.result.complete = complete
        self.result.order = order
        self.result.seen = len(self.uuids)
        return self.result


async def walk(
    ctx: Context,
    listing: Listing,
    *,
    since: datetime | None,
    match: Callable[[Mapping[str, Any]], bool],
    take: Callable[[DetectionPage, Mapping[str, Any]], None],
    done: Callable[[], bool] = lambda: False,
    max_pages: int,
    page_size: int = PAGE_SIZE,
) -> Walk:
    """Read ``GET /detect`` for the items ``match`` accepts, created since ``since``.

    Each accepted raw item is handed to ``take(page, item)`` at once (so ``done`` can
    tell when the caller has what it wants). ``since=None`` asks for every detect.
    """
    walker = _Walker(ctx, listing, since, match, take, done, max_pages, page_size)
    result = await walker.run()
    logger.debug(
        "listed %d page(s), order %s, %s; %d matched",
        result.requests,
        result.order,
        "complete" if result.complete else "incomplete",
        result.matched,
    )
    return result
