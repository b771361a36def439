"""The pipeline: content is identity, done items are not sent again, routing, failures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from resemble_nb.api import Client
from resemble_nb.case import Case
from resemble_nb.media import MediaItem, scan, sha256_file
from resemble_nb.sandbox import Sandbox

from .conftest import Review
from .helpers import FAST, SAMPLES, duplicates, states, write_wav, write_wavs


def test_same_content_under_two_paths_is_one_item_analysed_once(
    tmp_path: Path, case: Case, review: Review, sandbox: Sandbox
) -> None:
    evidence = tmp_path / "evidence"
    (evidence / "copies").mkdir(parents=True)
    shutil.copy(SAMPLES / "speech.wav", evidence / "call.wav")
    shutil.copy(SAMPLES / "speech.wav", evidence / "copies" / "call-again.wav")
    run = review(sandbox, evidence)
    assert run.progress.total == 1 and run.progress.counts == {"completed": 1}
    assert list(sandbox.stats()["detects_per_sha256"].values()) == [1]
    row = case.results().iloc[0]
    assert row["paths"] == [str(evidence / "call.wav"), str(evidence / "copies/call-again.wav")]


def test_a_second_review_submits_nothing(tmp_path: Path, review: Review, sandbox: Sandbox) -> None:
    first = review(sandbox, SAMPLES)
    requests = sandbox.stats()["requests_total"]
    second = review(sandbox, SAMPLES)
    assert states(second) == states(first)
    assert sandbox.stats()["requests_total"] == requests  # not even a poll
    assert sandbox.stats()["detects_created"] == 5


def test_force_analyses_done_items_again(
    tmp_path: Path, case: Case, review: Review, sandbox: Sandbox
) -> None:
    review(sandbox, SAMPLES / "speech.wav")
    first_uuid = case.results()["detect_uuid"].iloc[0]
    run = review(sandbox, SAMPLES / "speech.wav", force=True)
    assert run.progress.counts == {"completed": 1}
    assert list(sandbox.stats()["detects_per_sha256"].values()) == [2]
    assert case.results()["detect_uuid"].iloc[0] != first_uuid
    assert len(case.ledger.jobs_for_item(case.results()["sha256"].iloc[0])) == 2


def test_other_options_are_another_analysis(case: Case, review: Review, sandbox: Sandbox) -> None:
    review(sandbox, SAMPLES / "speech.wav")
    review(sandbox, SAMPLES / "speech.wav", intelligence=True)  # added to the detect
    review(sandbox, SAMPLES / "speech.wav", intelligence=True)
    assert list(sandbox.stats()["detects_per_sha256"].values()) == [1]
    assert sandbox.stats()["requests"]["POST /intelligence"] == {"200": 1}
    review(sandbox, SAMPLES / "speech.wav", frame_length=1)  # another detection
    review(sandbox, SAMPLES / "speech.wav", frame_length=1)
    assert list(sandbox.stats()["detects_per_sha256"].values()) == [2]


def test_small_files_go_in_batches_split_at_50(
    tmp_path: Path, review: Review, sandbox: Sandbox
) -> None:
    write_wavs(tmp_path / "evidence", 120, seconds=0.25)
    run = review(sandbox, tmp_path / "evidence")
    assert run.progress.counts == {"completed": 120}
    stats = sandbox.stats()
    assert stats["batches_created"] == 3 and stats["uploads"] == 0
    assert stats["detects_created"] == 120 and duplicates(sandbox) == {}
    assert run.stats()["requests"] < 20


def test_single_strategy_uses_secure_uploads(
    tmp_path: Path, review: Review, sandbox: Sandbox
) -> None:
    write_wavs(tmp_path / "evidence", 4)
    run = review(sandbox, tmp_path / "evidence", strategy="single")
    assert run.progress.counts == {"completed": 4}
    stats = sandbox.stats()
    assert stats["batches_created"] == 0 and stats["uploads"] == 4


def test_a_single_only_option_routes_auto_reviews_single(
    tmp_path: Path, review: Review, sandbox: Sandbox
) -> None:
    run = review(
        sandbox, [SAMPLES / "street.jpg", SAMPLES / "portrait.png"], use_reverse_search=True
    )
    assert run.progress.counts == {"completed": 2}
    assert sandbox.stats()["uploads"] == 2 and sandbox.stats()["batches_created"] == 0


def test_upload_names_carry_a_content_tag(case: Case, review: Review, sandbox: Sandbox) -> None:
    review(sandbox, SAMPLES / "speech.wav")
    job = case.ledger.jobs_in_state("completed")[0]
    assert job.submit_name is not None
    assert job.submit_name.startswith("speech.rnb-") and job.submit_name.endswith(".wav")
    assert job.submit_name[len("speech.rnb-") : -len(".wav")].startswith(job.sha256[:8])


def test_media_items_can_be_reviewed_directly(review: Review, sandbox: Sandbox) -> None:
    found = scan([SAMPLES / "speech.wav", SAMPLES / "street.jpg"])
    run = review(sandbox, found.items)
    assert states(run) == {"speech.wav": "completed", "street.jpg": "completed"}


def test_include_filters_files_in_folders(review: Review, sandbox: Sandbox) -> None:
    run = review(sandbox, SAMPLES, include="*.wav")
    assert sorted(states(run)) == ["damaged.wav", "speech.wav"]


def test_a_missing_path_is_a_skipped_row_naming_it(
    tmp_path: Path, review: Review, sandbox: Sandbox
) -> None:
    run = review(sandbox, [tmp_path / "gone.wav", SAMPLES / "speech.wav"])
    items = {i.name: i for i in run.items()}
    assert items["gone.wav"].state == "skipped"
    assert "gone.wav" in str(items["gone.wav"].error) and "not found" in str(
        items["gone.wav"].error
    )
    assert items["speech.wav"].state == "completed"


def test_a_refused_key_fails_every_item_with_the_reason(
    tmp_path: Path, case: Case, sandbox: Sandbox
) -> None:
    write_wavs(tmp_path / "evidence", 3)
    client = Client(api_key="not-a-team-key", base_url=sandbox.base_url)
    run = case.review(tmp_path / "evidence", client=client, display=False).wait(30)
    assert run.progress.counts == {"failed": 3}
    assert all("HTTP 401" in str(i.error) and i.name in str(i.error) for i in run.items())
    # nothing stuck: the next review with a good key submits them
    good = Client(api_key=sandbox.api_key, base_url=sandbox.base_url)
    again = case.review(tmp_path / "evidence", client=good, display=False, poll_interval=FAST)
    assert again.wait(30).progress.counts == {"completed": 3}


def test_an_unreachable_api_fails_items_quickly(tmp_path: Path, case: Case) -> None:
    write_wav(tmp_path / "call.wav")
    client = Client(api_key="k", base_url="http://127.0.0.1:9/api/v2", max_retries=0)
    run = case.review(tmp_path / "call.wav", client=client, display=False).wait(30)
    assert run.progress.counts == {"failed": 1}
    assert "could not reach" in str(run.items()[0].error)


def test_a_failed_detect_fails_its_item_and_is_not_sent_again(
    case: Case, review: Review, sandbox: Sandbox
) -> None:
    # an item made by hand skips the local integrity check, so the service sees the damage
    damaged = SAMPLES / "damaged.wav"
    item = MediaItem(
        sha256=sha256_file(damaged),
        size=damaged.stat().st_size,
        media_type="audio",
        mime="audio/wav",
        extension=".wav",
        duration=None,
        paths=(damaged,),
    )
    run = review(sandbox, [item, SAMPLES / "speech.wav"])
    failed = {i.name: i for i in run.items()}["damaged.wav"]
    assert failed.state == "failed"
    assert str(failed.error).startswith("damaged.wav: the analysis failed on the server")
    assert states(run)["speech.wav"] == "completed"
    row = case.results().set_index("name").loc["damaged.wav"]
    assert row["status"] == "failed" and row["detect_uuid"] is not pd.NA
    rerun = review(sandbox, [item])
    assert rerun.progress.counts == {"failed": 1}
    assert sandbox.stats()["detects_created"] == 2


def test_a_batch_recorded_without_its_detect_uuids_is_looked_up(
    tmp_path: Path, case: Case, review: Review, sandbox: Sandbox
) -> None:
    """As if the process died between recording the batch and its detect uuids."""
    from resemble_nb.api import DetectOptions
    from resemble_nb.engine import upload_name
    from resemble_nb.ledger import JobSpec

    from .helpers import client_for

    items = scan(write_wavs(tmp_path / "evidence", 3)).items
    key = DetectOptions.build({}).key
    case.ledger.add_items(items)
    ids = case.ledger.create_jobs(JobSpec(i.sha256, key, "batch", "sandbox") for i in items)
    names = {
        job_id: upload_name(i.name, i.sha256, key) for job_id, i in zip(ids, items, strict=True)
    }
    case.ledger.mark_submitting(ids, names)
    files = [open(i.path, "rb") for i in items]  # noqa: SIM115
    try:
        batch = client_for(sandbox).detect_batch(files=files)
    finally:
        for f in files:
            f.close()
    case.ledger.mark_submitted(ids, batch_uuid=batch.uuid)
    run = review(sandbox, tmp_path / "evidence")
    assert run.progress.counts == {"completed": 3}
    assert sandbox.stats()["detects_created"] == 3
    assert set(case.results()["detect_uuid"]) == set(batch.detect_uuids)
