"""resemble_nb.report: the shareable HTML file and the results export."""

from __future__ import annotations

import base64
import io
import json
import os
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import _frames_factory as F
import pandas as pd
import pytest
from PIL import Image

from resemble_nb.api._token import MediaToken
from resemble_nb.report import UnsafeReportError, export_results, render_report

VOID = {"meta", "img", "br", "hr", "link", "input", "col", "area", "base", "source", "wbr"}
BANNER = "Synthetic results from the local sandbox — not real detections"
TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJtZWRpYSJ9.c2lnbmF0dXJl"


class Page(HTMLParser):
    """The parsed report: elements with their attributes and text, nesting checked."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str], list[str]]] = []
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self.errors: list[str] = []
        self.text_parts: list[str] = []
        self.doctype = ""
        self.feed(html)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed: {[t for t, _, _ in self.stack]}")

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = (tag, {k: v or "" for k, v in attrs}, [])
        self.elements.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else None}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)
        for _, _, text in self.stack:
            text.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def by_id(self, ident: str) -> str:
        for _, attrs, text in self.elements:
            if attrs.get("id") == ident:
                return " ".join(" ".join(text).split())
        raise AssertionError(f"no element with id {ident!r}")

    def ids(self, prefix: str) -> set[str]:
        return {a["id"] for _, a, _ in self.elements if a.get("id", "").startswith(prefix)}

    def attr_values(self, name: str) -> list[str]:
        return [a[name] for _, a, _ in self.elements if name in a]

    def tags(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a, _ in self.elements if t == tag]


@pytest.fixture
def case() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return F.demo_case()


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory: pytest.TempPathFactory) -> Page:
    """The demo case's report at the default threshold, rendered once for many tests."""
    return render(tmp_path_factory.mktemp("demo"), *F.demo_case(), case_name="Acme fraud")


def render(tmp_path: Path, results: Any, segments: Any, decisions: Any, **kw: Any) -> Page:
    kw.setdefault("case_name", "acme")
    path = render_report(results, segments, decisions, path=tmp_path / "r" / "report.html", **kw)
    assert path == tmp_path / "r" / "report.html"
    html = path.read_text(encoding="utf-8")
    page = Page(html)
    assert page.doctype.lower() == "doctype html"
    assert page.errors == []
    page.html = html  # type: ignore[attr-defined]
    return page


# --------------------------------------------------------------------------- content


def test_report_lists_every_item_with_its_facts(demo_page: Page, case: Any) -> None:
    results = case[0]
    page = demo_page
    assert page.tags("title")
    assert "Deepfake review: Acme fraud" in page.text
    table = page.by_id("items")
    for name in results["name"]:
        assert name in table
    # highest score first, the unscored item last
    order = [table.index(n) for n in ["call.wav", "clip.mp4", "street.jpg", "photo.png"]]
    assert order == sorted(order)
    assert table.index("broken.wav") > order[-1]
    assert "failed: corrupt media: no audio stream" in table
    assert "0.910 confirmed fake voice clone" in table
    summary = page.by_id("summary")
    assert "6 items in the case" in summary
    assert "3 flagged for review" in summary
    assert "2 reviewed by a person" in summary
    assert "completed 5" in summary and "failed 1" in summary
    assert "no result 1" in summary


def test_sandbox_banner_only_when_a_row_came_from_the_sandbox(tmp_path: Path, case: Any) -> None:
    results, segments, decisions = case
    page = render(tmp_path, results, segments, decisions)
    assert BANNER not in page.text
    assert "sandbox-banner" not in page.ids("sandbox")

    results.loc[results["name"] == "memo.mp3", "source"] = "sandbox"
    page = render(tmp_path, results, segments, decisions)
    banner = page.by_id("sandbox-banner")
    assert banner.startswith(BANNER)
    assert page.text.index(BANNER) < page.text.index("Summary")  # at the top
    assert "the local sandbox (synthetic)" in page.by_id(f"custody-{F.sha_of('memo.mp3')}")


def test_plots_are_embedded_pngs_and_nothing_is_fetched(demo_page: Page) -> None:
    page = demo_page
    sources = [img["src"] for img in page.tags("img")]
    # three case plots + a timeline for each flagged item with segments (call.wav, clip.mp4)
    assert len(sources) == 5
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        image = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
        assert image.format == "PNG" and image.width > 300
    assert all(img.get("alt") for img in page.tags("img"))
    for value in page.attr_values("src") + page.attr_values("href"):
        assert value.startswith(("#", "data:")), value
    anchors = {v[1:] for v in page.attr_values("href")}
    assert anchors <= {a["id"] for _, a, _ in page.elements if "id" in a}  # no dead links
    assert not page.tags("script") and not page.tags("link") and not page.tags("iframe")
    assert "url(" not in page.html  # type: ignore[attr-defined]
    assert "@import" not in page.html  # type: ignore[attr-defined]


