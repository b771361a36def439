"""Files to upload: opened lazily, streamed from disk, checked against the limits.

Bodies are never read into memory: an open file object goes into httpx's
multipart encoder, which reads it in 64 KiB chunks (and rewinds it on a retry).
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, TypeAlias, Union

from ._formats import MEDIA_EXTENSIONS, content_type
from ._limits import MAX_BATCH_BYTES, MAX_BATCH_FILES, MAX_DIRECT_UPLOAD_BYTES, MB
from .errors import BatchLimitError, FileRejectedError

__all__ = [
    "MEDIA_EXTENSIONS",
    "FileInput",
    "NamedFileInput",
    "Upload",
    "check_batch",
]

FileInput = Union[str, "os.PathLike[str]", BinaryIO, IO[bytes]]
"""A path, or a file object opened in binary mode."""
NamedFileInput: TypeAlias = "FileInput | tuple[str, FileInput]"
"""A file, or a ``(filename, file)`` pair to send it under another name."""


def _fileobj_size(fileobj: Any) -> int | None:
    try:
        return os.fstat(fileobj.fileno()).st_size - (fileobj.tell() if fileobj.seekable() else 0)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        pass
    if isinstance(fileobj, io.BytesIO):
        return len(fileobj.getbuffer())
    return None


@dataclass
class Upload:
    """One file to send as multipart field ``field``.

    Attributes:
        filename: The name sent to the server (the path's base name by default).
        size: Size in bytes, when it can be known without reading the file.
    """

    field: str
    source: FileInput
    filename: str
    size: int | None

    @classmethod
    def make(cls, field: str, source: FileInput, filename: str | None = None) -> Upload:
        """Describe ``source`` and check it exists, is a file and is not empty.

        Raises:
            FileNotFoundError: The path does not exist.
            FileRejectedError: It is a directory, empty, or a text-mode file object.
        """
        if isinstance(source, (str, os.PathLike)):
            path = Path(source)
            if not path.exists():
                raise FileNotFoundError(f"{path}: no such file")
            if not path.is_file():
                raise FileRejectedError(f"{path}: not a regular file", path=str(path))
            size: int | None = path.stat().st_size
            name = filename or path.name
            where = str(path)
        else:
            if isinstance(source, io.TextIOBase):
                raise FileRejectedError(
                    "file objects must be opened in binary mode ('rb'), not text mode",
                    path=filename,
                )
            if not hasattr(source, "read"):
                raise TypeError(f"expected a path or a binary file object, got {source!r}")
            size = _fileobj_size(source)
            name = filename or Path(str(getattr(source, "name", "") or "upload")).name
            where = name
        if size == 0:
            raise FileRejectedError(
                f"{where}: the file is empty (0 bytes); the API rejects empty files",
                path=where,
            )
        return cls(field=field, source=source, filename=name, size=size)

    def open(self, stack: ExitStack) -> tuple[str, IO[bytes], str]:
        """The ``(filename, fileobj, content_type)`` triple for httpx ``files=``."""
        if isinstance(self.source, (str, os.PathLike)):
            fileobj: IO[bytes] = stack.enter_context(open(self.source, "rb"))  # noqa: SIM115
        else:
            fileobj = self.source
        return (self.filename, fileobj, content_type(self.filename))


def check_direct(upload: Upload) -> None:
    """Refuse a direct ``POST /detect`` upload over the 150 MB cap, before sending."""
    if upload.size is not None and upload.size > MAX_DIRECT_UPLOAD_BYTES:
        raise FileRejectedError(
            f"{upload.filename}: {upload.size / MB:.1f} MB is over the "
            f"{MAX_DIRECT_UPLOAD_BYTES // MB} MB limit for direct upload to POST /detect; "
            "upload it with secure_upload() and pass media_token= instead",
            path=upload.filename,
        )


def _zip_media_count(path: Path) -> int:
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(
                1
                for info in archive.infolist()
                if not info.is_dir() and Path(info.filename).suffix.lower() in MEDIA_EXTENSIONS
            )
    except zipfile.BadZipFile as exc:
        raise FileRejectedError(f"{path}: not a readable zip file ({exc})", path=str(path)) from exc


def check_batch(uploads: Sequence[Upload], zip_upload: Upload | None = None) -> None:
    """Refuse a batch over 50 files or 500 MB in total, before sending anything.

    Raises:
        BatchLimitError: naming the limit that was exceeded.
    """
    if zip_upload is not None:
        count = 0
        if isinstance(zip_upload.source, (str, os.PathLike)):
            count = _zip_media_count(Path(zip_upload.source))
        if count > MAX_BATCH_FILES:
            raise BatchLimitError(
                f"{zip_upload.filename}: {count} media files; a batch takes at most "
                f"{MAX_BATCH_FILES} files. Split it into several batches."
            )
        total = zip_upload.size or 0
        what = zip_upload.filename
    else:
        if not uploads:
            raise BatchLimitError("a batch needs at least one file")
        if len(uploads) > MAX_BATCH_FILES:
            raise BatchLimitError(
                f"{len(uploads)} files; a batch takes at most {MAX_BATCH_FILES} files. "
                "Split it into several batches."
            )
        total = sum(u.size or 0 for u in uploads)
        what = f"{len(uploads)} files"
    if total > MAX_BATCH_BYTES:
        raise BatchLimitError(
            f"{what}: {total / MB:.1f} MB in total; a batch takes at most "
            f"{MAX_BATCH_BYTES // MB} MB. "
            "Split it into several batches."
        )
