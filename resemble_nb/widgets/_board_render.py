"""Pure rendering for the job board: progress and items in, short text and HTML out.

Kept apart from the widget so the bounded-table rules can be tested without threads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone

from ..engine import STATES, TERMINAL
from ..ledger import PROBLEM_STATES
from ._format import escape, human_duration, text_bar
from ._protocols import ItemStatusLike, ProgressLike
from ._words import LABEL_WORDS

__all__ = [
    "FINISHED_ORDERS",
    "MAX_FAILURES",
    "MAX_IN_FLIGHT",
    "STAGE_WEIGHTS",
    "STATE_ORDER",
    "batch_sizes",
    "counts_html",
    "eta_text",
    "finished_text",
    "fraction_of",
    "pages_of",
    "pick_rows",
    "problems_html",
    "stage_fraction",
    "summary_text",
    "table_html",
    "time_text",
]

#: States in pipeline order (how the counts line lists them).
STATE_ORDER: tuple[str, ...] = STATES
MAX_FAILURES = 10
MAX_IN_FLIGHT = 10

_LABEL_COLOURS = {
    "fake": "#b91c1c",
    "likely_fake": "#dc2626",
    "uncertain": "#b45309",
    "likely_real": "#15803d",
    "real": "#166534",
}
#: Terminal states other than completed, in pipeline order (failed, skipped, cancelled).
_PROBLEMS: tuple[str, ...] = tuple(s for s in STATES if s in PROBLEM_STATES)
_STATE_COLOURS = {"failed": "#b91c1c", "skipped": "#6b7280", "cancelled": "#6b7280"}
_TABLE_STYLE = (
    "<style>.rnb-board td,.rnb-board th{padding:1px 8px;text-align:left;"
    "font-size:12px;white-space:nowrap}.rnb-board td.num{text-align:right}</style>"
)


def fraction_of(progress: ProgressLike) -> float:
    """Share of items in a terminal state (an empty run counts as done)."""
    if progress.total <= 0:
        return 1.0
    return min(1.0, progress.finished / progress.total)


#: How far along an item is in each state, for a bar that moves before items finish.
STAGE_WEIGHTS: Mapping[str, float] = {
    "pending": 0.0,
    "inspecting": 0.05,
    "uploading": 0.15,
    "submitting": 0.3,
    "submitted": 0.45,
    "processing": 0.6,
}
#: Orders of the finished rows: key -> words for the menu.
FINISHED_ORDERS: Mapping[str, str] = {
    "recent": "newest first",
    "score": "score, highest first",
    "name": "name",
}


def stage_fraction(progress: ProgressLike) -> float:
    """Progress counting work under way: an item being analysed is more than half done.

    Terminal items count fully; the others by :data:`STAGE_WEIGHTS`. So the bar moves
    while jobs are uploading, submitted and analysing, not only when results arrive.
    """
    if progress.total <= 0:
        return 1.0
    counts = progress.counts
    done = sum(n for s, n in counts.items() if s in TERMINAL)
    under_way = sum(STAGE_WEIGHTS.get(s, 0.5) * n for s, n in counts.items() if s not in TERMINAL)
    return min(1.0, (done + under_way) / progress.total)


def eta_text(elapsed: float, fraction: float) -> str:
    """``"about 2 min 05 s left"`` from the pace so far, or ``""`` when too early to say."""
    if fraction <= 0.02 or fraction >= 1.0 or elapsed < 2.0:
        return ""
    left = elapsed * (1.0 - fraction) / fraction
    return f"about {human_duration(left)} left"


def pages_of(n: int, per_page: int) -> int:
    """How many pages ``n`` rows fill (at least one)."""
    return max(1, -(-n // max(1, per_page)))


def summary_text(progress: ProgressLike) -> str:
    """``▕████▌     ▏ 45% 450/1000 — completed 440, failed 5, skipped 5`` (tqdm-like)."""
    fraction = fraction_of(progress)
    counts = progress.counts
    parts = [f"completed {counts.get('completed', 0)}"]
    parts += [f"{s} {counts[s]}" for s in _PROBLEMS if counts.get(s)]
    return (
        f"{text_bar(fraction)} {int(fraction * 100 + 1e-9)}% "
        f"{progress.finished}/{progress.total} — {', '.join(parts)}"
    )


def counts_html(progress: ProgressLike) -> str:
    """Every non-zero state with its count, in pipeline order."""
    counts: Mapping[str, int] = progress.counts
    ordered = [s for s in STATE_ORDER if counts.get(s)]
    ordered += sorted(s for s in counts if counts[s] and s not in STATE_ORDER)
    if not ordered:
        return "<span>no items</span>"
    cells = []
    for state in ordered:
        colour = _STATE_COLOURS.get(state, "inherit")
        cells.append(f"<span style='color:{colour}'>{escape(state)} <b>{counts[state]}</b></span>")
    return " · ".join(cells)


def _finished_key(item: ItemStatusLike) -> datetime:
    return item.finished_at or datetime.min.replace(tzinfo=timezone.utc)


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _ordered(others: list[ItemStatusLike], order: str) -> list[ItemStatusLike]:
    if order == "score":
        return sorted(others, key=lambda i: (i.score is None, -(i.score or 0.0), i.name))
    if order == "name":
        return sorted(others, key=lambda i: i.name.casefold())
    return sorted(others, key=lambda i: _aware(_finished_key(i)), reverse=True)


def pick_rows(
    items: Sequence[ItemStatusLike], max_rows: int, *, order: str = "recent", page: int = 0
) -> tuple[list[ItemStatusLike], int]:
    """The rows worth showing, and how many items were left out.

    Failures first (at most ``MAX_FAILURES``), then items in flight (at most
    ``MAX_IN_FLIGHT``), then page ``page`` of the other finished items, ``max_rows`` a
    page, in ``order`` (:data:`FINISHED_ORDERS`): every row is on some page.
    """
    failed = [i for i in items if i.state == "failed"]
    in_flight = [i for i in items if i.state not in TERMINAL and i.state != "pending"]
    others = _ordered([i for i in items if i.state in TERMINAL and i.state != "failed"], order)
    size = max(0, max_rows)
    start = max(0, page) * size
    rows = failed[:MAX_FAILURES] + in_flight[:MAX_IN_FLIGHT] + others[start : start + size]
    return rows, len(items) - len(rows)


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _worked(item: ItemStatusLike) -> bool:
    """Started and not ended at the same instant (a pending item cancelled never ran)."""
    return item.started_at is not None and item.started_at != item.finished_at


def batch_sizes(items: Sequence[ItemStatusLike]) -> dict[datetime, int]:
    """How many items the engine started in one move, by their shared ``started_at``.

    The engine stamps every item of a ``POST /detect/batch`` with one start time, and a
    single upload alone: items sharing a start stamp went to the service together.
    """
    sizes: dict[datetime, int] = {}
    for item in items:
        if _worked(item) and item.started_at is not None:
            sizes[item.started_at] = sizes.get(item.started_at, 0) + 1
    return sizes


def finished_text(item: ItemStatusLike) -> str:
    """The clock time an item ended, ``"17:24:05 UTC"`` (``"—"`` while in flight)."""
    if item.finished_at is None:
        return "—"
    return _aware(item.finished_at).astimezone(timezone.utc).strftime("%H:%M:%S UTC")


def time_text(item: ItemStatusLike, sizes: Mapping[datetime, int]) -> str:
    """Time at the service, honest about batches: ``"batch of 50: 12.3 s"`` or ``"4.1 s"``.

    Items of one batch start and usually end together, so their own elapsed times say
    the same thing: the batch is named so the repeated figure reads as what it is.
    """
    if not _worked(item) or item.started_at is None:
        return "—"
    together = sizes.get(item.started_at, 1)
    took = human_duration(item.elapsed)
    return f"batch of {together}: {took}" if together > 1 else took


def table_html(
    items: Sequence[ItemStatusLike], max_rows: int, *, order: str = "recent", page: int = 0
) -> str:
    """A compact table of :func:`pick_rows`, with a line saying how many are hidden."""
    rows, hidden = pick_rows(items, max_rows, order=order, page=page)
    if not rows:
        return ""
    sizes = batch_sizes(items)
    body = []
    for item in rows:
        label = item.label or ""
        colour = _LABEL_COLOURS.get(label, "inherit")
        state_colour = _STATE_COLOURS.get(item.state, "inherit")
        body.append(
            "<tr>"
            f"<td>{escape(item.name)}</td>"
            f"<td>{escape(item.media_type or '—')}</td>"
            f"<td style='color:{state_colour}'>{escape(item.state)}</td>"
            f"<td style='color:{colour}'>{escape(LABEL_WORDS.get(label, label) or '—')}</td>"
            f"<td class='num'>{_score(item.score)}</td>"
            f"<td class='num'>{finished_text(item)}</td>"
            f"<td class='num'>{escape(time_text(item, sizes))}</td>"
            "</tr>"
        )
    footer = ""
    if hidden:
        footer = (
            f"<div><i>… and {hidden:,} more on other pages (run.results() has every row)</i></div>"
        )
    return (
        f"{_TABLE_STYLE}<table class='rnb-board'><thead><tr><th>name</th><th>type</th>"
        "<th>state</th><th>label</th><th>score</th><th>finished</th>"
        "<th title='Time at the service; items sent in one batch share it'>time</th>"
        "</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>{footer}"
    )


def problems_html(items: Sequence[ItemStatusLike]) -> str:
    """Failed and skipped items with their reasons (a bounded list of each)."""
    sections = []
    for state, title in (("failed", "Failed"), ("skipped", "Skipped")):
        hit = [i for i in items if i.state == state]
        if not hit:
            continue
        lines = "".join(
            f"<li><b>{escape(i.name)}</b>: {escape(i.error or 'no reason given')}</li>"
            for i in hit[:MAX_FAILURES]
        )
        more = ""
        if len(hit) > MAX_FAILURES:
            more = f"<li><i>… and {len(hit) - MAX_FAILURES:,} more</i></li>"
        colour = _STATE_COLOURS[state]
        sections.append(
            f"<div style='color:{colour}'>{title} ({len(hit):,}):</div>"
            f"<ul style='margin:0 0 4px 0'>{lines}{more}</ul>"
        )
    return "".join(sections)
