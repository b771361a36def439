"""One item's extra analyses as HTML: for the triage board's panel and the report.

Pure functions over the ledger's analysis row and questions: intelligence text with its
structured fields as a short table, the source-tracing label, watermark and C2PA badges
each with a one-line meaning, reverse-search sources as links, and the questions asked
with their answers. Heatmaps are embedded as the image itself (``data:`` rebuilt from the
stored bytes by :func:`resemble_nb._core.markup.image_uri`), never as a URL. Every word of
the service goes through :mod:`resemble_nb._core.markup` (escaped text, double-quoted
attributes, http(s) links only).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .._core.markup import attr, decode_data_uri, image_uri, link
from .._core.markup import text as _e

__all__ = [
    "C2PA_MEANING",
    "METHOD_SENTENCES",
    "WATERMARK_MEANING",
    "analysis_html",
    "for_report",
    "item_html",
    "method_sentences",
    "richest",
    "unavailable_analyses",
]

WATERMARK_MEANING = {
    "found": "A Resemble or SynthID watermark was found: a watermarking generator made it.",
    "not_found": "No watermark was found (most generators add none: not proof it is real).",
    "pending": "The watermark check had not finished when the result was stored.",
    "failed": "The watermark check failed; the detect's verdict stands on its own.",
}
C2PA_MEANING = {
    "Valid": "Signed C2PA provenance is present and valid.",
    "NotPresent": "The file carries no C2PA provenance (most files do not).",
    "Unavailable": "C2PA provenance could not be checked.",
}
METHOD_SENTENCES = {
    "intelligence": "Intelligence: a multimodal model described each item (speaker, "
    "language, transcript, abnormalities, misinformation) in Resemble's words.",
    "source_tracing": "Audio source tracing: for audio judged fake, Resemble named the "
    "speech generator most likely to have made it.",
    "watermark": "Watermark detection: each file was checked for Resemble and SynthID "
    "watermarks; finding none does not show a file is authentic.",
    "c2pa": "C2PA: each file's signed provenance manifest, if any, was validated.",
    "reverse_search": "Reverse image search: images were looked up on the web and "
    "matching pages were listed with Resemble's reading of each.",
    "heatmap": "Heatmaps: Resemble's visualisation of where in the media the model found "
    "signs of manipulation; shown as images, embedded in this report.",
    "questions": "Questions: reviewers asked Resemble's Detect Intelligence about items in "
    "plain words; the answers are shown as given.",
}
"""One sentence per analysis for the report's method section."""

_STYLE = {
    "found": "#b91c1c",
    "not_found": "#374151",
    "pending": "#92400e",
    "failed": "#92400e",
    "Valid": "#166534",
    "NotPresent": "#374151",
    "Unavailable": "#92400e",
    "Trusted": "#166534",
    "Invalid": "#b91c1c",
    "Unreadable": "#92400e",
}


def _state_words(state: str) -> str:
    """A service state in words: ``NotPresent`` -> ``not present`` (the badge's colour and
    meaning still come from the state itself)."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", state).replace("_", " ").lower()


#: How a heatmap is named where a person reads it (the API's names are identifiers).
HEATMAP_NAMES = {
    "image_heatmap": "heatmap (where the image looks manipulated)",
    "ifl_heatmap": "heatmap (where the image looks manipulated)",
}


def _badge(text: str, state: str, meaning: str) -> str:
    color = _STYLE.get(state, "#374151")
    return (
        f'<div class="rnb-badge"><span style="border:1px solid {color};color:{color};'
        f'border-radius:4px;padding:0 4px;font-weight:600">{_e(text)}</span> '
        f'<span style="color:#4b5563">{_e(meaning)}</span></div>'
    )


def _findings_table(findings: Mapping[str, str]) -> str:
    if not findings:
        return ""
    rows = "".join(
        '<tr><th style="text-align:left;padding-right:8px;vertical-align:top">'
        f"{_e(name.replace('_', ' '))}</th><td>{_e(value)}</td></tr>"
        for name, value in findings.items()
    )
    return f'<table class="rnb-findings">{rows}</table>'


def _sources(sources: Sequence[Mapping[str, Any]]) -> str:
    if not sources:
        return "<div>Reverse image search: no matching pages found.</div>"
    items = []
    for s in sources:
        url = str(s.get("url") or "")
        title = s.get("title") or url or "(untitled)"
        href = link(url)
        shown = (
            f'<a href="{attr(href)}" target="_blank" rel="noopener noreferrer nofollow">'
            f"{_e(title)}</a>"
            if href is not None
            else _e(title)
        )
        extra = ", ".join(
            _e(x)
            for x in (
                s.get("verdict"),
                f"similarity {s['similarity']:.2f}" if isinstance(s.get("similarity"), float)
                else None,
                s.get("reason"),
            )
            if x
        )  # fmt: skip
        items.append(f"<li>{shown}{' — ' + extra if extra else ''}</li>")
    return f"<div>Reverse image search ({len(sources)}):<ul>{''.join(items)}</ul></div>"


def _questions(questions: Iterable[Any]) -> str:
    rows = []
    for q in questions:
        if q.status == "completed":
            answer = _e(q.answer or "")
        elif q.status == "failed":
            answer = f"<i>failed: {_e(q.error or 'no reason given')}</i>"
        else:
            answer = f"<i>{_e(q.status)}…</i>"
        rows.append(f"<li><b>Q:</b> {_e(q.query)}<br><b>A:</b> {answer}</li>")
    joined = "".join(rows)
    return f'<div>Questions:<ul class="rnb-questions">{joined}</ul></div>' if rows else ""


_NAMES = {
    "intelligence": "Intelligence",
    "source_tracing": "Source tracing",
    "watermark": "Watermark check",
    "heatmap": "Heatmap",
}


def _failures(failures: Mapping[str, str]) -> str:
    """Each analysis that failed or was not returned, with the service's reason."""
    rows = [
        f"<div class='rnb-analysis-failed' style='color:#92400e'><b>"
        f"{_e(_NAMES.get(name, name.replace('_', ' ')))} not available:</b> {_e(reason)}</div>"
        for name, reason in sorted(failures.items())
    ]
    return "".join(rows)


