"""Options are checked once, where they enter (case.review), and carried down as they are.

Before: one option was checked up to 7 times on its way from ``case.review`` to the
request (Run, check_strategy, options_key, route per item twice, the field renaming,
the client). Now the frozen DetectOptions built in the caller's thread travels down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from resemble_nb.api import _options
from resemble_nb.sandbox import Sandbox

from .conftest import Review
from .helpers import states, write_wavs


@pytest.mark.parametrize("strategy", ["batch", "single"])
def test_each_option_is_checked_once_per_review(
    tmp_path: Path,
    review: Review,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    strategy: str,
) -> None:
    checked: list[str] = []
    real = _options._check_value

    def counting(name: str, value: Any) -> Any:
        checked.append(name)
        return real(name, value)

    monkeypatch.setattr(_options, "_check_value", counting)
    paths = write_wavs(tmp_path / "evidence", 3)
    run = review(
        sandbox, paths, strategy=strategy, intelligence=True, audio_source_tracing_enabled=True
    )
    assert set(states(run).values()) == {"completed"}
    assert sorted(checked) == ["audio_source_tracing", "intelligence"]
