"""What one triage click costs as the case grows: ``case.decide()`` at 1k / 100k / 1M events.

    .venv/bin/python benchmarks/decide.py [--events 1000 100000 1000000] [--clicks 30]
        [--folder /tmp/rnb-decide] [--no-index] [--no-witness]

Each case is built with bulk SQL inside one ledger write (so the triggers append the
events and the ledger seals them, as a real review would): half the events are items
added, the other half their files seen, with a decision on every hundredth item. Then
``--clicks`` decisions are timed one by one through ``Case.decide`` (item lookup, the
insert and its event, the event's lookup, the reviewer's signature), and the median and
p90 are printed. ``--no-index`` drops the decision-event index first, to show what the
scan it replaces cost. ``--no-witness`` takes the witness off (no checkpoint appended to
the witness log after each signed write), to show what rollback detection costs a click.
Built cases are kept under ``--folder`` and reused.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from resemble_nb.case import Case

_SHA = "printf('%064x', value)"


def build(folder: Path, events: int) -> None:
    """A case whose chain holds about ``events`` events (see the module docstring)."""
    if (folder / "case.db").exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    items = max(1, events // 2)
    started = time.perf_counter()
    with Case(folder) as case, case.ledger._write() as conn:
        conn.execute(
            "WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n "
            "WHERE value < ?) INSERT INTO items (sha256, size, media_type, extension, "
            f"first_seen) SELECT {_SHA}, 1000 + value, 'audio', '.wav', "
            "strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM n",
            (items,),
        )
        conn.execute(
            "INSERT INTO item_paths (sha256, path, name, first_seen, seen_at) "
            "SELECT sha256, '/evidence/' || rowid || '.wav', rowid || '.wav', first_seen, "
            "first_seen FROM items"
        )
        conn.execute(
            "INSERT INTO decisions (sha256, verdict, note, reviewer, decided_at) "
            "SELECT sha256, 'inconclusive', '', 'bench', first_seen FROM items "
            "WHERE rowid % 100 = 0"
        )
    print(f"  built {folder.name}: {time.perf_counter() - started:.1f} s")


def clicks(folder: Path, n: int, index: bool, witness: bool = True) -> list[float]:
    """``n`` timed decisions (ms each) on items spread over the case."""
    times = []
    with Case(folder) as case:
        if not witness:
            case.ledger.after_commit.clear()
            case.ledger.before_close.clear()
        conn = case.ledger._conn()
        if not index:
            conn.execute("DROP INDEX IF EXISTS events_decision")
        total = int(conn.execute("SELECT count(*) FROM items").fetchone()[0])
        picks = [
            str(conn.execute("SELECT sha256 FROM items WHERE rowid = ?", (1 + i * total // n,))
                .fetchone()[0])
            for i in range(n)
        ]  # fmt: skip
        case.decide(picks[0], "inconclusive", reviewer="bench")  # the key, made once
        for sha in picks:
            started = time.perf_counter()
            case.decide(sha, "confirmed_fake", note="bench", reviewer="bench")
            times.append((time.perf_counter() - started) * 1000)
        if not index:  # leave the case as the ledger expects it
            from resemble_nb.ledger.sqlite._chain import DECISION_EVENT_INDEX

            conn.execute(DECISION_EVENT_INDEX)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1000, 100_000, 1_000_000])
    parser.add_argument("--clicks", type=int, default=30)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--no-index", action="store_true")
    parser.add_argument("--no-witness", action="store_true")
    args = parser.parse_args()
    root = args.folder or Path(tempfile.mkdtemp(prefix="rnb-decide-"))
    keys = tempfile.mkdtemp(prefix="rnb-decide-keys-")
    os.environ["RESEMBLE_NB_KEYS"] = keys
    try:
        for events in args.events:
            folder = root / f"case-{events}"
            build(folder, events)
            times = clicks(
                folder, args.clicks, index=not args.no_index, witness=not args.no_witness
            )
            with Case(folder) as case:
                chain = int(
                    case.ledger._conn().execute("SELECT max(seq) FROM events").fetchone()[0]
                )
            times.sort()
            print(
                f"  {events:>9,} events (chain now {chain:,}): decide median "
                f"{statistics.median(times):6.2f} ms  p90 {times[int(len(times) * 0.9)]:6.2f} ms"
                f"  max {times[-1]:6.2f} ms"
            )
    finally:
        shutil.rmtree(keys, ignore_errors=True)
        if args.folder is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
