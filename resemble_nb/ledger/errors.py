"""Errors raised by the case ledger. All are :class:`LedgerError`, a :class:`ResembleError`."""

from __future__ import annotations

from .._core.errors import ResembleError

__all__ = [
    "CaseFolderError",
    "CaseNameError",
    "InvalidTransition",
    "LedgerError",
    "LedgerVersionError",
    "NotALedgerError",
    "ReadOnlyLedgerError",
]


class LedgerError(ResembleError):
    """Something about the case ledger is wrong; the message names the file or the job."""


class CaseFolderError(LedgerError, NotADirectoryError):
    """The case folder cannot be used: it is a file, or cannot be created or written."""


class CaseNameError(LedgerError, ValueError):
    """An existing case was opened under another name (rename it with ``case.rename``)."""


class NotALedgerError(LedgerError):
    """The file exists but is not a resemble_nb ledger (not SQLite, or someone else's)."""


class ReadOnlyLedgerError(LedgerError):
    """The case cannot be written (read-only file, folder or disk); it can still be read."""


class LedgerVersionError(LedgerError):
    """The ledger was written by a newer resemble_nb than this one."""


class InvalidTransition(LedgerError):
    """A job was asked to move to a state it cannot reach from where it is."""
