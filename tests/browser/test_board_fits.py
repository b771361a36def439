"""The triage board fits a 1440x900 screen and a laptop's 1280x800 (issue 20 item 2).

One board, looked at at both sizes: the inspector (player, timeline) never runs under
the side column; the filters and order sit above the queue; an image opens fitted
(contained) with a true zoom reading and its heatmap over it at every zoom; a new order
keeps the current item. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from .test_inspector import inspector, media_ready, open_board, triage_board

SIZES = ((1440, 900), (1280, 800))
_GEOMETRY = """() => {
    const r = (el) => { if (!el) return null; const b = el.getBoundingClientRect();
        return {x: b.x, y: b.y, right: b.right, bottom: b.bottom, w: b.width, h: b.height}; };
    const insp = document.querySelector('.rnb-triage .rnb-insp');
    const img = document.querySelector('.rnb-insp-imginner img:not(.rnb-insp-heat)');
    return {
        insp: r(insp),
        inspOverflow: insp.scrollWidth - insp.clientWidth,
        side: r(document.querySelector('.rnb-triage .rnb-triage-side')),
        canvas: r(document.querySelector('.rnb-insp canvas.rnb-insp-timeline:not([hidden])')),
        filters: r(document.querySelector('.rnb-triage .rnb-triage-filters')),
        head: r(document.querySelector('.rnb-insp-head')),
        wrap: r(document.querySelector('.rnb-insp-imgwrap')),
        img: r(img),
        natural: img ? [img.naturalWidth, img.naturalHeight] : null,
        heat: r(document.querySelector('.rnb-insp-imginner img.rnb-insp-heat')),
        zoom: (document.querySelector('.rnb-insp-zoom') || {}).textContent,
    };
}"""


def _geometry(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(_GEOMETRY)
    return found


def _same_box(a: dict[str, float], b: dict[str, float]) -> bool:
    return all(abs(a[k] - b[k]) <= 1.0 for k in ("x", "y", "w", "h"))


def _check_image(page: Page, size: tuple[int, int], artifacts: Path) -> None:
    insp = inspector(page)
    g = _geometry(page)
    wrap, img, heat = g["wrap"], g["img"], g["heat"]
    # fitted: the whole image inside its frame, the zoom reading what is on screen
    assert img["w"] <= wrap["w"] + 1 and img["h"] <= wrap["h"] + 1, g
    assert abs(img["w"] - wrap["w"] + 2) <= 2 or abs(img["h"] - wrap["h"] + 2) <= 2, g
    assert g["zoom"] == f"{round(100 * img['w'] / g['natural'][0])}%", g
    assert heat is not None and _same_box(heat, img), g
    assert img["right"] <= g["side"]["x"] + 0.5, g
    page.screenshot(path=str(artifacts / f"board-image-{size[0]}x{size[1]}.png"))
    for press in ("+", "+", "−", "−", "−"):  # zoom in and out: the heatmap stays on it
        insp.get_by_role("button", name=press, exact=True).click()
        g = _geometry(page)
        assert _same_box(g["heat"], g["img"]), (press, g)
        assert g["zoom"] == f"{round(100 * g['img']['w'] / g['natural'][0])}%", g
    insp.get_by_role("button", name="fit").click()
    fitted = _geometry(page)
    assert fitted["img"]["h"] <= fitted["wrap"]["h"] + 1, fitted
    assert fitted["img"]["w"] <= fitted["wrap"]["w"] + 1, fitted
    assert _same_box(fitted["heat"], fitted["img"]), fitted


def test_the_board_fits_both_screens(lab_page: Page, lab_url: str, artifacts: Path) -> None:
    page = lab_page
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    open_board(page, lab_url, "board_fits.ipynb", "rnb-fits-", "speech.wav")
    board, insp = triage_board(page), inspector(page)
    media_ready(page, "audio")
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        board.locator("input[placeholder^='go to']").fill("speech")
        board.locator("input[placeholder^='go to']").press("Enter")
        expect(insp.locator(".rnb-insp-name")).to_have_text("speech.wav")
        board.evaluate("b => b.scrollIntoView({block: 'start'})")
        page.wait_for_function(
            "() => { const c = document.querySelector('.rnb-insp canvas.rnb-insp-timeline');"
            " const i = document.querySelector('.rnb-triage .rnb-insp');"
            " return c && !c.hidden && c.getBoundingClientRect().right <= "
            " i.getBoundingClientRect().right + 0.5; }"
        )
        g = _geometry(page)
        # the player and its timeline end where the side column begins
        assert g["insp"]["right"] <= g["side"]["x"] + 0.5, g
        assert g["canvas"]["right"] <= g["side"]["x"] + 0.5, g
        assert g["inspOverflow"] <= 0, g
        # the filters and order are above the item, on the first screen
        assert g["filters"]["bottom"] <= g["head"]["y"], g
        assert g["filters"]["y"] >= 0 and g["head"]["bottom"] <= height, g
        for words in ("Confirmed fake", "Inconclusive"):
            button = board.get_by_role("button", name=re.compile(words))
            expect(button).to_be_in_viewport(ratio=1.0)
        page.screenshot(path=str(artifacts / f"board-audio-{width}x{height}.png"))

        board.locator("input[placeholder^='go to']").fill("portrait")
        board.locator("input[placeholder^='go to']").press("Enter")
        expect(insp).to_have_attribute("data-kind", "image")
        page.wait_for_function(
            "() => { const i = document.querySelector('.rnb-insp-imginner img');"
            " const w = document.querySelector('.rnb-insp-imgwrap');"
            " return i && i.complete && i.naturalWidth > 0 && w.dataset.fit === '1'; }"
        )
        _check_image(page, (width, height), artifacts)

        # a new order keeps the item the reviewer is on
        order = board.locator(".rnb-triage-filters select").first
        chosen = order.evaluate("s => s.selectedIndex")
        order.select_option(index=0 if chosen else 1)
        expect(board).to_contain_text(re.compile(r"Item \d+ of \d+"))
        expect(insp.locator(".rnb-insp-name")).to_have_text("portrait.png")
