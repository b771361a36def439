"""Ctrl-C during a large review: the summary counts the unfinished files by reason
instead of printing one line per file, and the exit code is 130."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from resemble_nb.sandbox import Sandbox

from .conftest import distinct_calls, interrupt_detect

FILES = 120


@pytest.mark.slow
def test_ctrl_c_summarises_instead_of_listing_every_file(tmp_path: Path, api: Sandbox) -> None:
    folder = distinct_calls(tmp_path / "evidence", FILES)
    result = interrupt_detect(api, folder, tmp_path / "case", signal.SIGINT)
    err = result.err
    assert result.code == 130, result.text
    assert len(err.splitlines()) < 40, err
    assert "more:" in err and "cancelled" in err, err
