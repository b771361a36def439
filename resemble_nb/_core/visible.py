"""Showing names so that what is seen is what is there.

A file name can carry characters that change how the text around them looks: a
right-to-left override (U+202E) turns ``invoice\u202egnp.exe`` into what reads as
``invoiceexe.png``; zero-width characters make two names look alike; a newline splits
one name across two lines. Everywhere a name or path is shown to a person (the report,
CSV exports, the command line), such characters are written as visible escapes like
``\\u202e``. What the ledger stores is never changed.

>>> visible("call\u202eva.wav")
'call\\\\u202eva.wav'
"""

from __future__ import annotations

import re

__all__ = ["escape_name", "visible"]

_HIDDEN = (
    "\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"  # controls (not \t \n \r)
    "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
)
_IN_TEXT = re.compile(f"[{_HIDDEN}]")
_IN_NAME = re.compile(f"[{_HIDDEN}\t\n\r]|[\udc80-\udcff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return {"\t": "\\t", "\n": "\\n", "\r": "\\r"}.get(char) or (
        f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    )


def visible(text: str) -> str:
    """``text`` with direction overrides, zero-width and control characters escaped
    (newlines and tabs kept: for notes and messages)."""
    return _IN_TEXT.sub(_escape, text)


def escape_name(text: str) -> str:
    """A file name or path shown on one line: like :func:`visible`, and newlines, tabs
    and bytes that are not UTF-8 escaped too."""
    return _IN_NAME.sub(_escape, text)
