"""Client and AsyncClient offer the same methods, with the same signatures and docs."""

from __future__ import annotations

import inspect
from typing import Any

from resemble_nb.api import AsyncClient, Client

_CLOSERS = {Client: "close", AsyncClient: "aclose"}


def _public(cls: type) -> dict[str, Any]:
    return {
        name: inspect.getattr_static(cls, name)
        for name in dir(cls)
        if not name.startswith("_")
        and name != _CLOSERS[cls]
        and callable(getattr(cls, name))
        and not isinstance(inspect.getattr_static(cls, name), type)
    }


def test_both_clients_offer_the_same_public_methods() -> None:
    sync, async_ = _public(Client), _public(AsyncClient)
    assert sorted(sync) == sorted(async_)
    assert len(sync) >= 20  # the endpoints, waits and helpers, not an empty comparison


def test_every_method_has_the_same_signature_and_the_same_doc() -> None:
    for name in _public(Client):
        sync = inspect.signature(getattr(Client, name))
        async_ = inspect.signature(getattr(AsyncClient, name))
        assert list(sync.parameters.values()) == list(async_.parameters.values()), name
        returns = str(sync.return_annotation)
        assert str(async_.return_annotation) in (
            returns,
            returns.replace("Iterator", "AsyncIterator"),
        ), name
        assert getattr(Client, name).__doc__ == getattr(AsyncClient, name).__doc__, name


def test_the_async_methods_are_awaited_and_the_sync_ones_are_not() -> None:
    for name in _public(Client):
        sync, async_ = getattr(Client, name), getattr(AsyncClient, name)
        if isinstance(inspect.getattr_static(Client, name), classmethod):
            continue
        assert not inspect.iscoroutinefunction(sync), name
        if name == "iter_detects":
            assert inspect.isasyncgenfunction(async_)
        else:
            assert inspect.iscoroutinefunction(async_), name


def test_the_constructors_match_but_for_the_http_client_type() -> None:
    sync = inspect.signature(Client.__init__).parameters
    async_ = inspect.signature(AsyncClient.__init__).parameters
    assert list(sync) == list(async_)
    for name in sync:
        if name != "http_client":
            assert sync[name] == async_[name], name
