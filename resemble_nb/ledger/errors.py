"""Errors raised by the case ledger. All are :class:`LedgerError`, a :class:`ResembleError`."""

from __future__ import annotations

from .._errors import ResembleError

__all__ = [
    "InvalidTransition",
    "LedgerError",
    "LedgerVersionError",
    "NotALedgerError",
]


class LedgerError(ResembleError):
    """Something about the case ledger is wrong; the message names the file or the job."""


class NotALedgerError(LedgerError):
    """The file exists but is not a resemble_nb ledger (not SQLite, or someone else's)."""


class LedgerVersionError(LedgerError):
    """The ledger was written by a newer resemble_nb than this one."""


class InvalidTransition(LedgerError):
    """A job was asked to move to a state it cannot reach from where it is."""
