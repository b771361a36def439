"""What team review costs as the case grows: the deal, reading the team's state, a
reviewer's queue and one verdict, at 1k / 10k / 100k items (SQLite).

    .venv/bin/python benchmarks/team_review.py [--items 1000 10000 100000] [--clicks 20]

Each case is built with bulk SQL (items and their paths, as ``decide.py`` does), six
reviewers are registered, and ``assign(overlap=2)`` deals every item. Then it times
``case.team()`` (the deal and every decision read back from the chain), ``case.queue``
(one reviewer's rows of ``case.results()``, blind) and ``--clicks`` verdicts through
``case.team_decide`` one by one (median and p90), and checks that no item was dealt to
more reviewers than the overlap.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from resemble_nb.case import Case

_SHA = "printf('%064x', value)"
REVIEWERS = [f"r{i}" for i in range(6)]


def build(folder: Path, items: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
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


def measure(folder: Path, items: int, clicks: int) -> None:
    build(folder, items)
    with Case(folder) as case:
        for name in REVIEWERS:
            case.add_reviewer(name)
        started = time.perf_counter()
        deal = case.assign(reviewers=REVIEWERS, overlap=2, assigned_by="r0")
        t_assign = time.perf_counter() - started
        started = time.perf_counter()
        team = case.team()
        t_team = time.perf_counter() - started
        assert team is not None
        over = sum(len(i.reviewers) > 2 for i in team.items.values())
        started = time.perf_counter()
        queue = case.queue("r1")
        t_queue = time.perf_counter() - started
        mine = [s for s, names in deal.items() if "r1" in names][:clicks]
        times = []
        for sha in mine:
            started = time.perf_counter()
            case.team_decide(sha, "confirmed_real", "", "r1")
            times.append(time.perf_counter() - started)
        size = (folder / "case.db").stat().st_size / 2**20
    p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0]
    print(
        f"{items:>7} items: assign {t_assign:6.2f} s, team() {t_team:6.2f} s, "
        f"queue(r1) {t_queue:6.2f} s ({len(queue)} rows), verdict median "
        f"{1000 * statistics.median(times):.0f} ms p90 {1000 * p90:.0f} ms; "
        f"over the overlap: {over}; case.db {size:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--clicks", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rnb-team-bench-") as root:
        for n in args.items:
            measure(Path(root) / f"team{n}", n, args.clicks)


if __name__ == "__main__":
    main()
