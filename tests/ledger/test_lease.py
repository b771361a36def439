"""The case lease: one review at a time across processes, stale holders taken over safely."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from resemble_nb.ledger import LEASE_TTL, CaseBusyError, Lease, Ledger
from resemble_nb.ledger._base import now, to_text


def _put_holder(ledger: Ledger, host: str, pid: int, age: timedelta) -> None:
    stamp = to_text(now() - age)
    with ledger._write() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO leases VALUES ('review', 'someone', ?, ?, 'a review', ?, ?)",
            (host, pid, stamp, stamp),
        )


def test_a_held_lease_names_its_holder_in_plain_words(ledger: Ledger) -> None:
    first = ledger.acquire_lease(what="resemble-nb detect")
    with pytest.raises(CaseBusyError) as caught:
        ledger.acquire_lease(what="a Jupyter kernel", case_name="acme")
    text = str(caught.value)
    assert "case 'acme' is being reviewed by resemble-nb detect" in text
    assert f"process {os.getpid()} on host" in text and "since" in text
    assert "wait_for_case" in text and "--wait-for-case" in text
    assert caught.value.holder.pid == os.getpid()
    first.release()
    second = ledger.acquire_lease()
    assert isinstance(second, Lease)
    second.release()
    assert ledger.lease_holder() is None


def test_waiting_gets_the_lease_once_the_holder_lets_go(ledger: Ledger) -> None:
    first = ledger.acquire_lease()
    naps: list[float] = []

    def nap(seconds: float) -> None:  # the holder finishes while the second one waits
        naps.append(seconds)
        first.release()

    second = ledger.acquire_lease(wait=None, sleep=nap)
    assert naps == [1.0] and second.beat()


def test_a_lease_of_a_killed_process_is_taken_over(ledger: Ledger, tmp_path: Path) -> None:
    code = textwrap.dedent(
        f"""
        import sys, time
        from resemble_nb.ledger import Ledger
        lease = Ledger({str(ledger.path)!r}).acquire_lease(what="doomed")
        print("held", flush=True)
        time.sleep(60)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    with pytest.raises(CaseBusyError, match="doomed"):
        ledger.acquire_lease()
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    taken = ledger.acquire_lease(what="survivor")
    assert ledger.lease_holder() == taken.holder


def test_a_silent_holder_elsewhere_goes_stale_after_the_ttl(ledger: Ledger) -> None:
    _put_holder(ledger, "another-host", 4242, timedelta(seconds=2))
    with pytest.raises(CaseBusyError, match="process 4242 on host another-host"):
        ledger.acquire_lease()
    _put_holder(ledger, "another-host", 4242, LEASE_TTL + timedelta(seconds=1))
    assert isinstance(ledger.acquire_lease(), Lease)


def test_a_holder_whose_lease_was_taken_over_learns_it_at_its_next_beat(ledger: Ledger) -> None:
    mine = ledger.acquire_lease()
    assert mine.beat()
    _put_holder(ledger, "another-host", 7, timedelta(0))  # someone decided we were gone
    assert not mine.beat()
    mine.release()  # does not release theirs
    holder = ledger.lease_holder()
    assert holder is not None and holder.pid == 7
