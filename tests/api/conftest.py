"""Clients bound to a sandbox, sample media, and a guard that no log line shows a key.

Every test in this folder runs with the ``resemble_nb.api``, ``httpx`` and ``httpcore``
loggers at DEBUG; after each test the captured log text is scanned for the sandbox
keys (see also test_secret_scan.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from resemble_nb.api import AsyncClient, Client

if TYPE_CHECKING:
    from resemble_nb.sandbox import Sandbox

SAMPLES = Path(__file__).resolve().parents[2] / "resemble_nb" / "samples"
SECRET_KEYS = ("test_team_a_key", "test_team_b_key", "test_key_mock_0123", "test_key_secret_123")
CLIENT_LOGGERS = ("resemble_nb.api", "httpx", "httpcore")


@pytest.fixture(autouse=True)
def _no_key_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    for name in CLIENT_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    yield
    client_records = [
        r for r in caplog.records if r.name.split(".")[0] in {"resemble_nb", "httpx", "httpcore"}
    ]
    text = "\n".join(r.getMessage() for r in client_records)
    for key in SECRET_KEYS:
        assert key not in text, f"an API key reached the client's log output: {key}"


@pytest.fixture
def samples() -> Path:
    """The bundled samples: speech.wav, voicemail.mp3, portrait.png, street.jpg,
    interview.mp4, damaged.wav, notes.txt."""
    return SAMPLES


def route_counts(sb: Sandbox, route: str, total: int) -> dict[str, int]:
    """The sandbox's per-status request counts for ``route`` once ``total`` have been counted.

    The sandbox records a request after its answer is sent, so a read right after the
    client got its answer can miss the last one; wait (briefly) for it.
    """
    deadline = time.monotonic() + 2.0
    while True:
        counts = dict(sb.stats()["requests"].get(route, {}))
        if sum(counts.values()) >= total or time.monotonic() > deadline:
            return counts
        time.sleep(0.01)


class SleepRecorder:
    """Stands in for ``time.sleep`` / ``asyncio.sleep``: records waits, returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)

    async def asleep(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def make_client(sleeps: SleepRecorder) -> Iterator[Callable[..., Client]]:
    """``make_client(sandbox, key_index=0, **client_kwargs)``: a Client on that sandbox
    whose retry waits are recorded in ``sleeps`` instead of slept."""
    made: list[Client] = []

    def make(sb: Sandbox, key_index: int = 0, **kwargs: object) -> Client:
        client = Client(api_key=sb.api_keys[key_index], base_url=sb.base_url, **kwargs)  # type: ignore[arg-type]
        client._sleep = sleeps  # type: ignore[assignment]
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
async def make_async_client(sleeps: SleepRecorder) -> AsyncIterator[Callable[..., AsyncClient]]:
    made: list[AsyncClient] = []

    def make(sb: Sandbox, key_index: int = 0, **kwargs: object) -> AsyncClient:
        client = AsyncClient(api_key=sb.api_keys[key_index], base_url=sb.base_url, **kwargs)  # type: ignore[arg-type]
        client._sleep = sleeps.asleep  # type: ignore[assignment]
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


@pytest.fixture
def client(sandbox: Sandbox, make_client: Callable[..., Client]) -> Client:
    """A Client authenticated as team A on the default sandbox."""
    return make_client(sandbox)


@pytest.fixture
def aclient(sandbox: Sandbox, make_async_client: Callable[..., AsyncClient]) -> AsyncClient:
    """An AsyncClient authenticated as team A on the default sandbox."""
    return make_async_client(sandbox)
