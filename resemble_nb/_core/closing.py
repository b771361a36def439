"""``with obj:`` for whatever holds something to close (a client, a ledger, a case)."""

from __future__ import annotations

from types import TracebackType
from typing import TypeVar

__all__ = ["Closing"]

_C = TypeVar("_C", bound="Closing")


class Closing:
    """A base (list it last): ``with obj as o`` gives ``obj`` and calls ``obj.close()`` at
    the end, however the block ends."""

    def close(self) -> None:
        """Release what the object holds (each class that lists :class:`Closing` does)."""
        raise NotImplementedError

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
