"""Rendering the triage board: one item's details as HTML (plain words; machine names on
hover), and the board in one line of text (its ``repr``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..media.limits import format_bytes
from ._format import escape
from ._triage_queue import LABELS
from ._words import words

__all__ = ["board_text", "details_html"]

_SUBSCORES = (
    ("audio_score", "audio"),
    ("video_score", "video"),
    ("image_score", "image"),
    ("consistency", "consistency"),
)


def _named(name: Any) -> str:
    """Plain words, with the machine name as a tooltip."""
    if not name:
        return ""
    return f"<span title='{escape(name)}'>{escape(words(str(name)))}</span>"


def _score(value: Any) -> str:
    return "—" if value is None else f"{float(value):.2f}"


def details_html(item: Mapping[str, Any]) -> str:
    """A two-column table of what an investigator needs about one item."""
    sha = str(item.get("sha256") or "")
    subs = ", ".join(
        f"{label} {_score(item.get(col))}" for col, label in _SUBSCORES if item.get(col) is not None
    )
    verdict = item.get("verdict")
    rows: list[tuple[str, str]] = [
        ("Name", f"<b>{escape(item.get('name') or '')}</b>"),
        ("SHA-256", f"<code title='{escape(sha)}'>{escape(sha[:12])}…</code>"),
        ("Media type", escape(item.get("media_type") or "—")),
        ("Status", escape(item.get("status") or "—")),
        ("Label", _named(item.get("label")) or "no result"),
        ("Score", _score(item.get("score"))),
    ]
    if subs:
        rows.append(("Sub-scores", escape(subs)))
    if item.get("size") is not None:
        rows.append(("Size", format_bytes(int(item["size"]))))
    if item.get("duration") is not None:
        rows.append(("Duration", f"{float(item['duration']):.1f} s"))
    rows.append(("Detect", f"<code>{escape(item.get('detect_uuid') or '—')}</code>"))
    rows.append(("Verdict", f"<b>{_named(verdict)}</b>" if verdict else "<i>not decided</i>"))
    if item.get("note"):
        rows.append(("Note", escape(item["note"])))
    if item.get("team_verdicts"):  # an adjudicator's board: the dispute itself
        rows.append(("Reviewers", escape(item["team_verdicts"])))
    if item.get("error"):
        rows.append(("Reason", f"<span style='color:#b91c1c'>{escape(item['error'])}</span>"))
    if item.get("source") == "sandbox":
        rows.append(("Source", "<b style='color:#92400e'>SANDBOX (synthetic scores)</b>"))
    body = "".join(
        f"<tr><th style='text-align:left;padding:0 8px 0 0;vertical-align:top'>{k}</th>"
        f"<td style='padding:0;overflow-wrap:anywhere'>{v}</td></tr>"
        for k, v in rows
    )
    return f"<table style='font-size:12px;line-height:1.35;border-collapse:collapse'>{body}</table>"


def board_text(
    queued: int,
    total: int,
    decided: int,
    *,
    threshold: float,
    labels: Sequence[str],
    unreviewed_only: bool,
    item: Mapping[str, Any] | None,
    position: int,
) -> str:
    """The board as text: the queue, its filters, how many are decided, the current item."""
    shown = "all" if set(labels) == set(LABELS) else ",".join(labels) or "none"
    head = (
        f"TriageBoard: {queued} in queue (score ≥ {threshold:.2f}, labels {shown}"
        f"{', unreviewed only' if unreviewed_only else ''}) · {decided}/{total} decided"
    )
    if item is None:
        return head
    score = "—" if item.get("score") is None else f"{item['score']:.2f}"
    verdict = item.get("verdict") or "—"
    return (
        f"{head}\n  item {position} of {queued}: {item.get('name')} — "
        f"{item.get('label') or 'no label'}, score {score}, verdict {verdict}"
    )
