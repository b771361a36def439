"""Client and AsyncClient run one definition of each endpoint (issue 21 item 4).

The parity test checks that the two faces agree; these check why they cannot drift:
every sync method is the async endpoint itself, run to the end without an event loop.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from resemble_nb.api import AsyncClient, Client
from resemble_nb.api._sync import blocking, finish

if TYPE_CHECKING:
    from resemble_nb.sandbox import Sandbox

_CLOSERS = {"close", "aclose", "from_client", "service"}


def _endpoint_names() -> list[str]:
    return sorted(
        name
        for name in dir(AsyncClient)
        if not name.startswith("_")
        and name not in _CLOSERS
        and callable(inspect.getattr_static(AsyncClient, name))
    )


def test_every_sync_method_runs_the_async_definition_itself() -> None:
    names = _endpoint_names()
    assert len(names) >= 20
    for name in names:
        sync = inspect.getattr_static(Client, name)
        assert sync.__wrapped__ is inspect.getattr_static(AsyncClient, name), name


def test_every_defined_endpoint_is_a_method_of_both_clients() -> None:
    """The table in each client lists every endpoint defined (none forgotten in both)."""
    from resemble_nb.api import _asking, _endpoints

    defined = {n for n in (*_endpoints.__all__, *_asking.__all__) if n != "send"}
    assert defined == set(_endpoint_names())


def test_a_sync_call_works_inside_a_running_event_loop(
    sandbox: Sandbox, make_client: Callable[..., Client]
) -> None:
    """As in Jupyter, whose loop is always running: the sync client never touches it."""
    client = make_client(sandbox)

    async def in_a_cell() -> int:
        return client.list_detects().total_count

    assert asyncio.run(in_a_cell()) == 0


def test_an_endpoint_that_really_suspends_fails_loudly_in_the_sync_client() -> None:
    async def suspends(self: object) -> int:
        await asyncio.sleep(0)
        return 1

    with pytest.raises(RuntimeError, match="waited on an event loop"):
        blocking(suspends)(object())


def test_finish_returns_what_a_non_suspending_coroutine_returns() -> None:
    async def answer() -> int:
        return 42

    assert finish(answer()) == 42


def test_a_sync_iterator_left_early_closes_the_async_one(
    sandbox: Sandbox, make_client: Callable[..., Client]
) -> None:
    client = make_client(sandbox)
    for _ in range(3):
        client.detect(url="https://example.com/a.wav")
    seen = client.iter_detects(page_size=10)
    first = next(seen)
    seen.close()  # runs the async generator's cleanup without an event loop
    assert first.uuid
