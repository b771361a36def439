"""Options that add analyses vs options that change the detection; a plan before any bill.

Over HTTP against the sandbox (issue 19): a result with the same detection options and
more analyses answers a plainer request; an intelligence report missing from one is
added to its detect (``POST /intelligence``), not made by a new detect; a detection
option change makes new detects, and ``case.plan`` said so, counting exactly the
requests the review then sends.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from resemble_nb.case import Case
from resemble_nb.sandbox import Sandbox
from resemble_nb.widgets import JobBoard

from .helpers import FAST, SAMPLES, client_for, duplicates

MEDIA = ["speech.wav", "voicemail.mp3", "portrait.png", "street.jpg", "interview.mp4"]
CREATES = ("POST /detect", "POST /detect/batch", "POST /secure_uploads", "POST /intelligence")


def _evidence(tmp_path: Path) -> Path:
    folder = tmp_path / "evidence"
    folder.mkdir()
    for name in MEDIA:
        shutil.copy2(SAMPLES / name, folder / name)
    return folder


def _creates(sandbox: Sandbox) -> dict[str, int]:
    """Requests that create something (uploads, detects, reports), by endpoint."""
    counts = sandbox.stats()["requests"]
    return {k: sum(v.values()) for k, v in counts.items() if k in CREATES}


def _sent(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}


def _review(case: Case, folder: Path, sandbox: Sandbox, **options: object) -> dict[str, int]:
    """Plan, review, and check the plan counted what was sent; return what was sent."""
    plan = case.plan(folder, **options)
    before = _creates(sandbox)
    run = case.review(
        folder, client=client_for(sandbox), display=False, poll_interval=FAST, **options
    ).wait(120)
    sent = _sent(before, _creates(sandbox))
    assert sent == plan.endpoints, (plan, sent)
    assert run.plan == plan  # the board showed the same line before sending
    assert set(run.progress.counts) == {"completed"}
    return sent


def test_a_plain_review_after_a_rich_one_creates_nothing(tmp_path: Path, sandbox: Sandbox) -> None:
    folder = _evidence(tmp_path)
    with Case(tmp_path / "case") as case:
        rich = _review(case, folder, sandbox, intelligence=True, visualize=True)
        assert rich == {"POST /detect/batch": 1}
        plan = case.plan(folder)
        assert (plan.done, plan.to_send, plan.requests, plan.new_detects) == (5, 0, 0, 0)
        assert "nothing to send" in str(plan) and "5 done" in repr(plan)
        assert "<p>" in plan._repr_html_()
        assert _review(case, folder, sandbox) == {}  # notebook 02's second review
        run = case.review(folder, client=client_for(sandbox), display=False)
        plan = run.wait_for_plan(30)
        board = JobBoard(run)  # the live board says the plan before anything is sent
        try:
            assert plan is not None and str(plan) in board._header.value
        finally:
            run.wait(60)
            board.close()
        rows = case.results().set_index("name").loc[MEDIA]
        assert rows["intelligence"].notna().all() and rows["heatmap"].all()
    assert not duplicates(sandbox)


def test_a_rich_review_after_a_plain_one_adds_only_the_missing_report(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    folder = _evidence(tmp_path)
    with Case(tmp_path / "case") as case:
        _review(case, folder, sandbox)
        first = case.results().set_index("name")["detect_uuid"].loc[MEDIA]
        plan = case.plan(folder, intelligence=True)
        assert (plan.new_detects, plan.added, plan.to_send) == (0, {"intelligence": 5}, 5)
        assert "intelligence added to 5 existing detects" in str(plan)
        sent = _review(case, folder, sandbox, intelligence=True)
        assert sent == {"POST /secure_uploads": 5, "POST /intelligence": 5}  # 0 new detects
        rows = case.results().set_index("name").loc[MEDIA]
        assert rows["intelligence"].notna().all()
        assert (rows["detect_uuid"] == first).all()  # the same detects, now with reports
        # asked again, richer or plainer: nothing more is sent
        assert case.plan(folder, intelligence=True).requests == 0
        assert case.plan(folder).requests == 0
    assert not duplicates(sandbox)


def test_a_detection_option_change_makes_new_detects_and_the_plan_said_so(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    folder = _evidence(tmp_path)
    with Case(tmp_path / "case") as case:
        _review(case, folder, sandbox, intelligence=True)
        plan = case.plan(folder, frame_length=1)
        # frame length changes how audio (and a video's audio track) is detected; images
        # are answered by what they have
        assert (plan.done, plan.new_detects) == (2, 3)
        assert "3 new detects" in str(plan)
        _review(case, folder, sandbox, frame_length=1)
        rows = case.results().set_index("name")
        # the plainer new detect is shown with the report its earlier detect holds
        assert rows.loc["speech.wav", "intelligence"] is not None
        assert "intelligence from detect" in str(rows.loc["speech.wav", "analyses_from"])
        assert (
            rows.loc["portrait.png", "analyses_from"] is None
            or str(rows.loc["portrait.png", "analyses_from"]) == "<NA>"
        )


def test_a_source_tracing_request_needs_a_new_detect_where_the_api_cannot_add_it(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sandbox = sandbox_factory()
    folder = _evidence(tmp_path)
    with Case(tmp_path / "case") as case:
        _review(case, folder, sandbox, intelligence=True)
        plan = case.plan(folder, audio_source_tracing=True)
        assert (plan.new_detects, plan.done) == (3, 2)  # audio and video; images done
        _review(case, folder, sandbox, audio_source_tracing=True)
        assert case.plan(folder, intelligence=True, audio_source_tracing=True).requests == 0


def test_while_a_newer_detect_has_no_result_the_latest_completed_one_is_shown(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    folder = _evidence(tmp_path)
    quick, stuck = sandbox_factory(), sandbox_factory(progress="polls:100000")
    with Case(tmp_path / "case") as case:
        _review(case, folder, quick, intelligence=True)
        before = case.results().set_index("name").loc[MEDIA]
        run = case.review(
            folder, client=client_for(stuck), display=False, poll_interval=FAST, frame_length=1
        )
        assert run.wait_for_plan(30) is not None
        run.cancel()
        run.wait(60)
        rows = case.results().set_index("name").loc[MEDIA]
        audio = ["speech.wav", "voicemail.mp3", "interview.mp4"]
        assert (rows.loc[audio, "status"] == "cancelled").all()  # the newer job, as it is
        assert (rows["label"] == before["label"]).all()  # the answer already paid for
        assert (rows["detect_uuid"] == before["detect_uuid"]).all()
        assert rows.loc[audio, "intelligence"].notna().all()
        for note in rows.loc[audio, "analyses_from"]:
            assert note.startswith("result from detect ")


def test_an_added_report_refused_is_kept_with_its_reason_and_a_throttled_one_asked_again(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    folder = tmp_path / "evidence"
    folder.mkdir()
    shutil.copy2(SAMPLES / "speech.wav", folder / "speech.wav")
    throttled = sandbox_factory(faults="POST /intelligence:429;times=1")
    with Case(tmp_path / "throttled") as case:
        _review(case, folder, throttled)
        client = client_for(throttled)
        run = case.review(folder, client=client, display=False, poll_interval=FAST,
                          intelligence=True).wait(60)  # fmt: skip
        assert run.progress.counts == {"failed": 1}  # nothing made: asked again later
        row = case.results().iloc[0]
        assert row["label"] is not None and str(row["analyses_from"]).startswith("result from")
        assert case.plan(folder, intelligence=True).added == {"intelligence": 1}
        assert _review(case, folder, throttled, intelligence=True) == {
            "POST /secure_uploads": 1, "POST /intelligence": 1,
        }  # fmt: skip
        assert case.results().iloc[0]["intelligence"] is not None
    broken = sandbox_factory(faults="POST /intelligence:500")
    with Case(tmp_path / "broken") as case:
        _review(case, folder, broken)
        _review(case, folder, broken, intelligence=True)  # completes, with the failure kept
        row = case.results().iloc[0]
        assert row["intelligence"] is pd.NA or row["intelligence"] is None
        assert "HTTP 500" in str(row["intelligence_error"])
        assert case.plan(folder, intelligence=True).requests == 0  # a paid answer, kept
