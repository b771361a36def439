"""Where a reviewer's key file is, and whether it is safe to use.

One key per person: the file is named by a lossless function of the exact name (its
NFC form, hashed), never a slug that two names can share. A key folder or key file that
others can read or write, that belongs to another account, or that is reached through a
symlink leaving this user's control is refused in one line, and never chmod-ed.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from pathlib import Path

from ._errors import CustodyError

__all__ = ["check_folder", "check_key_file", "key_path", "legacy_key_path", "normal_name"]

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SUFFIX = ".ed25519.pem"


def normal_name(name: str) -> str:
    """The exact name a reviewer signs as: stripped, NFC-normalised Unicode."""
    return unicodedata.normalize("NFC", name.strip())


def key_path(folder: Path, name: str) -> Path:
    """The key file of ``name``: a readable hint, then the SHA-256 of the NFC name.

    The hint (ASCII letters kept, the rest ``_``) is only for people listing the folder;
    the hash is what tells two names apart (``Иван`` and ``Анна`` get two files).
    """
    exact = normal_name(name)
    digest = hashlib.sha256(exact.encode("utf-8")).hexdigest()
    hint = _SAFE.sub("_", exact)[:24].strip("_") or "reviewer"
    return folder / f"{hint}.{digest[:32]}{_SUFFIX}"


def legacy_key_path(folder: Path, name: str) -> Path | None:
    """An older release's key file for ``name``, when its slug named only this name.

    Older releases slugged the name (``José`` and ``Josè`` both became ``Jos_``); such a
    file cannot say whose it is and is never adopted. A plain ASCII name's file is.
    """
    exact = normal_name(name)
    if _SAFE.sub("_", exact) != exact:
        return None
    return folder / f"{exact}{_SUFFIX}"


def _posix() -> bool:
    return hasattr(os, "geteuid")


def _loose(mode: int) -> bool:
    return bool(mode & (stat.S_IRWXG | stat.S_IRWXO))


def _in_control(path: Path) -> str | None:
    """Why ``path`` (resolved) is not under this user's control, or ``None``.

    Every folder above it must belong to this user or root and be writable by no one
    else (a sticky shared folder such as ``/tmp`` counts as safe).
    """
    uid = os.geteuid()
    for parent in [path, *path.parents]:
        try:
            info = parent.stat()
        except OSError:
            continue
        if info.st_uid not in (uid, 0):
            return f"{parent} belongs to another account"
        shared = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        if shared and not info.st_mode & stat.S_ISVTX:
            return f"{parent} can be written by other accounts"
    return None


def check_folder(folder: Path) -> None:
    """Refuse a key folder others can use, or one reached through a symlink out of reach."""
    if not _posix() or not folder.exists():
        return
    real = folder.resolve()
    if real != folder.absolute():
        why = _in_control(real)
        if why is not None:
            raise CustodyError(
                f"{folder}: refusing the key folder: it leads through a symlink to {real}, "
                f"and {why}"
            )
    _ours_and_private(folder, real.stat(), "folder", "open", "700")


def check_key_file(path: Path) -> None:
    """Refuse a key file that is a symlink, not ours, or readable by others."""
    if not _posix():
        return
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        raise CustodyError(f"{path}: refusing the key file: it is a symlink")
    if not stat.S_ISREG(info.st_mode):
        raise CustodyError(f"{path}: refusing the key file: it is not a regular file")
    _ours_and_private(path, info, "file", "read", "600")


def _ours_and_private(
    path: Path, info: os.stat_result, what: str, can: str, private_mode: str
) -> None:
    """Refuse a key ``what`` (folder or file) of another account, or that others ``can``
    open or read."""
    if info.st_uid != os.geteuid():
        raise CustodyError(f"{path}: refusing the key {what}: it belongs to another account")
    if _loose(info.st_mode):
        raise CustodyError(
            f"{path}: refusing the key {what}: other accounts can {can} it (mode "
            f"{stat.S_IMODE(info.st_mode):04o}); make it private with chmod {private_mode}"
        )