def test_chain_of_custody_per_item(demo_page: Page, case: Any) -> None:
    results = case[0]
    page = demo_page
    assert len(page.ids("custody-")) == len(results)
    call = results[results["name"] == "call.wav"].iloc[0]
    custody = page.by_id(f"custody-{call['sha256']}")
    assert call["sha256"] in custody
    assert call["detect_uuid"] in custody
    assert "1008 bytes" in custody
    assert "/evidence/call.wav" in custody
    assert "submitted 2025-03-01 10:00:00 UTC" in custody
    assert "completed 2025-03-01 10:00:07 UTC" in custody
    history = [
        "2025-03-01 11:00:00 UTC · needs escalation by ana: “ask the caller”",
        "2025-03-01 12:30:00 UTC · confirmed fake by ben: “voice clone”",
    ]
    assert history[0] in custody and history[1] in custody
    assert custody.index(history[0]) < custody.index(history[1])  # append order kept
    broken = page.by_id(f"custody-{F.sha_of('broken.wav')}")
    assert "completed —" in broken and "decisions none yet" in broken


def test_every_path_an_item_was_seen_at(tmp_path: Path) -> None:
    row = F.result_row("a.wav", 0.2, paths=["/in/a.wav", "/copy/b.wav"])
    page = render(tmp_path, F.results([row]), F.segments(), F.decisions())
    custody = page.by_id(f"custody-{F.sha_of('a.wav')}")
    assert "/in/a.wav" in custody and "/copy/b.wav" in custody


def test_flagged_sections_only_for_flagged_items(
    demo_page: Page, tmp_path: Path, case: Any
) -> None:
    results, segments, decisions = case
    page = demo_page
    flagged = {f"flagged-{F.sha_of(n)}" for n in ("call.wav", "clip.mp4", "street.jpg")}
    assert page.ids("flagged-") == flagged
    assert "score 0.910 ≥ threshold 0.50" in page.by_id(f"flagged-{F.sha_of('call.wav')}")
    assert "images are scored as a whole" in page.by_id(f"flagged-{F.sha_of('street.jpg')}")

    # a higher threshold keeps only what the label or a reviewer flags
    results.loc[results["name"] == "memo.mp3", "verdict"] = "needs_escalation"
    page = render(tmp_path, results, segments, decisions, threshold=0.95)
    flagged = {f"flagged-{F.sha_of(n)}" for n in ("call.wav", "clip.mp4", "memo.mp3")}
    assert page.ids("flagged-") == flagged
    memo = page.by_id(f"flagged-{F.sha_of('memo.mp3')}")
    assert "verdict needs escalation" in memo and "score" not in memo.split("type")[0]
    assert "threshold 0.95" in page.text


def test_timelines_capped(tmp_path: Path, case: Any) -> None:
    page = render(tmp_path, *case, max_timelines=1)
    assert len(page.tags("img")) == 4
    assert "Timeline not drawn" in page.by_id(f"flagged-{F.sha_of('clip.mp4')}")


def test_method_and_limits(demo_page: Page) -> None:
    method = demo_page.by_id("method")
    for band in (
        "0.0 – 0.3 authentic",
        "0.3 – 0.5 inconclusive",
        "0.5 – 0.7 likely synthetic",
        "0.7 – 1.0 high-confidence synthetic",
    ):
        assert band in method
    assert "Scores are evidence, not proof" in method
    assert "Audio" in method and "Video" in method and "Image" in method


def test_method_bands_wear_the_colours_the_plots_give_them(demo_page: Page) -> None:
    """The method table's chips and the plots' bands are one table (0.37 reads inconclusive)."""
    from resemble_nb import plots
    from resemble_nb.api import SCORE_BANDS

    html = demo_page.html  # type: ignore[attr-defined]
    for band, (_lo, _hi, reading, colour) in zip(SCORE_BANDS, plots.BANDS, strict=True):
        chip = f'<span class="chip label-{band.label.value}">{reading}</span>'
        assert chip in html
        assert f".chip.label-{band.label.value} {{ background: {colour};" in html
    assert "an audio score of 0.37 can be labelled real while it reads as inconclusive" in (
        demo_page.by_id("method")
    )


def test_generated_time_and_case_meta(tmp_path: Path, case: Any) -> None:
    when = datetime(2025, 3, 2, 9, 0, tzinfo=timezone.utc)
    page = render(tmp_path, *case, generated_at=when, case_meta={"reviewer": "<i>ana</i>"})
    assert "Generated 2025-03-02 09:00:00 UTC" in page.text
    assert "reviewer <i>ana</i>" in page.by_id("case-meta")
    assert "&lt;i&gt;ana&lt;/i&gt;" in page.html  # type: ignore[attr-defined]


def test_empty_case(tmp_path: Path) -> None:
    page = render(tmp_path, F.results(), F.segments(), F.decisions())
    assert "No items in this case yet" in page.text
    assert "0 items in the case" in page.text
    assert len(page.tags("img")) == 3  # the plots say "no results yet"
    assert page.ids("flagged-") == set()


# --------------------------------------------------------------------------- safety


