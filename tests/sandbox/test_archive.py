"""Zip entries cannot escape the storage folder and cannot expand without bound."""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from resemble_nb.sandbox import Sandbox
from resemble_nb.sandbox.archive import extract_media
from resemble_nb.sandbox.errors import ApiError
from resemble_nb.sandbox.storage import Storage

from .helpers import wav_bytes


def _hostile_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../escaped.wav", wav_bytes(0.5, 100))
        zf.writestr("/abs/escaped2.wav", wav_bytes(0.5, 110))
        zf.writestr("ok/../../escaped3.wav", wav_bytes(0.5, 120))
        zf.writestr("C:/escaped4.wav", wav_bytes(0.5, 130))
        link = zipfile.ZipInfo("link.wav")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("inside/good.wav", wav_bytes(0.5, 140))
    return buf.getvalue()


def test_traversal_entries_are_skipped_over_http(
    sandbox: Sandbox, api: httpx.Client, tmp_path: Path
) -> None:
    r = api.post("/detect/batch", files={"file": ("evil.zip", _hostile_zip())})
    assert r.status_code == 202
    uuids = r.json()["item"]["detect_uuids"]
    assert [api.get(f"/detect/{u}").json()["item"]["filename"] for u in uuids] == ["good.wav"]
    root = sandbox.app.service.storage.root
    for name in ("escaped.wav", "escaped2.wav", "escaped3.wav", "escaped4.wav"):
        assert not (root.parent / name).exists()
        assert not (root.parent.parent / name).exists()
        assert not Path("/abs", name).exists()
    # Everything the sandbox wrote is a plain file directly inside its storage folder.
    assert all(p.parent == root and p.is_file() and not p.is_symlink() for p in root.iterdir())


def test_extract_media_reports_skipped_entries(tmp_path: Path) -> None:
    zpath = tmp_path / "evil.zip"
    zpath.write_bytes(_hostile_zip())
    storage = Storage(tmp_path / "store")
    out = extract_media(zpath, storage, max_total_bytes=10**8, max_files=50, max_entries=100)
    reasons = dict(out.skipped)
    assert reasons["../../escaped.wav"] == "unsafe path"
    assert reasons["/abs/escaped2.wav"] == "unsafe path"
    assert reasons["ok/../../escaped3.wav"] == "unsafe path"
    assert reasons["C:/escaped4.wav"] == "unsafe path"
    assert reasons["link.wav"] == "symbolic link"
    assert [f.filename for f in out.files] == ["good.wav"]
    assert sorted(p.parent for p in (tmp_path / "store").iterdir()) == [tmp_path / "store"]


def _bomb(size: int, name: str = "bomb.wav") -> bytes:
    header = wav_bytes(0.01)[:44]
    buf = io.BytesIO()
    block = b"\x00" * (1 << 20)
    with (
        zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open(name, "w", force_zip64=True) as entry,
    ):
        entry.write(header)
        for _ in range(size >> 20):
            entry.write(block)
    return buf.getvalue()


def test_zip_bomb_is_refused_and_cleaned_up(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    sb = sandbox_factory(max_batch_bytes=20 * 2**20)
    api = client_for(sb)
    bomb = _bomb(64 * 2**20)  # 64 MB of zeros in a ~64 kB zip
    assert len(bomb) < 200_000
    r = api.post("/detect/batch", files={"file": ("bomb.zip", bomb)})
    assert r.status_code == 400
    assert "expands beyond" in r.json()["message"]
    assert sb.stats()["detects_created"] == 0
    assert list(sb.app.service.storage.root.iterdir()) == []


def test_total_expansion_across_entries_is_bounded(tmp_path: Path) -> None:
    """Five entries each under the limit, together over it."""
    zpath = tmp_path / "many.zip"
    with zipfile.ZipFile(zpath, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for i in range(5):
            zf.writestr(f"{i}.wav", wav_bytes(0.01)[:44] + b"\x00" * 300_000)
    storage = Storage(tmp_path / "store")
    with pytest.raises(ApiError, match="expands beyond"):
        extract_media(zpath, storage, max_total_bytes=1_000_000, max_files=50, max_entries=100)
    assert list((tmp_path / "store").iterdir()) == []


def test_too_many_entries(tmp_path: Path) -> None:
    zpath = tmp_path / "entries.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for i in range(30):
            zf.writestr(f"{i}.txt", "x")
    with pytest.raises(ApiError, match="entries"):
        extract_media(
            zpath, Storage(tmp_path / "s"), max_total_bytes=10**6, max_files=50, max_entries=20
        )
