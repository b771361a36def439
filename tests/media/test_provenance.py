"""resemble_nb.media.provenance: the C2PA manifest embedded in a file, read locally."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

import pytest
from _c2pa_factory import (
    GENERATOR,
    SIGNER_CN,
    SIGNER_ORG,
    ManifestSigner,
    make_signer,
    png_bytes,
    png_idat_offset,
    riff_data_offset,
    wav_bytes,
)

from resemble_nb.media.provenance import (
    PROVENANCE_STATES,
    provenance_tool,
    read_provenance,
)

pytest.importorskip("c2pa")


@pytest.fixture(scope="module")
def signer() -> ManifestSigner:
    return make_signer()


@pytest.fixture(scope="module")
def signed(signer: ManifestSigner, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("c2pa")
    (folder / "plain.png").write_bytes(png_bytes())
    (folder / "plain.wav").write_bytes(wav_bytes())
    return {
        "png": signer.sign(folder / "plain.png", folder / "signed.png", "image/png", "Still"),
        "wav": signer.sign(folder / "plain.wav", folder / "signed.wav", "audio/wav", "Take 1"),
    }


@pytest.mark.parametrize("kind", ["png", "wav"])
def test_a_signed_file_is_valid_and_names_its_signer(signed: dict[str, Path], kind: str) -> None:
    found = read_provenance(signed[kind])
    assert found.state == "Valid", found
    assert found.signer == f"{SIGNER_ORG} ({SIGNER_CN})"
    assert found.claim_generator == f"{GENERATOR} 1.0"
    assert found.title == ("Still" if kind == "png" else "Take 1")
    assert found.signed_at is None  # signed without a time-stamp authority
    # a test certificate is on no trust list: said, without calling the file invalid
    assert found.reason == "the signer's certificate is not on a trust list here"
    assert found.summary.startswith(f"C2PA Valid, signed by {SIGNER_ORG}")
    assert found.meaning.startswith("a C2PA manifest is embedded and intact")


@pytest.mark.parametrize("kind", ["png", "wav"])
def test_an_unsigned_file_has_no_manifest(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"plain.{kind}"
    path.write_bytes(png_bytes() if kind == "png" else wav_bytes())
    found = read_provenance(path)
    assert (found.state, found.reason, found.signer) == ("NotPresent", None, None)
    assert found.summary == "No C2PA manifest in the file."


@pytest.mark.parametrize("kind", ["png", "wav"])
def test_a_tampered_signed_file_is_invalid_and_says_which_check_failed(
    signed: dict[str, Path], tmp_path: Path, kind: str
) -> None:
    data = bytearray(signed[kind].read_bytes())
    at = (png_idat_offset if kind == "png" else riff_data_offset)(bytes(data)) + 40
    data[at] ^= 0xFF
    path = tmp_path / f"tampered.{kind}"
    path.write_bytes(bytes(data))
    found = read_provenance(path)
    assert found.state == "Invalid", found
    assert found.reason is not None and "failed: assertion.dataHash.mismatch" in found.reason
    assert found.signer == f"{SIGNER_ORG} ({SIGNER_CN})"  # still says who claimed it
    assert "Failed: assertion.dataHash.mismatch" in found.summary


def test_a_corrupt_file_is_unreadable_with_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not a png at all" * 4)
    found = read_provenance(path)
    assert found.state == "Unreadable"
    assert found.reason is not None and found.reason.startswith("broken.png: ")
    assert "could not be parsed" in found.reason
    assert "\n" not in found.reason


def test_a_missing_file_is_unreadable_not_an_exception(tmp_path: Path) -> None:
    found = read_provenance(tmp_path / "gone.wav")
    assert found.state == "Unreadable" and found.reason is not None
    assert found.reason.startswith("gone.wav: ")


def test_a_file_type_c2pa_cannot_read_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "notes.xyz"
    path.write_bytes(b"hello")
    found = read_provenance(path)
    assert found.state == "Unsupported" and found.reason


def test_a_library_failure_never_escapes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import c2pa

    class Exploding:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise RuntimeError("native\nlibrary crashed")

    monkeypatch.setattr(c2pa, "Reader", Exploding)
    path = tmp_path / "plain.png"
    path.write_bytes(png_bytes())
    found = read_provenance(path)
    assert found.state == "Unreadable"
    assert found.reason == "plain.png: RuntimeError: native library crashed"


def test_without_the_library_the_state_is_unavailable_and_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real_import = builtins.__import__

    def no_c2pa(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "c2pa" or name.startswith("c2pa."):
            raise ImportError("No module named 'c2pa'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_c2pa)
    path = tmp_path / "plain.png"
    path.write_bytes(png_bytes())
    found = read_provenance(path)
    assert found.state == "Unavailable"
    assert found.reason is not None and "resemble_nb[provenance]" in found.reason
    assert "\n" not in found.reason
    assert provenance_tool() is None


def test_the_tool_names_the_library_and_its_version() -> None:
    tool = provenance_tool()
    assert tool is not None and tool.startswith("c2pa-python ")


def test_every_state_has_a_meaning() -> None:
    from resemble_nb.media.provenance import PROVENANCE_MEANING

    assert list(PROVENANCE_MEANING) == PROVENANCE_STATES