def test_names_and_notes_are_escaped(tmp_path: Path) -> None:
    evil = "<script>alert(1)</script>.wav"
    row = F.result_row(evil, 0.9, note='<img src="https://evil.example/x">', verdict="inconclusive")
    page = render(
        tmp_path, F.results([row]), F.segments(), F.decisions(), case_name="<marquee>x</marquee>"
    )
    html = page.html  # type: ignore[attr-defined]
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.wav" in html
    assert evil in page.by_id("items")  # shown to the reader as text
    assert not page.tags("script") and not page.tags("marquee")
    assert "Deepfake review: <marquee>x</marquee>" in page.text
    assert all(src.startswith("data:") for src in page.attr_values("src"))


def test_token_guard_refuses_to_write(tmp_path: Path, case: Any) -> None:
    """A media token this process holds, pasted into a note: refused, named, not shown."""
    MediaToken(TOKEN, filename="call.wav")  # issued to this process: now a known secret
    results, segments, decisions = case
    target = tmp_path / "report.html"
    target.write_text("previous report")
    decisions.loc[1, "note"] = f"pasted {TOKEN} by mistake"
    with pytest.raises(UnsafeReportError) as caught:
        render_report(results, segments, decisions, path=target, case_name="acme")
    message = str(caught.value)
    assert "a media token" in message and "nothing was written" in message
    assert "'note'" in message and "call.wav" in message
    assert TOKEN not in message and "eyJ" not in message
    assert target.read_text() == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temp file left


def test_token_in_case_meta_is_refused_too(tmp_path: Path, case: Any) -> None:
    MediaToken(TOKEN, filename="call.wav")
    with pytest.raises(UnsafeReportError):
        render_report(*case, path=tmp_path / "r.html", case_name="a", case_meta={"t": TOKEN})
    assert not (tmp_path / "r.html").exists()


def test_a_name_shaped_like_a_token_is_evidence_and_is_shown(tmp_path: Path, case: Any) -> None:
    """Nobody here holds this 'token': it is a file's name, and the report shows it."""
    results, segments, decisions = case
    name = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJldmlkZW5jZSJ9.wav"
    results = results.assign(name=[name, *results["name"].iloc[1:]])
    target = render_report(results, segments, decisions, path=tmp_path / "r.html", case_name="a")
    assert name in target.read_text(encoding="utf-8")


def test_bad_arguments(tmp_path: Path, case: Any) -> None:
    results, segments, decisions = case
    with pytest.raises(ValueError, match="threshold"):
        render_report(*case, path=tmp_path / "r.html", case_name="a", threshold=50)
    with pytest.raises(ValueError, match="'decided_at'"):
        render_report(
            results,
            segments,
            decisions.drop(columns="decided_at"),
            path=tmp_path / "r.html",
            case_name="a",
        )


# --------------------------------------------------------------------------- export


@pytest.fixture
def exported() -> pd.DataFrame:
    results, _, _ = F.demo_case()
    results.at[0, "paths"] = ["/in/call.wav", "/copy/call (1).wav"]
    results.loc[results["name"] == "memo.mp3", "note"] = '=HYPERLINK("http://x")'
    return results


def test_export_csv(tmp_path: Path, exported: pd.DataFrame) -> None:
    path = export_results(exported, tmp_path / "out" / "results.csv")
    back = pd.read_csv(path)
    assert list(back.columns) == list(exported.columns)
    assert back.loc[0, "paths"] == "/in/call.wav; /copy/call (1).wav"
    assert back.loc[0, "score"] == 0.91
    assert back["sha256"].tolist() == exported["sha256"].tolist()
    note = back.loc[back["name"] == "memo.mp3", "note"].iloc[0]
    assert note == '\'=HYPERLINK("http://x")'  # not run as a formula by a spreadsheet


def test_export_json_keeps_lists(tmp_path: Path, exported: pd.DataFrame) -> None:
    rows = json.loads(export_results(exported, tmp_path / "results.json").read_text())
    assert len(rows) == len(exported)
    assert rows[0]["paths"] == ["/in/call.wav", "/copy/call (1).wav"]
    assert rows[0]["submitted_at"].startswith("2025-03-01T10:00:00")
    assert rows[5]["score"] is None


def test_export_parquet_round_trips(tmp_path: Path, exported: pd.DataFrame) -> None:
    back = pd.read_parquet(export_results(exported, tmp_path / "results.parquet"))
    assert list(back["paths"].iloc[0]) == ["/in/call.wav", "/copy/call (1).wav"]
    assert back["label"].dtype == exported["label"].dtype
    assert back["score"].dtype == "Float64"
    assert back["submitted_at"].equals(exported["submitted_at"])


def test_export_unknown_suffix(tmp_path: Path, exported: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"results\.xlsx.*\.csv, \.parquet or \.json"):
        export_results(exported, tmp_path / "results.xlsx")


def test_report_is_readable_like_any_new_file(tmp_path: Path, case: Any) -> None:
    umask = os.umask(0o022)
    try:
        path = render_report(*case, path=tmp_path / "r.html", case_name="a")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644  # shareable, not the 0600 of a temp file
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
