"""One extension -> (media type, MIME) table: uploads, media intake and previews read it."""

from __future__ import annotations

import pytest

from resemble_nb.api import MEDIA_EXTENSIONS, _formats, _uploads
from resemble_nb.media import limits
from resemble_nb.sandbox import probe as sandbox_probe


def test_every_layer_reads_the_one_table() -> None:
    assert limits.ALLOWED_EXTENSIONS == MEDIA_EXTENSIONS == frozenset(_formats.MEDIA_TYPES)
    assert _uploads.MEDIA_EXTENSIONS is MEDIA_EXTENSIONS
    assert _uploads.content_type is _formats.content_type
    for extension, (media_type, mime) in _formats.MEDIA_TYPES.items():
        assert limits.media_type_for_extension(extension.upper()) == media_type
        assert limits.mime_for_extension(extension) == mime
        assert _formats.content_type(f"clip{extension}") == mime
        assert mime.startswith(f"{media_type}/")


def test_every_allowed_extension_has_a_content_family() -> None:
    for extension in MEDIA_EXTENSIONS:
        assert limits.family_for_extension(extension) is not None, extension


def test_the_sandbox_copy_of_the_allowlist_agrees() -> None:
    """The sandbox keeps its own list, written from the contract; the two must match."""
    assert frozenset(sandbox_probe.ALLOWED_EXTENSIONS) == MEDIA_EXTENSIONS


@pytest.mark.parametrize(
    ("name", "expected"),
    [("batch.zip", "application/zip"), ("notes.txt", "text/plain"), ("blob", None)],
)
def test_names_outside_the_table(name: str, expected: str | None) -> None:
    assert _formats.content_type(name) == (expected or "application/octet-stream")
