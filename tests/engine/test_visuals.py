"""Heatmaps sent as (pre-signed-like) URLs: fetched once, kept as bytes, never as URLs.

Over real HTTP against a sandbox whose ``visual_artifacts`` mode names each image
heatmap by a signed URL on its own loopback route (contract §3.4, §11).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from resemble_nb._core.markup import sniff_image
from resemble_nb.case import Case
from resemble_nb.sandbox import Sandbox
from resemble_nb.widgets._triage_views import ledger_heatmap

from .helpers import FAST, client_for

SAMPLES = Path(__file__).resolve().parents[2] / "resemble_nb" / "samples"
SIGNATURE = re.compile(r"X-Amz-Signature=([0-9a-f]{16,})")


def _review(tmp_path: Path, sandbox: Sandbox, strategy: str = "single") -> Case:
    case = Case(tmp_path / "case")
    run = case.review(
        [SAMPLES / "portrait.png", SAMPLES / "street.jpg"],
        client=client_for(sandbox),
        strategy=strategy,
        display=False,
        poll_interval=FAST,
        visualize=True,
        use_reverse_search=strategy == "single",  # single-only option
    ).wait(60)
    assert run.progress.counts == {"completed": 2}  # a heatmap never holds an item back
    return case


def _signatures(sandbox: Sandbox, case: Case) -> set[str]:
    """The signatures the sandbox put in the items' heatmap URLs (read as a client would)."""
    client = client_for(sandbox)
    found: set[str] = set()
    jobs = [
        j
        for n in ("portrait.png", "street.jpg")
        for j in case.ledger.jobs_for_item(case.item_key(n))
    ]
    for job in jobs:
        if job.detect_uuid:
            text = str(client.get_detect(job.detect_uuid).raw)
            found.update(SIGNATURE.findall(text))
    return found


def _heatmap_rows(case: Case) -> list[dict[str, Any]]:
    rows = case.ledger.analyses_rows()
    found = [dict(zip(rows.columns, row, strict=True)) for row in rows.rows]
    return [r for r in found if r["analysis"] == "heatmap"]


@pytest.mark.parametrize("strategy", ["single", "batch"])
def test_a_url_heatmap_is_fetched_once_without_the_key_and_shown_as_the_image(
    tmp_path: Path,
    sandbox_factory: Callable[..., Sandbox],
    caplog: pytest.LogCaptureFixture,
    strategy: str,
) -> None:
    sandbox = sandbox_factory(visual_artifacts="url")
    caplog.set_level(logging.DEBUG)
    case = _review(tmp_path, sandbox, strategy)
    stats = sandbox.stats()["artifacts"]
    assert stats["served"] == 4  # two heatmaps per image, each fetched once
    assert "with_authorization" not in stats  # the key never went to the artifact host
    for name in ("portrait.png", "street.jpg"):
        key = case.item_key(name)
        job = case.ledger.jobs_for_item(key)[-1]
        arts = {a.name: a for a in case.ledger.artifacts_for(job.id)}
        assert set(arts) == {"image_heatmap", "ifl_heatmap"}
        assert all(a.mime == "image/png" and sniff_image(a.data) for a in arts.values())
        assert ledger_heatmap(case, key).startswith("data:image/png;base64,")  # the board
    assert _heatmap_rows(case) == []  # nothing failed
    df = case.results()
    assert df["heatmap"].all()
    case.decide("portrait.png", "needs_escalation")
    html = case.report(tmp_path / "r.html").read_text()
    section = html[html.index('id="flagged"') : html.index('id="custody"')]
    assert re.search(r'<img src="data:image/png;base64,[^"]+"', section)
    # the URLs' signatures are secrets: nowhere in the ledger, report, frames or logs
    signatures = _signatures(sandbox, case)
    assert signatures
    ledger_bytes = Path(case.ledger.path).read_bytes()
    shown = html + df.to_string() + case.intelligence().to_string() + caplog.text
    assert "?[redacted]" in caplog.text  # httpx's request line, its query hidden
    for sig in signatures:
        assert sig.encode() not in ledger_bytes
        assert sig not in shown
        assert "_artifacts/" not in html


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("url_404", "HTTP 404"),
        ("url_html", "not an image"),
        ("url_huge", "larger than 10 MB"),
        ("url_redirect", "it points to a cloud metadata address"),
        ("url_private", "it points to a private address"),
    ],
)
def test_a_heatmap_url_that_fails_leaves_a_reason_and_the_item_completed(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox], mode: str, reason: str
) -> None:
    sandbox = sandbox_factory(visual_artifacts=mode)
    case = _review(tmp_path, sandbox)
    rows = _heatmap_rows(case)
    assert len(rows) == 2 and all(r["status"] == "failed" for r in rows)
    for row in rows:
        assert reason in row["reason"] and "http" not in row["reason"].lower().replace(
            "http 404", ""
        )
        assert case.ledger.artifacts_for(row["job_id"]) == []
    fetched = 0 if mode == "url_private" else 4  # a private host is never even tried
    assert sandbox.stats()["artifacts"].get("requests", 0) == fetched  # never retried
    assert "with_authorization" not in sandbox.stats()["artifacts"]
    conn = sqlite3.connect(case.ledger.path)
    text = "\n".join(str(r) for r in conn.execute("SELECT * FROM results"))
    conn.close()
    assert not SIGNATURE.search(text)


def test_the_sandbox_artifact_route_checks_its_signature(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    import httpx

    sandbox = sandbox_factory(visual_artifacts="url")
    client = client_for(sandbox)
    det = client.detect(file=SAMPLES / "portrait.png", visualize=True, wait=True)
    url = det.raw["image_metrics"]["ifl"]["heatmap"]
    assert url.startswith(sandbox.url) and "X-Amz-Signature=" in url
    assert sniff_image(httpx.get(url).content) == "image/png"
    assert httpx.get(url.replace("Signature=", "Signature=0")).status_code == 403
    with pytest.raises(ValueError, match="visual_artifacts"):
        sandbox.set_modes(visual_artifacts="sometimes")
