"""Every Client method against the sandbox over HTTP on 127.0.0.1.

Audio, image, video, URL and batch (files and zip) inputs; the documented errors.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from resemble_nb.api import (
    AuthenticationError,
    BadRequestError,
    Batch,
    BatchLimitError,
    Client,
    Detection,
    FileRejectedError,
    Label,
    MediaToken,
    NotFoundError,
    PaymentRequiredError,
    WaitTimeoutError,
)
from resemble_nb.sandbox import Sandbox

from .conftest import route_counts

MEDIA = {
    "speech.wav": "audio",
    "voicemail.mp3": "audio",
    "portrait.png": "image",
    "street.jpg": "image",
    "interview.mp4": "video",
}


def assert_verdict(d: Detection, media_type: str) -> None:
    """A finished detection with the block of its media type and a headline verdict."""
    assert d.done and d.completed and d.status == "completed"
    assert d.media_type == media_type and d.source == "sandbox"
    assert isinstance(d.label, Label) and d.label_raw
    assert d.score is not None and 0.0 <= d.score <= 1.0
    assert d.created_at is not None and d.created_at.tzinfo is not None
    if media_type == "audio":
        assert d.audio is not None and d.image is None and d.video is None
        assert d.score == d.audio.aggregated_score and d.label is d.audio.label
        assert d.audio.window_scores and all(0 <= s <= 1 for s in d.audio.window_scores)
        assert d.audio.consistency is not None
    elif media_type == "image":
        assert d.image is not None and d.audio is None and d.video is None
        assert d.score == d.image.score and d.label is d.image.label
    else:
        assert d.video is not None and d.image is None
        assert d.video.frames, "the video tree flattens into frames"
        times = [f.timestamp for f in d.video.frames]
        assert all(t is not None for t in times) and times == sorted(times)  # type: ignore[type-var]
        assert all(f.score is not None and f.certainty is not None for f in d.video.frames)
        assert any(f.segments for f in d.video.frames)
        scores = [d.video.score] + ([d.audio.aggregated_score] if d.audio else [])
        assert d.score == max(s for s in scores if s is not None)


@pytest.mark.parametrize("name", sorted(MEDIA))
def test_secure_upload_then_detect_by_token(client: Client, samples: Path, name: str) -> None:
    token = client.secure_upload(samples / name)
    assert isinstance(token, MediaToken) and token.source == "sandbox"
    assert token.filename == name and token.size == (samples / name).stat().st_size
    assert not token.expired and 3500 < token.expires_in.total_seconds() <= 3600
    job = client.detect(media_token=token)
    assert job.uuid and job.source == "sandbox" and client.is_sandbox
    done = client.wait_for(job, timeout=30)
    assert done.uuid == job.uuid and done.filename == name
    assert_verdict(done, MEDIA[name])
    assert client.get_detect(job.uuid).raw == done.raw


@pytest.mark.parametrize("name", sorted(MEDIA))
def test_direct_upload_with_wait(client: Client, samples: Path, name: str) -> None:
    with (samples / name).open("rb") as handle:
        d = client.detect(file=handle, wait=True, visualize=True, frame_length=1)
    assert_verdict(d, MEDIA[name])
    assert d.filename == name and d.visualize is True


def test_detect_by_url_with_options(client: Client) -> None:
    d = client.detect(
        url="https://example.com/evidence/call.wav",
        intelligence=True,
        audio_source_tracing=True,
        use_ood_detector=True,
    )
    d = client.wait_for(d, timeout=30)
    assert_verdict(d, "audio")
    assert d.url == "https://example.com/evidence/call.wav" and d.filename == "call.wav"
    assert d.audio_source_tracing_enabled is True and d.use_ood_detector is True
    assert d.intelligence is not None and d.intelligence.detect_uuid == d.uuid
    if d.label is Label.FAKE:  # tracing is only returned for fake audio
        assert d.audio_source_tracing is not None and d.audio_source_tracing.label
    else:
        assert d.audio_source_tracing is None


def test_audio_window_count_follows_duration_and_frame_length(
    client: Client, samples: Path
) -> None:
    one = client.detect(file=samples / "speech.wav", wait=True, frame_length=1)
    four = client.detect(file=samples / "speech.wav", wait=True, frame_length=4)
    assert one.duration is not None and one.duration > 4
    assert one.audio is not None and four.audio is not None
    assert len(one.audio.window_scores) > len(four.audio.window_scores) >= 1


def test_video_modality_audio_only_has_no_visual_block(client: Client, samples: Path) -> None:
    d = client.detect(file=samples / "interview.mp4", wait=True, modality="audio")
    assert d.done and d.video is None and d.audio is not None
    assert d.score == d.audio.aggregated_score and d.modality == "audio"


def test_corrupt_media_fails_the_job_with_a_reason(client: Client, samples: Path) -> None:
    d = client.wait_for(client.detect(file=samples / "damaged.wav"), timeout=30)
    assert d.done and d.failed and not d.completed
    assert d.error_message and "damaged.wav" in d.error_message
    assert d.label is None and d.score is None and d.audio is None  # never a made-up verdict


def test_not_media_is_refused_by_the_server(client: Client, samples: Path) -> None:
    with pytest.raises(BadRequestError) as info:
        client.detect(file=samples / "notes.txt")
    assert info.value.status_code == 400 and info.value.message
    assert info.value.request_id and info.value.path == "/detect"


def test_empty_file_is_refused_before_sending(
    client: Client, sandbox: Sandbox, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(FileRejectedError, match=r"empty\.wav"):
        client.detect(file=empty)
    with pytest.raises(FileRejectedError, match=r"empty\.wav"):
        client.secure_upload(empty)
    assert sandbox.stats()["requests_total"] == 0


def test_zero_retention_redacts_the_item(client: Client, samples: Path) -> None:
    d = client.detect(file=samples / "speech.wav", wait=True, zero_retention_mode=True)
    assert d.done and d.zero_retention_mode is True and d.media_redacted is True
    assert d.url is None and d.filename != "speech.wav"


def test_get_detect_with_experts_lists_intelligence(client: Client, samples: Path) -> None:
    d = client.detect(file=samples / "voicemail.mp3", wait=True, intelligence=True)
    experts = client.get_detect(d.uuid, experts=True)
    assert isinstance(experts.raw["intelligence"], list)
    assert experts.intelligence_results and experts.intelligence is not None
    assert all(r.status in (None, "completed") for r in experts.intelligence_results)


def test_list_and_iterate_every_page(client: Client, samples: Path) -> None:
    created = {client.detect(url=f"https://example.com/{i}.wav").uuid for i in range(12)}
    first = client.list_detects(page=1, page_size=10)
    assert (first.page, first.page_size, first.total_count, first.num_pages) == (1, 10, 12, 2)
    assert len(first.items) == 10 and first.has_next and first.source == "sandbox"
    second = client.list_detects(page=2, page_size=10)
    assert len(second.items) == 2 and not second.has_next
    walked = [d.uuid for d in client.iter_detects(page_size=10)]
    assert len(walked) == 12 and set(walked) == created


def test_teams_do_not_see_each_other(
    sandbox: Sandbox, make_client: Callable[..., Client], samples: Path
) -> None:
    team_a, team_b = make_client(sandbox, 0), make_client(sandbox, 1)
    d = team_a.detect(url="https://example.com/a.wav")
    with pytest.raises(NotFoundError):
        team_b.get_detect(d.uuid)
    assert team_b.list_detects().total_count == 0


def test_delete_detect(client: Client) -> None:
    d = client.detect(url="https://example.com/to-delete.wav")
    assert client.delete_detect(d.uuid) is None
    with pytest.raises(NotFoundError) as info:
        client.get_detect(d.uuid)
    assert info.value.status_code == 404 and "not found" in info.value.message.lower()
    with pytest.raises(NotFoundError):
        client.delete_detect(d.uuid)


def test_batch_of_files_including_a_corrupt_one(client: Client, samples: Path) -> None:
    names = ["speech.wav", "portrait.png", "interview.mp4", "damaged.wav"]
    batch = client.detect_batch([samples / n for n in names], audio_source_tracing=True)
    assert isinstance(batch, Batch) and batch.uuid and batch.source == "sandbox"
    assert batch.total_files == 4 and len(batch.detect_uuids) == 4
    done = client.wait_for(batch, timeout=30)
    assert done.done and done.status == "partially_failed"
    assert (done.completed_count, done.failed_count) == (3, 1)
    results = {client.get_detect(u).filename: client.get_detect(u) for u in done.detect_uuids}
    assert set(results) == set(names)
    assert results["damaged.wav"].failed
    assert_verdict(results["speech.wav"], "audio")
    assert results["speech.wav"].audio_source_tracing_enabled is True
    assert_verdict(results["portrait.png"], "image")
    assert_verdict(results["interview.mp4"], "video")


def test_batch_from_a_zip_skips_non_media(client: Client, samples: Path, tmp_path: Path) -> None:
    archive = tmp_path / "case.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for name in ("speech.wav", "street.jpg", "notes.txt"):
            z.write(samples / name, f"evidence/{name}")
    batch = client.wait_for(client.detect_batch(zip=archive), timeout=30)
    assert batch.status == "completed" and batch.total_files == 2
    assert batch.completed_count == 2 and batch.failed_count == 0
    kinds = sorted(client.get_detect(u).media_type or "" for u in batch.detect_uuids)
    assert kinds == ["audio", "image"]
    assert client.get_batch(batch.uuid).raw == batch.raw


def test_batch_over_the_file_limit_is_refused_before_sending(
    client: Client, sandbox: Sandbox, samples: Path
) -> None:
    with pytest.raises(BatchLimitError, match="at most 50 files"):
        client.detect_batch([samples / "speech.wav"] * 51)
    files = [io.BytesIO(b"x" * 10) for _ in range(2)]
    with pytest.raises(ValueError, match="detect_watermark"):
        client.detect_batch(files, detect_watermark=True)
    assert sandbox.stats()["requests_total"] == 0


def test_intelligence_from_token_url_and_detect(client: Client, samples: Path) -> None:
    token = client.secure_upload(samples / "portrait.png")
    report = client.intelligence(media_token=token, json=True)
    assert report.uuid and report.status in (None, "completed") and report.source == "sandbox"
    assert report.media_type == "image" and report.description
    by_url = client.intelligence(url="https://example.com/a.mp3", media_type="audio")
    assert by_url.media_type == "audio" and by_url.description
    d = client.detect(file=samples / "speech.wav", wait=True)
    attached = client.intelligence(url="https://example.com/a.wav", detect_id=d.uuid)
    assert attached.detect_uuid == d.uuid
    with pytest.raises(ValueError, match="exactly one of media_token=, url="):
        client.intelligence(media_token=token, url="https://example.com/a.mp3")
    with pytest.raises(ValueError, match=r"\(got none\)"):
        client.intelligence(detect_id=d.uuid)


def test_wait_for_polls_until_done(
    sandbox_factory: Callable[..., Sandbox], make_client: Callable[..., Client], samples: Path
) -> None:
    sb = sandbox_factory(progress="polls:3")
    client = make_client(sb)
    job = client.detect(file=samples / "speech.wav")
    assert not job.done and job.label is None and job.score is None
    done = client.wait_for(job.uuid, timeout=60)
    assert_verdict(done, "audio")
    assert route_counts(sb, "GET /detect/{uuid}", 3) == {"200": 3}
    batch = client.detect_batch([samples / "speech.wav", samples / "street.jpg"])
    assert not batch.done
    assert client.wait_for(batch.uuid, kind="batch", timeout=60).status == "completed"


def test_wait_for_times_out_with_the_unfinished_state(
    sandbox_factory: Callable[..., Sandbox], make_client: Callable[..., Client], samples: Path
) -> None:
    client = make_client(sandbox_factory(progress="time", latency=3600))
    client._sleep = time.sleep  # type: ignore[assignment]  # really wait: the deadline is real
    job = client.detect(file=samples / "speech.wav")
    with pytest.raises(WaitTimeoutError) as info:
        client.wait_for(job, timeout=0.3, poll_interval=(0.1, 0.1))
    last = info.value.last
    assert isinstance(last, Detection) and last.uuid == job.uuid
    assert last.status == "processing" and not last.done and last.label is None


def test_wrong_key_is_an_authentication_error(sandbox: Sandbox) -> None:
    with (
        Client(api_key="not_a_valid_key", base_url=sandbox.base_url) as bad,
        pytest.raises(AuthenticationError) as info,
    ):
        bad.list_detects()
    assert info.value.status_code == 401 and info.value.request_id
    assert "not_a_valid_key" not in str(info.value)


def test_empty_wallet_is_payment_required(
    sandbox_factory: Callable[..., Sandbox], make_client: Callable[..., Client], samples: Path
) -> None:
    sb = sandbox_factory(wallet_cents=2.5)
    client = make_client(sb)
    with pytest.raises(PaymentRequiredError) as info:
        client.detect(file=samples / "portrait.png")
    err = info.value
    assert err.status_code == 402 and err.error_code == "insufficient_balance"
    assert err.details.get("estimated_cost_cents") == pytest.approx(3.5)
    assert sb.stats()["detects_created"] == 0
    with pytest.raises(PaymentRequiredError):
        client.detect_batch([samples / "speech.wav", samples / "street.jpg"])


def test_expired_token_is_refused(sandbox: Sandbox, client: Client, samples: Path) -> None:
    token = client.secure_upload(samples / "speech.wav")
    sandbox.advance_clock(3601)
    with pytest.raises(BadRequestError) as info:
        client.detect(media_token=token)
    assert token.reveal() not in str(info.value)
