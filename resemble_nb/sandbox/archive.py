"""Reading a batch zip defensively.

Entry names never become paths: each media entry is written under a fresh random
name inside the storage folder, and entries with absolute paths, ``..`` parts,
drive letters or symlink modes are skipped. Expansion is bounded by the batch
limit counting the bytes actually written (declared sizes can lie), and the
number of entries looked at is bounded too.
"""

from __future__ import annotations

import hashlib
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .config import MB
from .errors import ApiError
from .probe import is_allowed_extension, looks_non_media
from .state import StoredFile
from .storage import Storage, safe_filename

__all__ = ["ZipContents", "extract_media"]

_CHUNK = 256 * 1024


@dataclass
class ZipContents:
    files: list[StoredFile] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (entry name, reason)


def _unsafe(name: str) -> bool:
    normalized = name.replace("\\", "/")
    parts = PurePosixPath(normalized).parts
    return (
        normalized.startswith("/")
        or ".." in parts
        or (len(normalized) > 1 and normalized[1] == ":")
        or "\x00" in normalized
    )


def extract_media(
    zip_path: Path,
    storage: Storage,
    *,
    max_total_bytes: int,
    max_files: int,
    max_entries: int,
) -> ZipContents:
    """Media entries of the zip as stored files; non-media entries are skipped."""
    out = ZipContents()
    written = 0
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ApiError(400, f"file is not a readable zip archive: {exc}") from None
    try:
        infos = archive.infolist()
        if len(infos) > max_entries:
            raise ApiError(400, f"zip archive has {len(infos)} entries; at most {max_entries}")
        declared = sum(i.file_size for i in infos if not i.is_dir())
        for info in infos:
            name = info.filename
            mode = info.external_attr >> 16
            if info.is_dir():
                continue
            if _unsafe(name):
                out.skipped.append((name, "unsafe path"))
                continue
            if stat.S_ISLNK(mode):
                out.skipped.append((name, "symbolic link"))
                continue
            base = safe_filename(PurePosixPath(name.replace("\\", "/")).name)
            if base.startswith("._") or "__MACOSX" in name or not is_allowed_extension(base):
                out.skipped.append((name, "not a media file"))
                continue
            if info.file_size == 0:
                out.skipped.append((name, "empty"))
                continue
            if len(out.files) >= max_files:
                raise ApiError(400, f"A batch holds at most {max_files} files; the zip has more")
            if declared > max_total_bytes and written + info.file_size > max_total_bytes:
                raise ApiError(
                    400, f"zip expands beyond the {max_total_bytes // MB} MB batch limit"
                )
            target = storage.new_path(base)
            hasher = hashlib.sha256()
            size = 0
            head = b""
            try:
                with archive.open(info) as src, open(target, "wb") as dst:
                    while chunk := src.read(_CHUNK):
                        size += len(chunk)
                        written += len(chunk)
                        if written > max_total_bytes:
                            raise ApiError(
                                400,
                                f"zip expands beyond the {max_total_bytes // MB} MB batch limit",
                            )
                        if len(head) < 4096:
                            head += chunk[: 4096 - len(head)]
                        hasher.update(chunk)
                        dst.write(chunk)
            except ApiError:
                storage.delete(target)
                raise
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
                storage.delete(target)
                out.skipped.append((name, f"unreadable entry: {exc}"))
                continue
            if looks_non_media(head):
                storage.delete(target)
                out.skipped.append((name, "not a media file"))
                continue
            out.files.append(
                StoredFile(
                    path=target,
                    filename=base,
                    content_type="application/octet-stream",
                    size=size,
                    sha256=hasher.hexdigest(),
                )
            )
    except BaseException:
        for f in out.files:
            storage.delete(f.path)
        raise
    finally:
        archive.close()
    return out
