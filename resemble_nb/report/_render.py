"""The shareable HTML report of a case, and exporting the results table.

:func:`render_report` writes ONE self-contained file: all CSS inline, plots embedded as
PNG data URIs, no scripts (a Content-Security-Policy forbids them), no fonts, no remote
images. It opens offline and makes no request at all. It refuses to write a secret
this process knows (the API key, a media token, a pre-signed URL) or a private key;
evidence merely shaped like a token is shown.

>>> render_report(case.results(), case.segments(), case.decisions(),
...               path="acme.html", case_name="acme")     # doctest: +SKIP
PosixPath('acme.html')
>>> export_results(case.results(), "acme.csv")           # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import datetime, timezone
from html import unescape
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import pandas as pd

from resemble_nb import plots
from resemble_nb._core.errors import ResembleError
from resemble_nb._core.markup import REPORT_CSP
from resemble_nb._core.output import check_output, write_atomically
from resemble_nb._core.secrets import find_secrets
from resemble_nb._core.version import __version__
from resemble_nb._core.visible import escape_name, visible
from resemble_nb.api import SCORE_BANDS, Label
from resemble_nb.ledger import DEFAULT_THRESHOLD, PROBLEM_STATES
from resemble_nb.media.limits import format_bytes
from resemble_nb.report._analysis_view import unavailable_analyses
from resemble_nb.report._export import cell_text, export_results
from resemble_nb.report._pictures import exhibit_player_html

__all__ = ["UnsafeReportError", "export_results", "flag_reasons", "render_report"]

_FLAG_LABELS = (Label.LIKELY_FAKE.value, Label.FAKE.value)
_FLAG_VERDICTS = ("confirmed_fake", "needs_escalation")
_TIMELINE_DPI = 90
_PLOT_DPI = 110
_DASH = "—"


class UnsafeReportError(ResembleError, ValueError):
    """The report would carry something that looks like a secret; nothing was written."""


# --------------------------------------------------------------------------- formatting


def _when(value: Any) -> str:
    if value is None or pd.isna(value):
        return _DASH
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return str(stamp.strftime("%Y-%m-%d %H:%M:%S UTC"))


def _score(value: Any) -> str:
    return _DASH if value is None or pd.isna(value) else f"{float(value):.3f}"


def _size(value: Any) -> str:
    """``1.5 MB (1,500,000 bytes)``: the one byte formatter, plus the exact count.

    The count groups thousands from five digits on (``1 KB (1008 bytes)``), as SI style does.
    """
    if value is None or pd.isna(value):
        return _DASH
    size = int(value)
    text = format_bytes(size)
    if size < 1000:
        return text
    return f"{text} ({size:,} bytes)" if size >= 10_000 else f"{text} ({size} bytes)"


def _words(value: str) -> str:
    return value.replace("_", " ")


# --------------------------------------------------------------------------- content


def flag_reasons(row: Mapping[Hashable, Any], threshold: float) -> list[str]:
    """Why a results row is flagged (score at or over the threshold, label, verdict)."""
    reasons = []
    score = row["score"]
    if score is not None and not pd.isna(score) and float(score) >= threshold:
        reasons.append(f"score {float(score):.3f} ≥ threshold {threshold:.2f}")
    if cell_text(row["label"]) in _FLAG_LABELS:
        reasons.append(f"label {_words(cell_text(row['label']))}")
    if cell_text(row["verdict"]) in _FLAG_VERDICTS:
        reasons.append(f"verdict {_words(cell_text(row['verdict']))}")
    return reasons


def _ordered(results: pd.DataFrame) -> pd.DataFrame:
    """Items by score, highest first, unscored last, ties by name."""
    key = results["score"].astype("Float64").fillna(-1.0)
    ordered: pd.DataFrame = results.assign(_key=key).sort_values(
        ["_key", "name"], ascending=[False, True], kind="stable"
    )
    return ordered


def _item(row: Mapping[Hashable, Any], index: int, threshold: float) -> dict[str, Any]:
    sha = cell_text(row["sha256"])
    label = cell_text(row["label"])
    status = cell_text(row["status"])
    error = cell_text(row["error"])
    return {
        "anchor": sha or f"row-{index}",
        "name": escape_name(cell_text(row["name"])) or "(unnamed)",
        "media_type": cell_text(row["media_type"]),
        "label": label,
        "label_text": _words(label) if label else "no result",
        "score": _score(row["score"]),
        "verdict": _words(cell_text(row["verdict"])),
        "note": cell_text(row["note"]),
        "status": status + (f": {error}" if error else ""),
        "failed": status in PROBLEM_STATES,
        "reasons": flag_reasons(row, threshold),
        "sha256": sha,
        "paths": [
            escape_name(str(p)) for p in (row["paths"] if isinstance(row["paths"], list) else [])
        ]
        or [escape_name(p) for p in [cell_text(row["path"])] if p],
        "size": _size(row["size"]),
        "duration": _DASH if pd.isna(row["duration"]) else f"{float(row['duration']):.2f} s",
        "detect_uuid": cell_text(row["detect_uuid"]) or _DASH,
        "submitted_at": _when(row["submitted_at"]),
        "completed_at": _when(row["completed_at"]),
        "source": cell_text(row["source"]) or _DASH,
        "c2pa": cell_text(row.get("c2pa")),
        "local_c2pa": cell_text(row.get("local_c2pa")),
        "decisions": [],
    }


def _decision(row: Mapping[Hashable, Any]) -> dict[str, str]:
    return {
        "when": _when(row["decided_at"]),
        "verdict": _words(cell_text(row["verdict"])) or _DASH,
        "reviewer": cell_text(row["reviewer"]) or _DASH,
        "note": cell_text(row["note"]),
    }


def _counts(series: pd.Series[Any], order: list[str], missing: str | None) -> list[tuple[str, int]]:
    values = series.astype("string")
    out = [(_words(v), int((values == v).sum())) for v in order]
    out = [(k, n) for k, n in out if n]
    if missing is not None and values.isna().any():
        out.append((missing, int(values.isna().sum())))
    return out


def _categories(series: pd.Series[Any]) -> list[str]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return [str(c) for c in series.dtype.categories]
    return sorted(str(v) for v in series.dropna().unique())


def _timeline_uri(segments: pd.DataFrame, sha: str, threshold: float) -> str | None:
    if not sha or not (segments["sha256"].astype("string") == sha).any():
        return None
    fig = plots.timeline(segments, sha, threshold=threshold)
    return plots.figure_to_data_uri(fig, dpi=_TIMELINE_DPI)


def _context(
    results: pd.DataFrame,
    segments: pd.DataFrame,
    decisions: pd.DataFrame,
    *,
    case_name: str,
    threshold: float,
    generated_at: datetime,
    case_meta: Mapping[str, Any],
    max_timelines: int,
    analysis: Callable[[str], str] | None = None,
    analysis_methods: Sequence[str] = (),
    pictures: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    ordered = _ordered(results)
    items = [_item(row, i, threshold) for i, row in enumerate(ordered.to_dict("records"))]
    by_sha = {item["sha256"]: item for item in items if item["sha256"]}
    for row in decisions.to_dict("records"):  # append order is the history's order
        item = by_sha.get(cell_text(row["sha256"]))
        if item is not None:
            item["decisions"].append(_decision(row))

    flagged = [item for item in items if item["reasons"]]
    for n, item in enumerate(flagged):
        drawn = n < max_timelines and item["media_type"] != "image"
        item["timeline"] = _timeline_uri(segments, item["sha256"], threshold) if drawn else None
        item["timeline_skipped"] = n >= max_timelines
        found = analysis(item["sha256"]) if analysis is not None and item["sha256"] else ""
        item["analysis"] = markupsafe.Markup(found) if found else None
        shown = pictures(item["sha256"]) if pictures is not None and item["sha256"] else ""
        item["picture"] = markupsafe.Markup(shown) if shown else None
        item["players"] = []

    unavailable = unavailable_analyses(results)
    source = results["source"].astype("string")
    line = f"The dashed line is the flag threshold {threshold:.2f}."
    figures = [
        (
            "Score distribution",
            f"Every scored item by media type, coloured by the Resemble score band it sits "
            f"in (the background). {line}",
            plots.score_distribution(results, threshold=threshold),
        ),
        (
            "Items ranked by score",
            f"Highest score first, each bar named and coloured by its score band. {line}",
            plots.ranked_scores(results, threshold=threshold),
        ),
        (
            "Triage progress",
            "Reviewer verdicts so far, for all items and for those scored at or above the "
            "threshold.",
            plots.triage_progress(results, threshold=threshold),
        ),
    ]
    score = results["score"].astype("Float64")
    return {
        "case_name": case_name,
        "generated_at": _when(generated_at),
        "version": __version__,
        "threshold": threshold,
        "sandbox": bool((source == "sandbox").fillna(False).any()),
        "n_items": len(results),
        "n_scored": int(score.notna().sum()),
        "n_over": int((score >= threshold).fillna(False).sum()),
        "n_reviewed": int(results["verdict"].notna().sum()),
        "status_counts": _counts(results["status"], _categories(results["status"]), None),
        "label_counts": _counts(results["label"], list(plots.LABELS), "no result"),
        "verdict_counts": _counts(results["verdict"], list(plots.VERDICTS), "not reviewed"),
        "case_meta": [(str(k), cell_text(v)) for k, v in case_meta.items()],
        "plots": [
            (title, caption, plots.figure_to_data_uri(fig, dpi=_PLOT_DPI))
            for title, caption, fig in figures
        ],
        "items": items,
        "flagged": flagged,
        "max_timelines": max_timelines,
        "analysis_methods": list(analysis_methods),
        "analyses_unavailable": unavailable,
        "label_colors": plots.LABEL_COLORS,
        "score_bands": SCORE_BANDS,
        "no_label_color": plots.NO_LABEL_COLOR,
    }


# --------------------------------------------------------------------------- safety


def _where_secret(frames: Mapping[str, pd.DataFrame]) -> str:
    """Name the frame, column and item holding a secret (never the secret)."""
    for frame_name, frame in frames.items():
        for column in frame.columns:
            if frame[column].dtype.kind not in "OSU" and str(frame[column].dtype) != "string":
                continue
            for position, value in enumerate(frame[column].tolist()):
                if find_secrets(cell_text(value)):
                    names = frame["name"].tolist() if "name" in frame.columns else None
                    name = "?" if names is None else cell_text(names[position])
                    return f" (in {frame_name} column {column!r}, item {name!r})"
    return ""


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"the {what} frame has no column(s) {', '.join(map(repr, missing))}; pass case.{what}()"
        )


def _check_no_secrets(html: str, path: Path, frames: Mapping[str, pd.DataFrame]) -> None:
    """Refuse a report holding a secret this process knows or a private key (see
    :mod:`resemble_nb._core.secrets`); evidence merely shaped like a token is shown."""
    found = find_secrets(html) or find_secrets(unescape(html))
    if found:
        raise UnsafeReportError(
            f"refusing to write the report {path}: it would contain {', '.join(found)}"
            f"{_where_secret(frames)}. Remove it from where you typed it and try again; "
            "nothing was written."
        )


# --------------------------------------------------------------------------- public


def _shown(value: Any) -> Any:
    """Every value the template prints: text with hidden characters made visible
    (markup the report built itself is left as it is)."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return visible(value)
    return value


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("resemble_nb.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # a direction override or zero-width character in a name could disguise it:
        # every value shown is written with such characters as visible escapes
        finalize=_shown,
    )
    return env


