"""Created objects carry the ``X-Request-Id`` of the response that produced them.

The ids are checked against the headers as they came over HTTP (an httpx response hook),
for the sync and the async client: a media token, a detect, a batch, and a detect
created with ``Prefer: wait``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import httpx

from resemble_nb.api import AsyncClient, Client
from resemble_nb.sandbox import Sandbox


class Ids:
    """The ``X-Request-Id`` of every response, by ``METHOD /path``, in order."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def hear(self, response: httpx.Response) -> None:
        path = response.request.url.path.split("/api/v2", 1)[-1]
        self.seen.append((f"{response.request.method} {path}", response.headers["X-Request-Id"]))

    async def ahear(self, response: httpx.Response) -> None:
        self.hear(response)

    def last(self, route: str) -> str:
        return [rid for seen, rid in self.seen if seen == route][-1]


def test_sync_creates_carry_their_request_ids(
    sandbox: Sandbox, make_client: Callable[..., Client], samples: Path
) -> None:
    ids = Ids()
    http = httpx.Client(event_hooks={"response": [ids.hear]})
    client = make_client(sandbox, http_client=http)
    token = client.secure_upload(samples / "speech.wav")
    assert token.request_id == ids.last("POST /secure_uploads")
    assert token.reveal() not in repr(token) and token.request_id is not None
    detection = client.detect(media_token=token)
    assert detection.request_id == ids.last("POST /detect")
    fetched = client.get_detect(detection.uuid)
    assert fetched.request_id == ids.last(f"GET /detect/{detection.uuid}")
    assert fetched.request_id != detection.request_id
    assert dataclasses.replace(fetched, request_id=None) == fetched  # not part of equality
    batch = client.detect_batch([samples / "speech.wav", samples / "portrait.png"])
    assert batch.request_id == ids.last("POST /detect/batch")
    assert batch.request_id not in repr(batch)  # the repr stays as it was
    http.close()


def test_a_waited_detect_keeps_the_create_s_request_id(
    sandbox: Sandbox, make_client: Callable[..., Client], samples: Path
) -> None:
    ids = Ids()
    http = httpx.Client(event_hooks={"response": [ids.hear]})
    client = make_client(sandbox, http_client=http)
    detection = client.detect(file=samples / "speech.wav", wait=True)
    assert detection.done
    assert detection.request_id == ids.last("POST /detect")
    http.close()


async def test_async_creates_carry_their_request_ids(
    sandbox: Sandbox, make_async_client: Callable[..., AsyncClient], samples: Path
) -> None:
    ids = Ids()
    http = httpx.AsyncClient(event_hooks={"response": [ids.ahear]})
    client = make_async_client(sandbox, http_client=http)
    token = await client.secure_upload(samples / "speech.wav")
    assert token.request_id == ids.last("POST /secure_uploads")
    detection = await client.detect(media_token=token)
    assert detection.request_id == ids.last("POST /detect")
    batch = await client.detect_batch([samples / "speech.wav"])
    assert batch.request_id == ids.last("POST /detect/batch")
    assert (await client.get_batch(batch.uuid)).request_id == ids.last(
        f"GET /detect/batch/{batch.uuid}"
    )
    await http.aclose()
