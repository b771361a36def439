"""A hostile service (the sandbox's ``hostile`` mode: markup in every text field, data
URIs that break out of attributes, javascript: links, a megabyte of text) never gets
markup into the report, the triage board or its analysis panel (issue 18, done-when 1).
Checked by parsing the HTML each one holds."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import ipywidgets as W
import pytest
from _html_audit import audit

from resemble_nb._core.markup import REPORT_CSP, text
from resemble_nb.api import Client
from resemble_nb.case import Case
from resemble_nb.sandbox import Sandbox
from resemble_nb.sandbox.hostile import MARKUP

SAMPLES = Path(__file__).resolve().parents[1] / "resemble_nb" / "samples"
CLEAN_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$")


@pytest.fixture(scope="module")
def hostile_case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Case, Client]]:
    folder = tmp_path_factory.mktemp("hostile")
    with Sandbox(port=0, hostile=True) as sandbox:
        client = Client(api_key=sandbox.api_key, base_url=sandbox.base_url)
        case = Case(folder / "acme")
        run = case.review(
            [SAMPLES], client=client, display=False, poll_interval=(0.05, 0.5),
            intelligence=True, visualize=True, use_reverse_search=True,
            audio_source_tracing=True,
        )  # fmt: skip
        run.wait(120)
        case.ask("portrait.png", "Is the lighting consistent?", client=client)
        yield case, client
        case.close()


def _widgets(root: Any) -> Iterator[Any]:
    yield root
    for child in getattr(root, "children", ()) or ():
        yield from _widgets(child)


def test_the_report_holds_no_live_markup(hostile_case: tuple[Case, Client], tmp_path: Path) -> None:
    case, _client = hostile_case
    for name in case.results()["name"]:
        if name != "notes.txt":
            case.decide(name, "needs_escalation")  # every item flagged: all analyses shown
    html = case.report(tmp_path / "hostile.html").read_text()
    assert audit(html) == []
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', html)
    assert csp is not None and unescape(csp.group(1)) == REPORT_CSP
    assert text(MARKUP) in html  # the words are there, as text
    assert "Reverse image search" in html and "Sandbox answer:" in html
    assert len(html) > 1_000_000  # the megabyte of text is shown, escaped


def test_every_item_on_the_board_and_its_panel_hold_no_live_markup(
    hostile_case: tuple[Case, Client],
) -> None:
    case, client = hostile_case
    board = case.triage(client=client, threshold=0.0)
    assert len(board.queue) >= 5
    heatmaps = 0
    panels: list[str] = []
    for sha in board.queue:
        board.show(sha)
        for widget in _widgets(board):
            if isinstance(widget, W.HTML | W.HTMLMath):
                assert audit(widget.value) == [], (sha, widget)
            value = getattr(widget, "heatmap", "")
            if value:
                heatmaps += 1
                assert CLEAN_IMAGE.match(value), value[:60]
            src = getattr(widget, "src", None)
            if isinstance(src, str) and src:
                assert src.startswith("resemble-nb/media/"), src[:60]
        panels += [w.value for w in _widgets(board) if isinstance(w, W.HTML)]
    assert heatmaps >= 1  # the image's heatmap was rebuilt from its bytes, not dropped
    shown = [p for p in panels if "Intelligence:" in p and "Reverse image search" in p]
    assert shown and all(text(MARKUP) in p for p in shown)  # the words, as text
