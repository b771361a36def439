"""``with`` closes what lists :class:`Closing` (a client, a ledger, a case), however the
block ends."""

from __future__ import annotations

import pytest

from resemble_nb._core.closing import Closing


class _Held(Closing):
    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


def test_with_gives_the_object_and_closes_it_once() -> None:
    held = _Held()
    with held as same:
        assert same is held
        assert held.closed == 0
    assert held.closed == 1


def test_an_error_in_the_block_still_closes_and_is_not_swallowed() -> None:
    held = _Held()
    with pytest.raises(KeyError), held:
        raise KeyError("boom")
    assert held.closed == 1
