"""Uploads stream to files in a private temp folder, hashed as they arrive.

Nothing is held in memory beyond one network chunk, so a 1 GB upload costs
megabytes. Limits are checked while streaming; once one is passed, the rest of
the body is read and discarded so the client still gets the 400.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import shutil
import tempfile
import unicodedata
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from .errors import ApiError
from .state import StoredFile

__all__ = ["ParsedForm", "Storage", "UploadLimits", "read_multipart", "safe_filename"]

# Malformed bodies are answered with a 400; keep the parser's own warnings off stderr.
logging.getLogger("python_multipart").addHandler(logging.NullHandler())

_MAX_FIELD_BYTES = 64 * 1024
_MAX_FIELDS = 200


class Storage:
    """A private folder for the sandbox's files, removed by :meth:`cleanup`."""

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        if root is None:
            self.root = Path(tempfile.mkdtemp(prefix="resemble-sandbox-"))
            # Removed at cleanup(), when garbage-collected, or at interpreter exit.
            self._finalizer: weakref.finalize[Any, Any] | None = weakref.finalize(
                self, shutil.rmtree, str(self.root), True
            )
        else:
            self.root = Path(root)
            self.root.mkdir(parents=True, exist_ok=True)
            self._finalizer = None

    def new_path(self, filename: str = "") -> Path:
        suffix = Path(filename).suffix.lower()
        if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
            suffix = ""
        return self.root / f"{secrets.token_hex(12)}{suffix}"

    def contains(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.root.resolve())
        except ValueError:
            return False
        return True

    def delete(self, path: Path | None) -> None:
        if path is not None and self.contains(path):
            path.unlink(missing_ok=True)

    def cleanup(self) -> None:
        if self._finalizer is not None:
            self._finalizer()


def safe_filename(name: str | None, default: str = "upload") -> str:
    """The last path component of a client-supplied name, without control characters.

    >>> safe_filename("../../etc/passwd")
    'passwd'
    >>> safe_filename("C:\\\\Users\\\\x\\\\clip.wav")
    'clip.wav'
    """
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if ch.isprintable()).strip().strip(".")
    return text[:200] or default


@dataclass
class UploadLimits:
    max_file_bytes: int
    max_total_bytes: int
    max_files: int
    file_limit_message: str = "File too large"
    total_limit_message: str = "Upload too large"
    files_limit_message: str = "Too many files"


@dataclass
class ParsedForm:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[tuple[str, StoredFile]] = field(default_factory=list)

    def first(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None

    def files_named(self, *names: str) -> list[StoredFile]:
        return [f for n, f in self.files if n in names]


class _Part:
    def __init__(self) -> None:
        self.headers: dict[bytes, bytes] = {}
        self.name = ""
        self.filename: str | None = None
        self.content_type = ""
        self.data = bytearray()
        self.out: IO[bytes] | None = None
        self.path: Path | None = None
        self.hasher = hashlib.sha256()
        self.size = 0


class _Parser:
    def __init__(self, storage: Storage, limits: UploadLimits) -> None:
        self.storage = storage
        self.limits = limits
        self.form = ParsedForm()
        self.part = _Part()
        self.header_name = b""
        self.header_value = b""
        self.total = 0
        self.n_files = 0
        self.n_fields = 0
        self.error: ApiError | None = None
        self.open_parts: list[_Part] = []

    # Callbacks of python-multipart's streaming parser.
    def on_part_begin(self) -> None:
        self.part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.part.headers[self.header_name.lower()] = self.header_value
        self.header_name = b""
        self.header_value = b""

    def on_headers_finished(self) -> None:
        part = self.part
        _, options = parse_options_header(part.headers.get(b"content-disposition", b""))
        part.name = options.get(b"name", b"").decode("utf-8", "replace")
        ctype = part.headers.get(b"content-type", b"").decode("latin-1").strip().lower()
        part.content_type = ctype
        if b"filename" in options:
            part.filename = safe_filename(options[b"filename"].decode("utf-8", "replace"))
            self.n_files += 1
            if self.n_files > self.limits.max_files:
                self._fail(self.limits.files_limit_message)
                return
            if self.error is None:
                part.path = self.storage.new_path(part.filename)
                part.out = open(part.path, "wb")  # noqa: SIM115 - closed in on_part_end/abort
                self.open_parts.append(part)
        else:
            self.n_fields += 1
            if self.n_fields > _MAX_FIELDS:
                self._fail(f"Too many form fields (at most {_MAX_FIELDS})")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.error is not None:
            return
        chunk = data[start:end]
        part = self.part
        if part.filename is None:
            if len(part.data) + len(chunk) > _MAX_FIELD_BYTES:
                self._fail(f"Form field {part.name!r} is too long")
                return
            part.data.extend(chunk)
            return
        part.size += len(chunk)
        self.total += len(chunk)
        if part.size > self.limits.max_file_bytes:
            self._fail(self.limits.file_limit_message)
            return
        if self.total > self.limits.max_total_bytes:
            self._fail(self.limits.total_limit_message)
            return
        part.hasher.update(chunk)
        assert part.out is not None
        part.out.write(chunk)

    def on_part_end(self) -> None:
        part = self.part
        if self.error is not None:
            return
        if part.filename is None:
            value = part.data.decode("utf-8", "replace")
            self.form.fields.setdefault(part.name, []).append(value)
            return
        assert part.out is not None and part.path is not None
        part.out.close()
        self.open_parts.remove(part)
        stored = StoredFile(
            path=part.path,
            filename=part.filename,
            content_type=part.content_type,
            size=part.size,
            sha256=part.hasher.hexdigest(),
        )
        self.form.files.append((part.name, stored))

    def _fail(self, message: str) -> None:
        if self.error is None:
            self.error = ApiError(400, message)
        self.abort()

    def abort(self) -> None:
        for part in self.open_parts:
            if part.out is not None:
                part.out.close()
            self.storage.delete(part.path)
        self.open_parts.clear()


async def read_multipart(
    content_type: str, stream: AsyncIterator[bytes], storage: Storage, limits: UploadLimits
) -> ParsedForm:
    """Parse a ``multipart/form-data`` body, writing file parts into ``storage``."""
    ctype, params = parse_options_header(content_type)
    if ctype != b"multipart/form-data" or b"boundary" not in params:
        raise ApiError(400, "Expected a multipart/form-data body with a boundary")
    state = _Parser(storage, limits)
    parser = MultipartParser(
        params[b"boundary"],
        {
            "on_part_begin": state.on_part_begin,
            "on_part_data": state.on_part_data,
            "on_part_end": state.on_part_end,
            "on_header_field": state.on_header_field,
            "on_header_value": state.on_header_value,
            "on_header_end": state.on_header_end,
            "on_headers_finished": state.on_headers_finished,
        },
    )
    try:
        async for chunk in stream:
            if state.error is None:
                parser.write(chunk)
            # After an error the rest of the body is drained so the client sees the answer.
        if state.error is None:
            parser.finalize()
            if state.open_parts:
                raise FormParserError("the body ended before the closing boundary")
    except BaseException as exc:  # malformed body, client gone, cancelled...
        state.abort()
        for _, stored in state.form.files:
            storage.delete(stored.path)
        if isinstance(exc, FormParserError):
            raise ApiError(400, f"Malformed multipart body: {exc}") from None
        raise
    if state.error is not None:
        for _, stored in state.form.files:
            storage.delete(stored.path)
        raise state.error
    return state.form
