"""Every AsyncClient method against the sandbox over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from resemble_nb.api import (
    AsyncClient,
    Batch,
    Client,
    Detection,
    Label,
    MissingAPIKeyError,
    NotFoundError,
    OutcomeUnknownError,
    WaitTimeoutError,
)
from resemble_nb.sandbox import Sandbox

from .test_contract_sync import MEDIA, assert_verdict


@pytest.mark.parametrize("name", sorted(MEDIA))
async def test_upload_detect_and_wait(aclient: AsyncClient, samples: Path, name: str) -> None:
    token = await aclient.secure_upload(samples / name)
    assert token.filename == name and not token.expired and token.source == "sandbox"
    job = await aclient.detect(media_token=token, intelligence=True)
    done = await aclient.wait_for(job, timeout=30)
    assert_verdict(done, MEDIA[name])
    assert done.intelligence is not None and aclient.is_sandbox
    direct = await aclient.detect(file=samples / name, wait=True)
    assert_verdict(direct, MEDIA[name])


async def test_url_get_list_iterate_delete(aclient: AsyncClient) -> None:
    jobs = await asyncio.gather(
        *(aclient.detect(url=f"https://example.com/clip{i}.mp4") for i in range(11))
    )
    uuids = {j.uuid for j in jobs}
    assert len(uuids) == 11
    fetched = await aclient.get_detect(jobs[0].uuid)
    assert fetched.uuid == jobs[0].uuid and fetched.media_type == "video"
    page = await aclient.list_detects(page=2, page_size=10)
    assert (page.page, page.num_pages, page.total_count, len(page.items)) == (2, 2, 11, 1)
    walked = [d.uuid async for d in aclient.iter_detects(page_size=10)]
    assert sorted(walked) == sorted(uuids)
    await aclient.delete_detect(jobs[0].uuid)
    with pytest.raises(NotFoundError):
        await aclient.get_detect(jobs[0].uuid)


async def test_batches_of_files_and_zip(
    aclient: AsyncClient, samples: Path, tmp_path: Path
) -> None:
    batch = await aclient.detect_batch(
        [samples / "voicemail.mp3", samples / "street.jpg"], intelligence=True
    )
    assert isinstance(batch, Batch) and batch.total_files == 2
    done = await aclient.wait_for(batch, timeout=30)
    assert done.status == "completed" and done.completed_count == 2
    details = await asyncio.gather(*(aclient.get_detect(u) for u in done.detect_uuids))
    assert {d.media_type for d in details} == {"audio", "image"}
    assert all(d.done and isinstance(d.label, Label) for d in details)

    archive = tmp_path / "evidence.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(samples / "interview.mp4", "interview.mp4")
        z.write(samples / "damaged.wav", "damaged.wav")
    zipped = await aclient.wait_for(await aclient.detect_batch(zip=archive), timeout=30)
    assert zipped.status == "partially_failed"
    assert (zipped.completed_count, zipped.failed_count) == (1, 1)
    assert (await aclient.get_batch(zipped.uuid)).uuid == zipped.uuid


async def test_intelligence(aclient: AsyncClient, samples: Path) -> None:
    token = await aclient.secure_upload(samples / "speech.wav")
    report = await aclient.intelligence(media_token=token)
    assert report.media_type == "audio" and report.description and report.source == "sandbox"


async def test_wait_for_polls_and_times_out(
    sandbox_factory: Callable[..., Sandbox],
    make_async_client: Callable[..., AsyncClient],
    samples: Path,
) -> None:
    sb = sandbox_factory(progress="polls:2")
    client = make_async_client(sb)
    job = await client.detect(file=samples / "portrait.png")
    assert not job.done
    done = await client.wait_for(job.uuid)
    assert isinstance(done, Detection) and done.done
    slow = make_async_client(sandbox_factory(progress="time", latency=3600))
    slow._sleep = asyncio.sleep  # type: ignore[assignment]
    pending = await slow.detect(url="https://example.com/x.wav")
    with pytest.raises(WaitTimeoutError) as info:
        await slow.wait_for(pending, timeout=0.3, poll_interval=0.1)
    assert isinstance(info.value.last, Detection) and not info.value.last.done


async def test_dropped_connection_after_a_post_is_an_unknown_outcome(
    sandbox: Sandbox, aclient: AsyncClient
) -> None:
    sandbox.set_faults("POST /detect:drop_after;times=1")
    with pytest.raises(OutcomeUnknownError, match="outcome is unknown"):
        await aclient.detect(url="https://example.com/a.wav")
    assert sandbox.stats()["detects_created"] == 1  # it exists: reconcile, don't resubmit
    assert (await aclient.list_detects()).total_count == 1


async def test_retries_and_context_manager(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RESEMBLE_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError):
        AsyncClient()
    monkeypatch.setenv("RESEMBLE_API_KEY", sandbox.api_keys[0])
    monkeypatch.setenv("RESEMBLE_BASE_URL", sandbox.base_url)
    sandbox.set_faults("GET /detect:503;times=2")
    async with AsyncClient() as client:
        waits: list[float] = []

        async def record(seconds: float) -> None:
            waits.append(seconds)

        client._sleep = record  # type: ignore[assignment]
        page = await client.list_detects()
        assert page.total_count == 0 and client.stats.last_retries == 2 and len(waits) == 2
        assert "test_team_a_key" not in repr(client)
    assert client._http.is_closed


async def test_from_client_uses_the_same_account(
    sandbox: Sandbox, client: Client, samples: Path
) -> None:
    mine = client.detect(file=samples / "speech.wav")
    async with AsyncClient.from_client(client, max_retries=0) as twin:
        assert (twin.base_url, twin.timeout, twin.max_retries) == (
            client.base_url,
            client.timeout,
            0,
        )
        assert (await twin.get_detect(mine.uuid)).uuid == mine.uuid  # same team sees it
        assert twin.is_sandbox
        assert sandbox.api_key not in repr(twin)