def _origins(origins: Mapping[str, str]) -> str:
    if not origins:
        return ""
    text = "; ".join(
        f"{_NAMES.get(name, name.replace('_', ' '))} from detect {uuid}"
        for name, uuid in sorted(origins.items())
    )
    return f"<div class='rnb-analysis-origin' style='color:#4b5563'>{_e(text)}</div>"


def analysis_html(
    analysis: Mapping[str, Any] | None,
    questions: Iterable[Any] = (),
    heatmaps: Sequence[tuple[str, str | bytes]] = (),
    local: Any = None,
    *,
    failures: Mapping[str, str] | None = None,
    origins: Mapping[str, str] | None = None,
) -> str:
    """The item's analyses as an HTML fragment (empty string when there is nothing).

    Args:
        analysis: The ledger's analysis row (:meth:`Ledger.analysis_for`), or ``None``.
        questions: The item's stored questions.
        heatmaps: ``(name, src)`` pairs, ``src`` the image's bytes or a ``data:`` URI
            (decoded, sniffed and rebuilt here whatever it claims; dropped if no image).
        local: The item's own C2PA manifest as read at intake (the ledger's
            ``ProvenanceRecord``), shown beside the API's C2PA badge.
        failures: ``{analysis: reason}`` for each analysis that failed or was not
            returned in time, shown with its reason.
        origins: ``{analysis: detect uuid}`` for analyses shown from an earlier detect
            than the item's latest.
    """
    parts: list[str] = []
    a = analysis or {}
    if a.get("intelligence_status") is not None:
        text = a.get("intelligence") or f"(intelligence {a['intelligence_status']})"
        parts.append(f'<div class="rnb-intelligence"><b>Intelligence:</b> {_e(text)}</div>')
        parts.append(_findings_table(a.get("findings") or {}))
    if a.get("source_tracing"):
        parts.append(
            f"<div><b>Source tracing:</b> {_e(a['source_tracing'])} "
            '<span style="color:#4b5563">(the generator Resemble attributes the audio to)'
            "</span></div>"
        )
    mark = a.get("watermark")
    if mark:
        parts.append(
            _badge(f"watermark: {mark.replace('_', ' ')}", mark, WATERMARK_MEANING.get(mark, ""))
        )
    c2pa = a.get("c2pa")
    if c2pa:
        parts.append(_badge(f"C2PA: {_state_words(c2pa)}", c2pa, C2PA_MEANING.get(c2pa, "")))
    if local is not None:
        parts.append(
            _badge(f"C2PA in the file: {_state_words(local.state)}", local.state, local.summary)
        )
    if a.get("reverse_hits") is not None:
        parts.append(_sources(a.get("reverse_sources") or []))
    for name, src in heatmaps:
        label = HEATMAP_NAMES.get(name, name.replace("_", " "))
        clean = image_uri(_bytes_of(src))  # whoever built it, only a sniffed image goes in
        if clean is None:
            parts.append(f"<div><i>{_e(label)}: not shown (not a PNG, JPEG, WebP or GIF)</i></div>")
            continue
        parts.append(
            f'<figure style="margin:4px 0"><img src="{attr(clean)}" alt="{attr(label)}" '
            f'style="max-width:360px;max-height:240px"><figcaption>{_e(label)}</figcaption>'
            "</figure>"
        )
    parts.append(_failures(failures or {}))
    parts.append(_origins(origins or {}))
    parts.append(_questions(questions))
    body = "".join(p for p in parts if p)
    return f'<div class="rnb-analysis">{body}</div>' if body else ""


def _bytes_of(src: str | bytes | None) -> bytes:
    if isinstance(src, bytes):
        return src
    return (decode_data_uri(src) if src else None) or b""


