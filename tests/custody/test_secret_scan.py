"""Evidence shaped like a token is evidence: a report and a bundle of it are written."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import resemble_nb as rnb
from resemble_nb.api import Client
from resemble_nb.case import Case
from resemble_nb.sandbox import Sandbox

from .conftest import FAST, SAMPLES

JWT_NAME = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJldmlkZW5jZSJ9.wav"


def test_a_file_named_like_a_jwt_is_reported_and_bundled_as_it_is(tmp_path: Path) -> None:
    case = Case(tmp_path / "jwt")
    shutil.copy2(SAMPLES / "speech.wav", case.uploads / JWT_NAME)
    with Sandbox(port=0) as sandbox:
        client = Client(api_key=sandbox.api_key, base_url=sandbox.base_url)
        case.review(case.uploads, client=client, display=False, poll_interval=FAST).wait(60)
        client.close()
    case.decide(JWT_NAME, "needs_escalation", f"the file {JWT_NAME} as received", reviewer="ana")
    report = case.report(tmp_path / "report.html", reviewer="ana")
    bundle = case.bundle(tmp_path / "handover.zip", reviewer="ana")
    case.close()
    assert JWT_NAME in report.read_text(encoding="utf-8")
    assert f"uploads/{JWT_NAME}" not in zipfile.ZipFile(bundle).namelist()  # media stay out
    assert JWT_NAME.encode() in zipfile.ZipFile(bundle).read("report.html")
    result = rnb.verify(bundle)
    assert result.ok, str(result)
