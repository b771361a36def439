"""The ledger file as a whole: WAL, threads, copies, case facts, closing."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

from resemble_nb.ledger import Ledger, LedgerError, ResultRecord

from .conftest import make_item, spec


def test_case_facts(ledger: Ledger) -> None:
    created = ledger.get_meta("created_at")
    assert created is not None and created.endswith("+00:00")
    ledger.set_meta("name", "ACME wire fraud")
    ledger.set_meta("name", "ACME wire fraud, 2026")
    assert ledger.meta()["name"] == "ACME wire fraud, 2026"
    assert ledger.get_meta("missing", "default") == "default"
    with pytest.raises(ValueError, match="app"):
        ledger.set_meta("app", "other")


def test_repr_names_the_file_only(ledger: Ledger, case: Path) -> None:
    assert repr(ledger) == f"Ledger({str(case / 'ledger.sqlite')!r})"


def test_readers_are_not_blocked_by_an_open_write(ledger: Ledger, case: Path) -> None:
    """WAL: while a writer holds its transaction, another connection still reads."""
    item = make_item(1)
    ledger.add_items([item])
    writer = sqlite3.connect(case / "ledger.sqlite", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE items SET size = 1 WHERE sha256 = ?", (item.sha256,))
    seen: list[int] = []
    reader = threading.Thread(target=lambda: seen.append(ledger.item(item.sha256).size))  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout=5)
    writer.execute("ROLLBACK")
    writer.close()
    assert seen == [item.size]  # read at once, the committed value


def test_a_background_writer_and_a_foreground_reader(ledger: Ledger) -> None:
    """The engine's thread walks jobs to completion while the notebook keeps reading."""
    items = [make_item(n) for n in range(200)]
    ledger.add_items(items)
    ids = ledger.create_jobs(spec(i) for i in items)
    errors: list[BaseException] = []

    def engine() -> None:
        try:
            for job_id in ids:
                ledger.mark_submitting(job_id)
                ledger.mark_submitted(job_id, detect_uuid=f"d{job_id}")
                ledger.mark_completed(job_id, ResultRecord(label="real", score=0.1))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    worker = threading.Thread(target=engine)
    worker.start()
    reads = 0
    completed_seen = []
    while worker.is_alive() or reads == 0:
        rows = ledger.results_rows().rows
        completed_seen.append(sum(1 for r in rows if r[9] == "completed"))
        reads += 1
    worker.join()
    assert not errors
    assert completed_seen == sorted(completed_seen)  # never goes backwards
    assert ledger.state_counts() == {"completed": 200}
    assert reads > 1


def test_two_ledgers_on_one_file_see_each_other(case: Path) -> None:
    """A CLI run and a notebook may open the same case at once."""
    path = case / "ledger.sqlite"
    with Ledger(path) as a, Ledger(path) as b:
        item = make_item(1)
        a.add_items([item])
        assert b.item(item.sha256) is not None
        b.decide(item.sha256, "inconclusive")
        assert a.verdict_for(item.sha256) is not None


def test_a_copied_case_folder_opens_elsewhere_with_everything(case: Path, tmp_path: Path) -> None:
    path = case / "ledger.sqlite"
    ledger = Ledger(path)
    item = make_item(1)
    ledger.add_items([item])
    job, _ = ledger.ensure_job(spec(item))
    ledger.mark_submitting(job.id)
    ledger.mark_completed(job.id, ResultRecord(label="fake", score=0.9, raw={"uuid": "d"}))
    ledger.decide(item.sha256, "confirmed_fake", "done")
    ledger.set_meta("name", "acme")
    live_copy = shutil.copytree(case, tmp_path / "copied-while-open")  # includes the -wal file
    ledger.close()
    assert (
        not (case / "ledger.sqlite-wal").exists()
        or (case / "ledger.sqlite-wal").stat().st_size == 0
    )
    closed_copy = tmp_path / "copied-after-close"
    closed_copy.mkdir()
    shutil.copy(path, closed_copy / "ledger.sqlite")  # the single file is enough once closed
    for folder in (live_copy, closed_copy):
        with Ledger(folder / "ledger.sqlite") as copy:
            assert copy.meta()["name"] == "acme"
            assert copy.job(job.id).state == "completed"
            assert copy.result_for(job.id).raw == {"uuid": "d"}  # type: ignore[union-attr]
            assert copy.verdict_for(item.sha256).note == "done"  # type: ignore[union-attr]


def test_a_closed_ledger_says_so(case: Path) -> None:
    ledger = Ledger(case / "ledger.sqlite")
    ledger.close()
    with pytest.raises(LedgerError, match="closed"):
        ledger.items()


def test_connections_of_finished_threads_are_closed(ledger: Ledger) -> None:
    for _ in range(5):
        worker = threading.Thread(target=ledger.items)
        worker.start()
        worker.join()
    ledger.items()  # a new connection prunes the dead ones... from a new thread
    thread = threading.Thread(target=ledger.items)
    thread.start()
    thread.join()
    assert len(ledger._store._open) <= 3
