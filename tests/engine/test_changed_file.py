"""A file overwritten between intake and upload is recorded under the hash of what was sent.

The engine's hook point ``before_send`` (reached right before a file is streamed) is
where the test overwrites the file: no timing luck. The old item must end ``failed``
saying the file changed under it; the content that was sent must be a new item with
the path, completed; the sandbox must have analysed the new content once and the old
content never.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

import resemble_nb.engine.run as engine_run
from resemble_nb.case import Case
from resemble_nb.engine._crash import CrashHook
from resemble_nb.sandbox import Sandbox

from .helpers import FAST, client_for, write_wav, write_wavs


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _overwrite_before_send(monkeypatch: pytest.MonkeyPatch, target: Path) -> list[str]:
    """Overwrite ``target`` with new content the first time a file is about to be sent."""
    done: list[str] = []

    class Overwriting(CrashHook):
        def __call__(self, point: str) -> None:
            if point == "before_send" and not done:
                write_wav(target, seconds=0.4, freq=911.0)
                done.append(_sha(target))
            super().__call__(point)

    monkeypatch.setattr(engine_run, "CrashHook", Overwriting)
    return done


@pytest.mark.parametrize("strategy", ["single", "batch"])
def test_a_file_overwritten_before_upload_is_recorded_as_what_was_sent(
    tmp_path: Path,
    sandbox_factory: Callable[..., Sandbox],
    monkeypatch: pytest.MonkeyPatch,
    strategy: str,
) -> None:
    sandbox = sandbox_factory(progress="polls:1", single_use_tokens=True, create_status=False)
    paths = write_wavs(tmp_path / "evidence", 3)
    target = paths[0] if strategy == "batch" else paths[1]
    before = {p.name: _sha(p) for p in paths}
    changed = _overwrite_before_send(monkeypatch, target)
    with Case(tmp_path / "case") as case:
        run = case.review(
            tmp_path / "evidence",
            client=client_for(sandbox),
            strategy=strategy,
            max_uploads=1,
            display=False,
            poll_interval=FAST,
        ).wait(60)
        assert run.error is None and len(changed) == 1
        new = changed[0]
        old = before[target.name]
        # the old item: failed, saying the file changed under it, and never analysed
        old_item = next(i for i in run.items() if i.key == old)
        assert old_item.state == "failed"
        assert old_item.error is not None
        assert str(target) in old_item.error and "changed after it was inspected" in old_item.error
        assert old[:12] in old_item.error and new[:12] in old_item.error
        # the new content: an item of its own, with the path, completed
        frame = case.results().set_index("sha256")
        assert frame.loc[new, "status"] == "completed"
        assert frame.loc[new, "path"] == str(target)
        assert frame.loc[old, "status"] == "failed"
        others = {before[p.name] for p in paths if p != target}
        assert (frame.loc[sorted(others), "status"] == "completed").all()
        # the server analysed exactly what was sent, once each
        assert sandbox.stats()["detects_per_sha256"] == dict.fromkeys([new, *others], 1)
        assert set(frame["detect_uuid"].dropna()) == set(sandbox.app.service.store.detects)
        assert run.stats()["changed_files"] == 1
