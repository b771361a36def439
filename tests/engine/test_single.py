"""Secure upload + detect: expired tokens, a refused file, unknown outcomes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from resemble_nb.case import Case
from resemble_nb.sandbox import Sandbox

from .conftest import Review
from .helpers import duplicates, states, write_wavs


def test_an_expired_token_is_made_again_once(
    tmp_path: Path, review: Review, sandbox_factory: type
) -> None:
    # tokens live 2 s (at least 1 s: whole seconds); the first detect request is held
    # 2.5 s at the server, so the token it carries has expired when it is read
    sandbox = sandbox_factory(token_ttl=2.0, faults="POST /detect:delay=2.5;times=1")
    write_wavs(tmp_path / "evidence", 3)
    run = review(sandbox, tmp_path / "evidence", strategy="single")
    assert run.progress.counts == {"completed": 3}
    assert sandbox.stats()["uploads"] == 4  # one file uploaded twice
    assert run.stats()["token_reuploads"] == 1
    assert duplicates(sandbox) == {}


def test_a_token_expired_by_the_sandbox_clock_is_made_again(
    tmp_path: Path, review: Review, sandbox_factory: type
) -> None:
    # the first detect request is held 1 s at the server; meanwhile its clock jumps an
    # hour ahead, so the token it carries has expired by the time it is read
    sandbox = sandbox_factory(faults="POST /detect:delay=1.0;times=1")
    write_wavs(tmp_path / "evidence", 1)

    def jump_after_the_upload() -> None:
        deadline = time.monotonic() + 20
        while sandbox.stats()["uploads"] < 1 and time.monotonic() < deadline:
            time.sleep(0.005)
        sandbox.advance_clock(3601)

    jumper = threading.Thread(target=jump_after_the_upload)
    jumper.start()
    run = review(sandbox, tmp_path / "evidence", strategy="single")
    jumper.join()
    assert run.progress.counts == {"completed": 1}
    assert sandbox.stats()["uploads"] == 2 and sandbox.stats()["detects_created"] == 1
    assert run.stats()["token_reuploads"] == 1


def test_a_token_that_keeps_expiring_fails_its_item_with_the_reason(
    tmp_path: Path, review: Review, sandbox_factory: type
) -> None:
    sandbox = sandbox_factory(token_ttl=0.0)
    write_wavs(tmp_path / "evidence", 1)
    run = review(sandbox, tmp_path / "evidence", strategy="single")
    item = run.items()[0]
    assert item.state == "failed"
    assert item.error is not None and item.error.startswith("clip000.wav: the media token")
    assert "expired" in item.error
    assert sandbox.stats()["uploads"] == 1 and sandbox.stats()["detects_created"] == 0


def test_a_4xx_for_one_file_lands_on_that_file_only(
    tmp_path: Path, review: Review, sandbox_factory: type
) -> None:
    sandbox = sandbox_factory(faults="POST /secure_uploads:400;times=1")
    write_wavs(tmp_path / "evidence", 5)
    run = review(sandbox, tmp_path / "evidence", strategy="single")
    assert run.progress.counts == {"completed": 4, "failed": 1}
    failed = next(i for i in run.items() if i.state == "failed")
    assert failed.error is not None and failed.error.startswith(
        f"{failed.name}: refused by the API"
    )
    assert "HTTP 400" in failed.error


def test_a_dropped_detect_answer_is_reconciled_with_zero_duplicates(
    tmp_path: Path, case: Case, review: Review, sandbox_factory: type
) -> None:
    # the sandbox creates the detect, then drops the connection: OutcomeUnknownError
    sandbox = sandbox_factory(faults="POST /detect:drop_after;times=2")
    write_wavs(tmp_path / "evidence", 4)
    run = review(sandbox, tmp_path / "evidence", strategy="single")
    assert run.progress.counts == {"completed": 4}
    assert sandbox.stats()["detects_created"] == 4
    assert duplicates(sandbox) == {}
    assert run.stats()["reconciled"] == 2
    assert case.results()["detect_uuid"].nunique() == 4


def test_a_detect_lost_before_it_arrived_is_sent_again(
    tmp_path: Path, review: Review, sandbox_factory: type
) -> None:
    sandbox = sandbox_factory(faults="POST /detect:drop;times=1")
    write_wavs(tmp_path / "evidence", 2)
    run = review(sandbox, tmp_path / "evidence", strategy="single")
    assert run.progress.counts == {"completed": 2}
    assert sandbox.stats()["detects_created"] == 2 and duplicates(sandbox) == {}


def test_server_errors_on_every_create_give_up_with_the_reason(
    tmp_path: Path, review: Review, sandbox_factory: type
) -> None:
    sandbox = sandbox_factory(faults="POST /detect:500")
    write_wavs(tmp_path / "evidence", 1)
    run = review(sandbox, tmp_path / "evidence", strategy="single")
    item = run.items()[0]
    assert item.state == "failed"
    assert "could not create the detect after 5 attempts" in str(item.error)
    assert sandbox.stats()["detects_created"] == 0


def test_single_results_have_segments(
    tmp_path: Path, case: Case, review: Review, sandbox: Sandbox
) -> None:
    write_wavs(tmp_path / "evidence", 2, seconds=5.0)
    run = review(sandbox, tmp_path / "evidence", strategy="single", frame_length=1)
    assert set(states(run).values()) == {"completed"}
    windows = case.segments()
    assert windows.groupby("name").size().tolist() == [5, 5]  # 5 s in 1 s windows
    assert windows["end_s"].max() == 5.0
