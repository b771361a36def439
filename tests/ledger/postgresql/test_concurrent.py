"""Writers in two processes append to one PostgreSQL case's chain one at a time: no fork."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from resemble_nb.ledger import Ledger

from ..conftest import make_item
from .test_both_stores import chain_holds

_WRITER = textwrap.dedent(
    """
    import sys
    from resemble_nb.ledger import Ledger
    url, who, n, sha = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    sys.stdout.write("ready\\n"); sys.stdout.flush()
    sys.stdin.readline()  # both start writing together
    with Ledger(url) as ledger:
        for i in range(n):
            ledger.decide(sha, "inconclusive", f"{who} {i}", reviewer=who)
    """
)


def test_two_processes_append_to_one_chain_without_a_fork(pg_case: str, tmp_path: Path) -> None:
    item = make_item(1)
    with Ledger(pg_case, folder=tmp_path) as ledger:
        ledger.add_items([item])
    root = str(Path(__file__).resolve().parents[3])
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, pg_case, who, "40", item.sha256],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=root,
            env={"PYTHONPATH": root, "PATH": "/usr/bin:/bin"},
        )
        for who in ("ana", "ben")
    ]  # fmt: skip
    for writer in writers:  # wait until each has imported and is ready
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        assert writer.wait(timeout=120) == 0
    with Ledger(pg_case, folder=tmp_path) as ledger:
        decisions = ledger.decisions()
        events = ledger.events(kind="decision")
        assert len(decisions) == 80 and {d.reviewer for d in decisions} == {"ana", "ben"}
        assert [e.facts["decision_id"] for e in events] == [d.id for d in decisions]
        hashes = [e.hash for e in ledger.events()]
        assert len(set(hashes)) == len(hashes) and chain_holds(ledger)
