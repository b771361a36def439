"""The one HTML rule (resemble_nb._core.markup): hostile text, links and data URIs."""

from __future__ import annotations

import base64

import pytest
from _html_audit import audit

from resemble_nb._core.markup import (
    image_uri,
    link,
    rebuild_data_uri,
    sniff_image,
    text,
)
from resemble_nb.report._analysis_view import analysis_html

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
BREAKING = "data:image/png' onerror='alert(1)' x=';base64," + base64.b64encode(PNG).decode()


def test_a_breaking_data_uri_is_rebuilt_from_its_bytes() -> None:
    uri, why = rebuild_data_uri(BREAKING)
    assert why is None and uri == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert rebuild_data_uri("data:image/png;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+") == (
        None,
        "not a PNG, JPEG, WebP or GIF image",
    )  # an SVG with a script, claiming to be a PNG
    assert rebuild_data_uri("data:image/png;base64,!!!")[0] is None
    assert image_uri(b"<svg onload=alert(1)>") is None
    assert sniff_image(b"RIFF\0\0\0\0WEBPVP8 ") == "image/webp"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        'https://x.example/" onmouseover="alert(1)',
        "https:///nohost",
        "vbscript:msgbox(1)",
        "",
        None,
    ],
)
def test_only_http_links_are_links(url: object) -> None:
    assert link(url) is None


def test_the_analysis_fragment_keeps_hostile_words_as_text() -> None:
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    analysis = {
        "intelligence_status": "completed",
        "intelligence": evil,
        "findings": {evil: evil},
        "source_tracing": evil,
        "watermark": "found",
        "c2pa": evil,
        "reverse_hits": 2,
        "reverse_sources": [
            {"url": "javascript:alert(3)", "title": evil, "verdict": evil, "reason": evil},
            {"url": "https://ok.example/a'b\"c", "title": evil},
            {"url": "https://ok.example/page", "title": "fine"},
        ],
    }
    html = analysis_html(analysis, (), [("image_heatmap", BREAKING), ("ifl", b"<svg/>")])
    assert audit(html) == []
    assert text(evil) in html
    assert 'href="https://ok.example/page"' in html
    assert html.count("<a ") == 1
    assert "ifl: not shown (not a PNG, JPEG, WebP or GIF)" in html
    assert 'src="data:image/png;base64,' in html and "onerror" not in html.replace(text(evil), "")