def render_report(
    results: pd.DataFrame,
    segments: pd.DataFrame,
    decisions: pd.DataFrame,
    *,
    path: str | os.PathLike[str],
    case_name: str,
    threshold: float = DEFAULT_THRESHOLD,
    generated_at: datetime | None = None,
    case_meta: Mapping[str, Any] | None = None,
    max_timelines: int = 50,
    reliability: Mapping[str, Any] | None = None,
    agreement: Mapping[str, Any] | None = None,
    analysis: Callable[[str], str] | None = None,
    analysis_methods: Sequence[str] = (),
    custody: Mapping[str, Any] | None = None,
    seal: Callable[[str], str] | None = None,
    pictures: Callable[[str], str] | None = None,
) -> Path:
    """Write the case's self-contained HTML report to ``path`` and return the path.

    Args:
        results, segments, decisions: ``case.results()``, ``case.segments()``,
            ``case.decisions()``.
        path: The HTML file to write (folders are created; written atomically).
        case_name: Shown in the title and summary.
        threshold: Scores at or above it are flagged (0..1).
        generated_at: The time printed as "generated" (default: now, UTC).
        case_meta: Extra facts for the summary, e.g. ``{"reviewer": "ana"}``.
        max_timelines: At most this many flagged items get a timeline plot (highest
            scores first); the rest are listed with their facts.
        reliability: The section "How reliable is this threshold?" (from
            :func:`resemble_nb.evaluation.reliability_section`; ``case.report`` adds it).
        agreement: The section "How far do the reviewers agree?" of a team review (from
            :func:`resemble_nb.evaluation.agreement_section`; ``case.report`` adds it).
        analysis: ``sha256 -> HTML`` of a flagged item's extra analyses (intelligence,
            tracing, watermark, C2PA, reverse search, heatmaps, questions), already
            escaped (see ``resemble_nb.report._analysis_view``); ``case.report()`` passes it.
        analysis_methods: Method-section sentences, one per analysis used.
        custody: The custody appendix's facts (chain head, signers, exhibits), from
            :class:`resemble_nb.custody.ReportCustody` (``case.report`` passes it).
        seal: Called with the finished HTML; returns it with the signed custody manifest
            embedded (``case.report`` passes it).
        pictures: ``sha256 -> HTML`` of a flagged item's picture (an image with its
            heatmap over it, a video's key frames), already escaped (see
            ``resemble_nb.report._pictures``); ``case.report()`` passes it. The custody
            exhibits' players (``media``) are shown in their items' sections.

    Raises:
        UnsafeReportError: the rendered report holds a secret this process knows.
        ValueError: a frame lacks a column or ``threshold`` is outside 0..1.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, not {threshold!r}")
    for what, frame, needed in (
        ("results", results, ("name", "sha256", "paths", "score", "label", "verdict", "source")),
        ("segments", segments, ("sha256", "name", "track", "kind", "start_s", "score")),
        ("decisions", decisions, ("sha256", "verdict", "note", "reviewer", "decided_at")),
    ):
        _require(frame, needed, what)
    target = check_output(path)  # a device, FIFO, folder or symlink: refused before any work
    context = _context(
        results,
        segments,
        decisions,
        case_name=case_name,
        threshold=threshold,
        generated_at=generated_at or datetime.now(timezone.utc),
        case_meta=case_meta or {},
        max_timelines=max_timelines,
        analysis=analysis,
        analysis_methods=analysis_methods,
        pictures=pictures,
    )
    context["reliability"] = reliability
    context["agreement"] = agreement
    context["custody"] = dict(custody) if custody else None
    by_sha = {item["sha256"]: item for item in context["flagged"]}
    for exhibit in (custody or {}).get("exhibits") or []:
        item = by_sha.get(exhibit.get("source_sha256"))
        if item is not None and exhibit.get("kind") == "clip":
            item["players"].append(markupsafe.Markup(exhibit_player_html(exhibit)))
    context["csp"] = REPORT_CSP  # no script runs, images and exhibits only from data:
    html = _environment().get_template("report.html.j2").render(**context)
    if seal is not None:
        html = seal(html)
    frames = {"results": results, "decisions": decisions}
    _check_no_secrets(html, target, frames)
    write_atomically(target, html)
    return target
