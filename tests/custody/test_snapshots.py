"""Reading a case while another process writes it: verify, report and bundle each read ONE
snapshot, so a case being written verifies as of a head and a bundle verifies as made."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

import resemble_nb as rnb
from resemble_nb.case import Case

WRITER = """
import sys
from pathlib import Path
from resemble_nb.case import Case

verdicts = ("confirmed_fake", "needs_escalation", "inconclusive", "confirmed_real")
items = ("speech.wav", "portrait.png", "voicemail.mp3")
with Case(Path(sys.argv[1])) as case:
    n = 0
    print("ready", flush=True)
    for order in sys.stdin:  # each line: how many decisions to record now
        for _ in range(int(order)):
            case.decide(items[n % 3], verdicts[n % 4], f"pass {n}", reviewer="ana")
            n += 1
        print(f"done {n}", flush=True)
"""


class Writer:
    """Another process recording decisions when told to; it says when a batch is in."""

    def __init__(self, folder: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.decided = 0
        self._expect("ready")

    def _expect(self, word: str) -> str:
        out: IO[str] | None = self.proc.stdout
        assert out is not None
        line = out.readline()
        if not line.startswith(word):
            raise AssertionError(f"the writer said {line!r}: {self.proc.stderr.read()}")  # type: ignore[union-attr]
        return line

    def start(self, count: int) -> None:
        """Tell the writer to record ``count`` decisions (it starts at once)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{count}\n")
        self.proc.stdin.flush()

    def wait(self) -> int:
        """Block until the writer says the batch is committed; how many it made in all."""
        self.decided = int(self._expect("done").split()[1])
        return self.decided

    def finish(self) -> None:
        """Close its orders: it ends; it must end cleanly."""
        assert self.proc.stdin is not None and self.proc.stderr is not None
        if not self.proc.stdin.closed:
            self.proc.stdin.close()
        err = self.proc.stderr.read()
        assert self.proc.wait(timeout=120) == 0, err


@pytest.fixture
def writer(case_copy: Path) -> Iterator[Writer]:
    running = Writer(case_copy)
    try:
        yield running
    finally:
        if running.proc.poll() is None:
            running.finish()


def _head(result: rnb.Verification) -> int:
    detail = next(c.detail for c in result.checks if c.area == "chain")
    return int(detail.split("; head ")[1].split()[0])


def test_fifty_verify_runs_while_another_process_decides_raise_no_false_alarm(
    case_copy: Path, writer: Writer
) -> None:
    heads, inside = [], 0
    for run in range(50):
        before = rnb.verify(case_copy) if run == 0 else None
        start = _head(before) if before else heads[-1]
        writer.start(10)  # the writer records ten decisions while verify reads
        result = rnb.verify(case_copy)
        assert result.ok, f"run {run}: {result}"
        heads.append(_head(result))
        writer.wait()
        inside += start < heads[-1]
    writer.finish()
    assert writer.decided == 500
    assert heads == sorted(heads) and heads[-1] > heads[0]
    assert inside > 0, "verify never read while the writer was writing"
    assert rnb.verify(case_copy).ok


def test_a_bundle_made_while_another_process_decides_verifies(
    case_copy: Path, writer: Writer, tmp_path: Path
) -> None:
    bundles = []
    with Case(case_copy) as case:
        for n in range(3):
            writer.start(20)
            bundles.append(case.bundle(tmp_path / f"during-{n}.zip", reviewer="ben"))
            writer.wait()
    writer.finish()
    for bundle in bundles:
        result = rnb.verify(bundle)
        assert result.ok, str(result)


def test_a_report_made_while_another_process_decides_verifies_against_its_case(
    case_copy: Path, writer: Writer, tmp_path: Path
) -> None:
    reports = []
    with Case(case_copy) as case:
        for n in range(3):
            writer.start(20)
            reports.append(case.report(tmp_path / f"during-{n}.html", reviewer="ben"))
            writer.wait()
    writer.finish()
    for report in reports:
        result = rnb.verify(report, case=case_copy)
        assert result.ok, str(result)
