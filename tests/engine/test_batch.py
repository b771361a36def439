"""Batches: a 402 stays on its batch, a refused batch goes one by one, unknown outcomes."""

from __future__ import annotations

import math
from pathlib import Path

from resemble_nb.case import Case
from resemble_nb.sandbox import Sandbox

from .conftest import Review
from .helpers import client_for, duplicates, write_wav, write_wavs


def test_a_402_for_one_batch_fails_its_items_and_the_others_go_on(
    tmp_path: Path, case: Case, review: Review, sandbox_factory: type
) -> None:
    # 3.5 cents a file: the wallet covers 60 files, so one batch of 50 fits and the
    # other (50 or 20, whichever is sent second) is refused whole
    sandbox = sandbox_factory(wallet_cents=3.5 * 60)
    write_wavs(tmp_path / "evidence", 70, seconds=0.25)
    run = review(sandbox, tmp_path / "evidence")
    counts = run.progress.counts
    assert counts.get("completed", 0) + counts.get("failed", 0) == 70
    assert counts.get("completed") in (20, 50) and counts.get("failed") in (20, 50)
    failed = [i for i in run.items() if i.state == "failed"]
    for item in failed:
        assert item.error is not None and item.error.startswith(f"{item.name}: not analysed")
        assert "HTTP 402" in item.error and "wallet" in item.error
    frame = case.results()
    assert frame.loc[frame["status"] == "failed", "detect_uuid"].isna().all()
    assert sandbox.stats()["detects_created"] == counts["completed"]


def test_after_a_402_the_next_review_sends_only_what_failed(
    tmp_path: Path, review: Review, sandbox_factory: type
) -> None:
    sandbox = sandbox_factory(wallet_cents=3.5 * 60)
    write_wavs(tmp_path / "evidence", 70, seconds=0.25)
    first = review(sandbox, tmp_path / "evidence")
    done = first.progress.counts["completed"]
    sandbox.set_wallet(None)
    again = review(sandbox, tmp_path / "evidence")
    assert again.progress.counts == {"completed": 70}
    assert sandbox.stats()["detects_created"] == 70 and duplicates(sandbox) == {}
    assert done in (20, 50)


def test_a_refused_batch_is_sent_one_by_one_so_a_bad_file_fails_alone(
    tmp_path: Path, review: Review, sandbox_factory: type
) -> None:
    sandbox = sandbox_factory(faults="POST /detect/batch:400;times=1")
    write_wavs(tmp_path / "evidence", 6)
    run = review(sandbox, tmp_path / "evidence")
    assert run.progress.counts == {"completed": 6}
    stats = sandbox.stats()
    assert stats["uploads"] == 6 and stats["batches_created"] == 0
    assert run.stats()["batch_splits"] == 1


def test_a_dropped_batch_answer_is_reconciled_without_duplicates(
    tmp_path: Path, review: Review, sandbox_factory: type
) -> None:
    sandbox = sandbox_factory(faults="POST /detect/batch:drop_after;times=1")
    write_wavs(tmp_path / "evidence", 60, seconds=0.25)
    run = review(sandbox, tmp_path / "evidence")
    assert run.progress.counts == {"completed": 60}
    assert sandbox.stats()["detects_created"] == 60
    assert duplicates(sandbox) == {}
    assert run.stats()["reconciled"] in (10, 50)  # the batch whose answer was lost


def test_a_batch_lost_before_it_arrived_is_sent_again(
    tmp_path: Path, review: Review, sandbox_factory: type
) -> None:
    sandbox = sandbox_factory(faults="POST /detect/batch:500;times=1")
    write_wavs(tmp_path / "evidence", 5)
    run = review(sandbox, tmp_path / "evidence")
    assert run.progress.counts == {"completed": 5}
    assert sandbox.stats()["batches_created"] == 1 and duplicates(sandbox) == {}
    assert run.stats()["reconcile_lists"] == 1 and run.stats().get("reconciled", 0) == 0


def test_rate_limited_batches_wait_and_go(
    tmp_path: Path, review: Review, sandbox_factory: type
) -> None:
    sandbox = sandbox_factory(faults="POST /detect/batch:429;retry_after=0.2;times=2")
    write_wavs(tmp_path / "evidence", 3)
    run = review(sandbox, tmp_path / "evidence")
    assert run.progress.counts == {"completed": 3}
    assert sandbox.stats()["batches_created"] == 1


def test_batch_results_carry_per_file_results(
    tmp_path: Path, case: Case, review: Review, sandbox: Sandbox
) -> None:
    write_wavs(tmp_path / "evidence", 4, seconds=3.0)
    review(sandbox, tmp_path / "evidence")
    frame = case.results()
    assert frame["label"].notna().all() and frame["audio_score"].notna().all()
    assert frame["detect_uuid"].nunique() == 4
    windows = case.segments()
    assert windows.groupby("name").size().tolist() == [2, 2, 2, 2]  # 3 s in 2 s windows


def test_batch_detects_listed_out_of_file_order_land_on_the_right_files(
    tmp_path: Path, case: Case, review: Review, sandbox_factory: type
) -> None:
    # The contract does not promise that detect_uuids follow the files' order; this
    # sandbox lists them sorted by uuid. Each file has its own length, so a result
    # attached to the wrong file would show the wrong number of 2-second windows.
    sandbox = sandbox_factory(batch_order="sorted")
    lengths = {f"clip{i}.wav": 1.0 + 2.0 * i for i in range(6)}  # 1, 3, ... 11 s
    for name, seconds in lengths.items():
        write_wav(
            tmp_path / "evidence" / name, seconds=seconds, freq=180.0 + 20 * len(name) + seconds
        )
    run = review(sandbox, tmp_path / "evidence", strategy="batch")
    assert run.progress.counts == {"completed": 6}
    windows = case.segments().groupby("name").size().to_dict()
    assert windows == {name: math.ceil(seconds / 2) for name, seconds in lengths.items()}
    frame = case.results().set_index("name")
    with client_for(sandbox) as client:
        for name in lengths:
            detect = client.get_detect(frame.loc[name, "detect_uuid"])
            assert detect.filename is not None and detect.filename.startswith(name[:-4] + ".rnb-")
    assert duplicates(sandbox) == {}
