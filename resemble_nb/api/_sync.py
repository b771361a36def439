"""Running the one (async) definition of each endpoint as a plain blocking call.

:class:`Client`'s primitives (``_request``, ``_pause``) block and return: they never
suspend. So a coroutine built only on them finishes at its first ``send(None)``, with
no event loop (which also keeps a sync call working inside Jupyter, whose loop is
already running). Should an endpoint ever await something that really suspends, the
call fails loudly here instead of hanging.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from typing import Any, ParamSpec, TypeVar

__all__ = ["blocking", "blocking_iter", "finish"]

P = ParamSpec("P")
R = TypeVar("R")


def finish(awaitable: Awaitable[R]) -> R:
    """The result of ``awaitable``, which must complete without suspending."""
    steps = awaitable.__await__()
    try:
        steps.send(None)
    except StopIteration as done:
        result: R = done.value
        return result
    steps.close()
    raise RuntimeError(
        "a Client call waited on an event loop: its endpoint awaited something other "
        "than the client's own _request and _pause (use AsyncClient for that)"
    )


def blocking(endpoint: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, R]:
    """``endpoint`` as a sync method: same name, signature and docs."""

    @functools.wraps(endpoint)
    def method(*args: P.args, **kwargs: P.kwargs) -> R:
        return finish(endpoint(*args, **kwargs))

    return method


def blocking_iter(endpoint: Callable[P, AsyncIterator[R]]) -> Callable[P, Iterator[R]]:
    """An async-generator ``endpoint`` as a sync generator method."""

    @functools.wraps(endpoint)
    def method(*args: P.args, **kwargs: P.kwargs) -> Iterator[R]:
        items = endpoint(*args, **kwargs)
        try:
            while True:
                try:
                    item = finish(items.__anext__())
                except StopAsyncIteration:
                    return
                yield item
        finally:
            finish(items.aclose())  # type: ignore[attr-defined]

    signature = inspect.signature(endpoint)
    returns = str(signature.return_annotation).replace("AsyncIterator", "Iterator")
    method.__signature__ = signature.replace(return_annotation=returns)  # type: ignore[attr-defined]
    return method
