"""One review of a case at a time, across processes: a lease row in the ledger.

Two reviews of one case folder at once (a second kernel, a terminal) would both see
the same items pending and both send them: billed twice. So a review holds the case's
``review`` lease, a row naming its holder (host, process id, what it is, since when)
that the holder refreshes every few seconds (the heartbeat). Taking it is one
``BEGIN IMMEDIATE`` transaction, so two processes cannot both win.

A lease is *stale*, and taken over, when its holder cannot be alive: a process on this
host that no longer exists (a killed kernel), or a heartbeat older than
:data:`LEASE_TTL` (a holder on another host, or one that hung). A holder whose lease was
taken over learns it at its next heartbeat (:meth:`Lease.beat` returns ``False``).

>>> lease = ledger.acquire_lease(what="resemble-nb detect")      # doctest: +SKIP
>>> lease.beat()                                                 # doctest: +SKIP
True
>>> lease.release()                                              # doctest: +SKIP
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ._base import LedgerBase, must_time, now, to_text
from .errors import LedgerError

__all__ = ["LEASE_TTL", "CaseBusyError", "Holder", "Lease", "LeaseMixin"]

LEASE_TTL = timedelta(seconds=30)
"""A heartbeat older than this means the holder is gone (it beats every few seconds)."""
HEARTBEAT_S = 5.0
"""How often a holder refreshes its lease."""
REVIEW = "review"


@dataclass(frozen=True)
class Holder:
    """Who holds a lease: where, which process, doing what, since when."""

    host: str
    pid: int
    what: str
    started_at: datetime
    heartbeat_at: datetime

    def describe(self) -> str:
        """Plain words: ``resemble-nb detect (process 1234 on host lab-1) since ...``."""
        since = self.started_at.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
        ago = max(0.0, (now() - self.heartbeat_at).total_seconds())
        what = self.what or "a review"
        return (
            f"{what} (process {self.pid} on host {self.host}) since {since}, "
            f"last seen {ago:.0f} s ago"
        )


class CaseBusyError(LedgerError):
    """Another process is reviewing this case; ``holder`` says who.

    Wait for it (``case.review(..., wait_for_case=SECONDS)``, CLI ``--wait-for-case``)
    or stop that process; a killed holder's lease is taken over by itself.
    """

    def __init__(self, message: str, holder: Holder) -> None:
        super().__init__(message)
        self.holder = holder


def _alive_here(pid: int) -> bool:
    """Whether a process with this id exists on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


@dataclass
class Lease:
    """A held lease; :meth:`beat` keeps it, :meth:`release` gives it back."""

    ledger: LeaseMixin
    name: str
    token: str
    holder: Holder

    def beat(self) -> bool:
        """Refresh the heartbeat; ``False`` if the lease is no longer ours."""
        return self.ledger._beat(self)

    def release(self) -> None:
        """Give the lease back (only if still ours)."""
        self.ledger._release(self)


class LeaseMixin(LedgerBase):
    def lease_holder(self, name: str = REVIEW) -> Holder | None:
        """Who holds the lease now, or ``None`` (a stale holder is still shown)."""
        row = (
            self._conn()
            .execute(
                "SELECT host, pid, what, started_at, heartbeat_at FROM leases WHERE name = ?",
                (name,),
            )
            .fetchone()
        )
        if row is None:
            return None
        return Holder(row[0], int(row[1]), row[2], must_time(row[3]), must_time(row[4]))

    def _stale(self, holder: Holder) -> bool:
        if holder.host == socket.gethostname() and not _alive_here(holder.pid):
            return True
        return now() - holder.heartbeat_at > LEASE_TTL

    def try_lease(self, name: str = REVIEW, *, what: str = "") -> Lease | Holder:
        """Take the lease if it is free or stale; else return who holds it."""
        token = secrets.token_hex(16)
        stamp = now()
        me = Holder(socket.gethostname(), os.getpid(), what, stamp, stamp)
        with self._write() as conn:
            current = self.lease_holder(name)
            if current is not None and not self._stale(current):
                return current
            conn.execute(
                "INSERT INTO leases (name, holder, host, pid, what, started_at, heartbeat_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                "holder = excluded.holder, host = excluded.host, pid = excluded.pid, "
                "what = excluded.what, started_at = excluded.started_at, "
                "heartbeat_at = excluded.heartbeat_at",
                (name, token, me.host, me.pid, what, to_text(stamp), to_text(stamp)),
            )
        return Lease(self, name, token, me)

    def acquire_lease(
        self,
        name: str = REVIEW,
        *,
        what: str = "",
        wait: float | None = 0.0,
        sleep: Callable[[float], None] = time.sleep,
        case_name: str | None = None,
    ) -> Lease:
        """Take the lease, waiting up to ``wait`` seconds (``None``: as long as it takes).

        Raises:
            CaseBusyError: Still held by a live process when the wait is over.
        """
        deadline = None if wait is None else time.monotonic() + max(0.0, wait)
        while True:
            got = self.try_lease(name, what=what)
            if isinstance(got, Lease):
                return got
            if deadline is not None and time.monotonic() >= deadline:
                label = f"case {case_name!r}" if case_name else f"the case at {self.folder}"
                waited = f" (waited {wait:.0f} s)" if wait else ""
                raise CaseBusyError(
                    f"{label} is being reviewed by {got.describe()}{waited}. Wait for it "
                    "(case.review(..., wait_for_case=SECONDS), or resemble-nb detect "
                    "--wait-for-case SECONDS), or stop that process; nothing was sent.",
                    got,
                )
            sleep(1.0)

    def _beat(self, lease: Lease) -> bool:
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE leases SET heartbeat_at = ? WHERE name = ? AND holder = ?",
                (to_text(now()), lease.name, lease.token),
            )
            return cursor.rowcount == 1

    def _release(self, lease: Lease) -> None:
        with self._write() as conn:
            conn.execute(
                "DELETE FROM leases WHERE name = ? AND holder = ?", (lease.name, lease.token)
            )
