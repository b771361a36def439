"""The documented caps: one definition (decimal MB) in api/, the sandbox's own copy agrees."""

from __future__ import annotations

from pathlib import Path

import pytest

from resemble_nb import api, media
from resemble_nb.api._uploads import Upload, check_batch, check_direct
from resemble_nb.api.errors import BatchLimitError, FileRejectedError
from resemble_nb.sandbox import config as sandbox_config


def test_caps_are_decimal_megabytes_as_documented() -> None:
    assert api.MB == 1_000_000
    assert api.MAX_DIRECT_UPLOAD_BYTES == 150_000_000
    assert api.MAX_BATCH_BYTES == 500_000_000
    assert api.MAX_BATCH_FILES == 50
    assert api.MAX_WATERMARK_BYTES == 200_000_000


def test_media_planning_reads_the_same_caps() -> None:
    assert media.DIRECT_UPLOAD_MAX_BYTES is api.MAX_DIRECT_UPLOAD_BYTES
    assert media.BATCH_MAX_BYTES is api.MAX_BATCH_BYTES
    assert media.BATCH_MAX_FILES is api.MAX_BATCH_FILES
    assert media.WATERMARK_MAX_BYTES is api.MAX_WATERMARK_BYTES
    assert media.MB is api.MB


def test_the_sandbox_copy_agrees_with_the_client() -> None:
    """The sandbox is written from the contract and keeps its own numbers; they must match."""
    defaults = sandbox_config.SandboxConfig()
    assert sandbox_config.MB == api.MB
    assert defaults.max_direct_bytes == api.MAX_DIRECT_UPLOAD_BYTES
    assert defaults.max_batch_bytes == api.MAX_BATCH_BYTES
    assert defaults.max_batch_files == api.MAX_BATCH_FILES


def _item(size: int) -> media.MediaItem:
    return media.MediaItem(
        sha256="0" * 64,
        size=size,
        media_type="video",
        mime="video/mp4",
        extension=".mp4",
        duration=None,
        paths=(Path("/evidence/big.mp4"),),
    )


def _messages_about_the_direct_cap() -> list[str]:
    size = 152_000_000  # 145 MiB: the size that used to read "145 MB ... 143.1 MB"
    out = [
        media.format_bytes(api.MAX_DIRECT_UPLOAD_BYTES),
        media.route(_item(size), strategy="batch").reason,
        media.route(_item(size)).reason,
    ]
    with pytest.raises(FileRejectedError) as direct:
        check_direct(Upload("file", "big.mp4", "big.mp4", size))
    out.append(str(direct.value))
    big = [Upload("files[]", f"{n}.mp4", f"{n}.mp4", size) for n in range(4)]
    with pytest.raises(BatchLimitError) as batch:
        check_batch(big)
    out.append(str(batch.value))
    return out


def test_no_message_calls_the_150_mb_cap_anything_else() -> None:
    messages = _messages_about_the_direct_cap()
    for text in messages:
        assert "143.1" not in text and "476.8" not in text, text
    assert messages[0] == "150 MB"
    assert "152 MB is over the 150 MB per-file limit" in messages[1]
    assert "152 MB is over the 150 MB direct-upload cap" in messages[2]
    assert "152.0 MB is over the 150 MB limit" in messages[3]
    assert "at most 500 MB" in messages[4]
