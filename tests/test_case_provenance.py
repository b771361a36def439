"""Local provenance beside the API's C2PA: case.results(), the board's panel, the report."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from _c2pa_factory import SIGNER_ORG, make_signer, png_bytes, wav_bytes

import resemble_nb as rnb
from resemble_nb.api import Client
from resemble_nb.case import Case
from resemble_nb.case._analysis import CaseAnalysis
from resemble_nb.sandbox import Sandbox

pytest.importorskip("c2pa")

FAST = (0.05, 0.5)


@pytest.fixture
def reviewed(tmp_path: Path, sandbox: Sandbox) -> Iterator[Case]:
    case = Case(tmp_path / "acme")
    (tmp_path / "plain.png").write_bytes(png_bytes(tint=77))
    make_signer().sign(
        tmp_path / "plain.png", case.uploads / "signed.png", "image/png", "Press photo"
    )
    (case.uploads / "call.wav").write_bytes(wav_bytes(tone=9))
    client = Client(api_key=sandbox.api_key, base_url=sandbox.base_url)
    case.review(case.uploads, client=client, display=False, poll_interval=FAST).wait(60)
    client.close()
    yield case
    case.close()


def _sha(case: Case, name: str) -> str:
    frame = case.results()
    return str(frame.loc[frame["name"] == name, "sha256"].iloc[0])


def test_results_show_the_files_own_c2pa_beside_the_apis(reviewed: Case) -> None:
    frame = reviewed.results().set_index("name")
    assert frame.loc["signed.png", "local_c2pa"] == "Valid"
    assert frame.loc["call.wav", "local_c2pa"] == "NotPresent"
    assert frame["c2pa"].notna().all()  # the API's own answer, in the column before


def test_the_boards_panel_shows_the_files_own_c2pa(reviewed: Case) -> None:
    source = CaseAnalysis(reviewed, None)
    html = source.analysis_html(_sha(reviewed, "signed.png"))
    assert "C2PA in the file: valid" in html and f"signed by {SIGNER_ORG}" in html
    assert "Press photo" in html
    assert html.index("C2PA:") < html.index("C2PA in the file")  # beside the API's badge


def test_the_report_gives_each_item_its_local_c2pa_in_the_custody_facts(
    reviewed: Case,
) -> None:
    path = reviewed.report(reviewer="ana")
    text = path.read_text()
    custody = text[text.index('id="custody-' + _sha(reviewed, "signed.png")) :]
    facts = custody[: custody.index("</section>")]
    assert "C2PA in the file" in facts and "<b>Valid</b>" in facts
    assert f"signed by {SIGNER_ORG}" in facts and "read at intake with c2pa-python" in facts
    assert re.search(r"C2PA per Resemble</dt><dd[^>]*><b>\w+</b>", facts)
    assert rnb.verify(reviewed.folder).ok
