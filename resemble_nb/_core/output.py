"""The one safe way to write an output file (a report, a results table, a bundle...).

The bytes go to a temporary file in the target's own folder, which is then renamed onto
the target: a reader never sees half a file, and a failure leaves the old one as it was.
The target must be a regular file or a new path: a device (``/dev/null``), a FIFO, a
socket, a folder or a symlink is refused in one line and left untouched (renaming onto
``/dev/null`` as root would replace the machine's device node with a file).

>>> write_atomically(Path("acme.html"), "<html>...")   # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from .errors import ResembleError

__all__ = [
    "FILE_KINDS",
    "UnsafeOutputError",
    "check_output",
    "temp_beside",
    "write_atomically",
    "writing",
]


class UnsafeOutputError(ResembleError, ValueError):
    """The output path is not a regular file or a new path (nothing was written)."""


FILE_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)
"""What a path is when it is not a regular file, in words (``stat`` test, words)."""


def check_output(path: str | os.PathLike[str]) -> Path:
    """``path`` when it may be written (a regular file or nothing yet), else raise
    :class:`UnsafeOutputError` naming it and what it is."""
    target = Path(path)
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise UnsafeOutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    if stat.S_ISREG(mode):
        return target
    kind = next((name for test, name in FILE_KINDS if test(mode)), "not a regular file")
    raise UnsafeOutputError(
        f"refusing to write {target}: it is {kind}; give a regular file or a new path"
    )


def temp_beside(path: Path) -> Path:
    """A fresh temporary name in ``path``'s folder (hidden, random)."""
    # not tempfile.mkstemp: its 0600 mode would make a report meant for sharing unreadable
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")


@contextlib.contextmanager
def writing(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write; on success it is renamed onto
    ``path`` (checked before and again just before the rename), else removed."""
    target = check_output(path)
    tmp = temp_beside(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        check_output(target)  # it may have changed while we wrote
        os.replace(tmp, target)
    except OSError as exc:  # name the file asked for, never the hidden temporary beside it
        if exc.errno is not None and exc.filename in (None, os.fspath(tmp), os.fspath(target)):
            raise OSError(exc.errno, exc.strerror, os.fspath(target)) from exc
        raise
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def write_atomically(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` so a reader never sees half a file."""
    with writing(path) as tmp:
        if isinstance(data, bytes):
            with tmp.open("xb") as raw:
                raw.write(data)
        else:
            with tmp.open("x", encoding="utf-8") as handle:
                handle.write(data)
    return Path(path)