def method_sentences(analyses: Iterable[Mapping[str, Any]], asked: bool) -> list[str]:
    """The method-section sentences for the analyses present in a case."""
    present: set[str] = set()
    for a in analyses:
        present |= {
            name
            for name, on in (
                ("intelligence", a.get("intelligence_status") is not None),
                ("source_tracing", bool(a.get("source_tracing"))),
                ("watermark", bool(a.get("watermark_status") or a.get("watermark"))),
                ("c2pa", bool(a.get("c2pa"))),
                ("reverse_search", a.get("reverse_hits") is not None),
                ("heatmap", bool(a.get("heatmap"))),
            )
            if on
        }
    if asked:
        present.add("questions")
    return [sentence for name, sentence in METHOD_SENTENCES.items() if name in present]


_GROUPS = {
    "intelligence": ("intelligence_status", "intelligence", "findings", "abnormalities",
                     "transcription", "language"),
    "source_tracing": ("source_tracing",),
    "watermark": ("watermark_status", "watermark"),
    "c2pa": ("c2pa",),
    "reverse_search": ("reverse_hits", "reverse_top", "reverse_sources"),
    "heatmap": ("heatmap",),
}  # fmt: skip
_UNAVAILABLE = frozenset({"failed", "timed_out"})


def _has(row: Mapping[str, Any], group: str) -> bool:
    value = row.get(_GROUPS[group][0])
    return bool(value) if group == "heatmap" else value is not None


def richest(ledger: Any, sha256: str) -> tuple[dict[str, Any] | None, dict[str, str],
                                               dict[str, str], int | None]:  # fmt: skip
    """The item's analyses across its completed results, newest first per analysis:
    ``(analysis row, failures {name: reason}, origins {name: detect uuid}, heatmap job)``.

    The latest completed result gives what it holds; an analysis it lacks comes from the
    newest earlier result that holds it (named in ``origins``)."""
    jobs = [j for j in ledger.jobs_for_item(sha256) if j.state == "completed"][::-1]
    if not jobs:
        return None, {}, {}, None
    merged: dict[str, Any] | None = None
    failures: dict[str, str] = {}
    origins: dict[str, str] = {}
    heatmap_job: int | None = None
    done: set[str] = set()
    for index, job in enumerate(jobs):
        row = ledger.analysis_for(job.id) or {}
        result = ledger.result_for(job.id)
        states = result.analyses if result is not None else {}
        if merged is None:
            merged = dict(row)
        for group, columns in _GROUPS.items():
            if group in done:
                continue
            outcome = states.get(group) or {}
            failed = outcome.get("status") in _UNAVAILABLE
            if not _has(row, group) and not failed:
                continue
            done.add(group)
            if index:
                for column in columns:
                    merged[column] = row.get(column)
                origins[group] = str(job.detect_uuid)
            if failed:
                failures[group] = str(outcome.get("reason") or outcome.get("status"))
            if group == "heatmap" and _has(row, group):
                heatmap_job = job.id
    return merged, failures, origins, heatmap_job


def item_html(ledger: Any, sha256: str, *, local_c2pa: bool = False) -> str:
    """The item's analyses from the ledger as HTML: every analysis any of its completed
    results holds (:func:`richest`), each failure with its reason.

    With ``local_c2pa``, the C2PA manifest read from the file itself at intake too (the
    board shows it; the report has it in each item's custody facts).

    Heatmaps are embedded as the image itself, each distinct image once (an image's
    heatmap and its IFL heatmap are often the same picture).
    """
    found, failures, origins, heatmap_job = richest(ledger, sha256)
    heatmaps: list[tuple[str, str | bytes]] = []
    if heatmap_job is not None:
        seen: set[bytes] = set()
        for art in ledger.artifacts_for(heatmap_job):
            if art.name == "video_treeview" or art.data in seen:
                continue
            seen.add(art.data)
            heatmaps.append((art.name, art.data))
    local = ledger.provenance_for(sha256) if local_c2pa else None
    return analysis_html(
        found,
        ledger.questions(sha256),
        heatmaps[:2],
        local,
        failures=failures,
        origins=origins,
    )


def for_report(ledger: Any) -> tuple[Callable[[str], str], list[str]]:
    """What ``case.report()`` passes on: ``sha256 -> HTML`` and the method sentences.

    The HTML is made only for the items asked for (the flagged ones).
    """
    methods = method_sentences(ledger.findings_rows(), asked=bool(ledger.questions()))
    return (lambda sha256: item_html(ledger, sha256)), methods


_ERRORS = {
    "intelligence_error": "intelligence",
    "source_tracing_error": "source tracing",
    "watermark_error": "watermark check",
    "heatmap_error": "heatmap",
}


def unavailable_analyses(results: Any) -> list[tuple[str, str, str]]:
    """``(item, analysis, reason)`` for every analysis asked for that failed or was not
    returned in time, in the results' order (the reasons as the service gave them)."""
    out: list[tuple[str, str, str]] = []
    present = [c for c in _ERRORS if c in results.columns]
    if not present:
        return out
    for row in results[["name", *present]].to_dict("records"):
        for column in present:
            reason = row[column]
            if isinstance(reason, str) and reason:
                out.append((str(row["name"]), _ERRORS[column], reason))
    return out
