"""Every requested analysis waited for within bounds and kept with its outcome (issue 19).

Over HTTP against a sandbox whose audio source tracing (returned only for fake audio)
comes after the detect, or fails with a reason, as do watermark checks: a late one is
waited for until the run's patience ends, recorded as not returned, and fetched later
without a new detect; a failed one keeps its reason in results(), on the board's panel
and in the report.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from resemble_nb.case import Case
from resemble_nb.case._analysis import CaseAnalysis
from resemble_nb.sandbox import Sandbox

from .helpers import FAST, client_for, write_wav

CREATES = ("POST /detect", "POST /detect/batch", "POST /secure_uploads", "POST /intelligence")


def _calls(sandbox: Sandbox) -> dict[str, int]:
    counts = sandbox.stats()["requests"]
    return {k: sum(v.values()) for k, v in counts.items() if k in CREATES}


def _evidence(folder: Path) -> Path:
    """Audio the sandbox scores fake (planted by name) and one it scores real."""
    for i in range(3):
        write_wav(folder / f"fake_{i}.wav", seconds=1.0, freq=300.0 + 31 * i)
    write_wav(folder / "real_0.wav", seconds=1.0, freq=900.0)
    return folder


def test_late_source_tracing_is_waited_for_recorded_and_fetched_later_without_a_detect(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    now = [1000.0]
    sandbox = sandbox_factory(plant_truth=True, tracing_lag="time:60", clock=lambda: now[0])
    folder = _evidence(tmp_path / "evidence")
    client = client_for(sandbox)
    with Case(tmp_path / "case") as case:
        run = case.review(
            folder, client=client, display=False, poll_interval=FAST,
            audio_source_tracing=True, analysis_patience=0.3,
        ).wait(60)  # fmt: skip
        assert run.progress.counts == {"completed": 4}
        df = case.results().set_index("name")
        fake = df[df["label"] == "fake"]
        assert len(fake) >= 2
        assert fake["source_tracing"].isna().all()  # not returned yet: never guessed
        for reason in fake["source_tracing_error"]:
            assert "not returned by the service within 0.3 seconds" in reason
        real = df[df["label"] != "fake"]
        assert real["source_tracing_error"].isna().all()  # not expected: not waited for
        panel = CaseAnalysis(case, client).analysis_html(str(fake["sha256"].iloc[0]))
        assert "Source tracing not available" in panel and "0.3 seconds" in panel

        before = _calls(sandbox)
        now[0] += 120  # the tracing is ready now
        plan = case.plan(folder)
        assert (plan.refresh, plan.requests) == (len(fake), 0)
        refreshed = case.refresh_analyses(client, poll_interval=FAST)
        assert _calls(sandbox) == before  # read again, nothing created
        assert set(refreshed["name"]) == set(fake.index)
        df = case.results().set_index("name")
        fake = df.loc[fake.index]
        assert fake["source_tracing"].notna().all()
        assert fake["source_tracing_error"].isna().all()
        assert (fake["detect_uuid"] == run.results().set_index("name").loc[fake.index][
            "detect_uuid"]).all()  # fmt: skip
        assert case.plan(folder, audio_source_tracing=True).requests == 0


def test_a_later_review_fetches_a_late_tracing_too(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    now = [1000.0]
    sandbox = sandbox_factory(plant_truth=True, tracing_lag="time:60", clock=lambda: now[0])
    folder = _evidence(tmp_path / "evidence")
    client = client_for(sandbox)
    with Case(tmp_path / "case") as case:
        options = {"audio_source_tracing": True, "analysis_patience": 0.3}
        case.review(folder, client=client, display=False, poll_interval=FAST, **options).wait(60)
        now[0] += 120
        before = _calls(sandbox)
        case.review(folder, client=client, display=False, poll_interval=FAST, **options).wait(60)
        assert _calls(sandbox) == before
        df = case.results()
        assert df.loc[df["label"] == "fake", "source_tracing"].notna().all()


def test_failed_tracing_and_watermark_keep_their_reasons_everywhere(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sandbox = sandbox_factory(plant_truth=True, tracing_fail=1.0, watermark_fail=1.0)
    folder = _evidence(tmp_path / "evidence")
    client = client_for(sandbox)
    with Case(tmp_path / "case") as case:
        run = case.review(
            folder, client=client, display=False, poll_interval=FAST,
            audio_source_tracing=True, detect_watermark=True,
        ).wait(60)  # fmt: skip
        assert run.progress.counts == {"completed": 4}  # a failed analysis fails no item
        df = case.results().set_index("name")
        fake = df[df["label"] == "fake"]
        assert len(fake) >= 2
        assert fake["source_tracing"].isna().all()
        assert (fake["source_tracing_error"] == "Audio source tracing failed. "
                "(sandbox: tracing_fail)").all()  # fmt: skip
        assert (df["watermark"] == "failed").all()
        assert df["watermark_error"].str.contains("Watermark analysis failed").all()
        sha = str(fake["sha256"].iloc[0])
        panel = CaseAnalysis(case, client).analysis_html(sha)
        assert "Source tracing not available:</b> Audio source tracing failed." in panel
        assert "Watermark check not available:</b> Watermark analysis failed." in panel
        html = case.report(tmp_path / "report.html").read_text(encoding="utf-8")
        assert "Audio source tracing failed. (sandbox: tracing_fail)" in html
        assert "Watermark analysis failed. (sandbox: watermark_fail)" in html
        assert pd.isna(df.loc["real_0.wav", "source_tracing_error"])
        # the method section lists every item's unavailable analysis, flagged or not
        assert "real_0.wav: watermark check: Watermark analysis failed." in html
