"""Reviewers' Ed25519 keys: made on first use, kept outside every case.

A reviewer's private key lives in a per-user folder (``$RESEMBLE_NB_KEYS``, else
``$XDG_CONFIG_HOME/resemble_nb/keys``, else ``~/.config/resemble_nb/keys``), the folder
mode 0700 and each key file mode 0600. A case only ever holds public keys.

>>> key = reviewer_key("ana")                   # doctest: +SKIP
>>> key.fingerprint_short                       # doctest: +SKIP
'3f2a 9c01 77be 12d4'
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from resemble_nb._core.secrets import remember

from ._errors import CustodyError
from ._keyfiles import check_folder, check_key_file, key_path, legacy_key_path, normal_name

__all__ = [
    "KeyFolderError",
    "ReviewerKey",
    "fingerprint",
    "key_folder",
    "reviewer_key",
    "verify_signature",
]


def key_folder() -> Path:
    """Where this user's private keys live (never inside a case)."""
    explicit = os.environ.get("RESEMBLE_NB_KEYS")
    if explicit:
        return Path(explicit).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join("~", ".config")
    return Path(config).expanduser() / "resemble_nb" / "keys"


def fingerprint(public_key: str) -> str:
    """The SHA-256 of a raw public key (base64 text), in hex: how a signer is named."""
    return hashlib.sha256(base64.b64decode(public_key)).hexdigest()


def short(fingerprint_hex: str) -> str:
    """The first 64 bits of a fingerprint, grouped for reading aloud."""
    head = fingerprint_hex[:16]
    return " ".join(head[i : i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True, repr=False)
class ReviewerKey:
    """A reviewer's signing key. Its repr shows the name and fingerprint, never the key."""

    reviewer: str
    _private: Ed25519PrivateKey

    def __post_init__(self) -> None:
        raw = self._private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        pem = self._private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")
        remember(base64.b64encode(raw).decode("ascii"), "a reviewer's private key")
        for line in pem.splitlines()[1:-1]:  # its body, should the PEM lines be lost
            remember(line, "a reviewer's private key")

    @property
    def public_key(self) -> str:
        """The raw 32-byte public key, base64."""
        raw = self._private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return base64.b64encode(raw).decode("ascii")

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    @property
    def fingerprint_short(self) -> str:
        return short(self.fingerprint)

    def sign(self, message: str) -> str:
        """A base64 Ed25519 signature over ``message`` (UTF-8)."""
        return base64.b64encode(self._private.sign(message.encode("utf-8"))).decode("ascii")

    def __repr__(self) -> str:
        return f"ReviewerKey({self.reviewer!r}, fingerprint {self.fingerprint_short})"


def verify_signature(public_key: str, message: str, signature: str) -> bool:
    """Whether ``signature`` (base64) is ``public_key``'s signature over ``message``."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
        key.verify(base64.b64decode(signature), message.encode("utf-8"))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _load(path: Path, name: str) -> ReviewerKey:
    check_key_file(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            loaded = serialization.load_pem_private_key(handle.read(), password=None)
    except (ValueError, TypeError) as exc:
        raise CustodyError(f"{path}: not a readable Ed25519 key ({exc})") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise CustodyError(f"{path}: not an Ed25519 key")
    return ReviewerKey(name, loaded)


def reviewer_key(reviewer: str, folder: Path | None = None) -> ReviewerKey:
    """The reviewer's key, made (and saved with mode 0600) on first use.

    The name is taken exactly (NFC-normalised): ``José`` and ``Josè`` are two people with
    two keys. A folder or file others could use is refused (see :mod:`._keyfiles`).
    """
    name = normal_name(reviewer)
    if not name:
        raise CustodyError("a reviewer needs a name to sign with")
    where = folder or key_folder()
    try:
        return _made_or_loaded(name, where)
    except OSError as exc:  # the folder cannot be read, made or written
        raise KeyFolderError(where, exc) from None


def _made_or_loaded(name: str, where: Path) -> ReviewerKey:
    check_folder(where)
    path = key_path(where, name)
    legacy = legacy_key_path(where, name)
    if not path.exists() and legacy is not None and legacy.is_file():
        check_key_file(legacy)
        os.rename(legacy, path)  # a plain ASCII name's old file: the same person's key
    if path.exists() or path.is_symlink():
        return _load(path, name)
    where.mkdir(mode=0o700, parents=True, exist_ok=True)  # never chmod: see check_folder
    check_folder(where)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return ReviewerKey(name, private)


class KeyFolderError(CustodyError):
    """The folder of reviewers' private keys cannot be made, read or written."""

    def __init__(self, folder: Path, exc: OSError) -> None:
        reason = exc.strerror or type(exc).__name__
        origin = next(
            (name for name in ("RESEMBLE_NB_KEYS", "XDG_CONFIG_HOME") if os.environ.get(name)),
            "HOME",
        )
        super().__init__(
            f"{folder}: the folder of reviewers' signing keys (from {origin}) cannot be "
            f"used ({reason}); set RESEMBLE_NB_KEYS to a folder you can write, e.g. "
            "export RESEMBLE_NB_KEYS=/path/to/keys"
        )
        self.folder = folder
