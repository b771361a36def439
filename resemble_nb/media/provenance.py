"""Local provenance: the C2PA manifest embedded in a media file, read on this machine.

The API validates C2PA on its side (``c2pa_manifest`` in a detect); this reads the same
kind of manifest locally with c2pa-python (the optional ``provenance`` extra), so the
investigator sees what the file itself claims before anything is sent, and the case's
chain records it. Reading never raises: every file ends with one state and one reason.

>>> from resemble_nb.media.provenance import PROVENANCE_STATES
>>> PROVENANCE_STATES[:3]
['Trusted', 'Valid', 'Invalid']
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "PROVENANCE_EXTRA",
    "PROVENANCE_MEANING",
    "PROVENANCE_STATES",
    "Provenance",
    "provenance_tool",
    "read_provenance",
]

PROVENANCE_EXTRA = "provenance"
"""The optional extra that installs c2pa-python (``pip install 'resemble_nb[provenance]'``)."""

PROVENANCE_STATES: list[str] = [
    "Trusted",
    "Valid",
    "Invalid",
    "NotPresent",
    "Unsupported",
    "Unreadable",
    "Unavailable",
]
"""What reading a file's own C2PA manifest found (``local_c2pa`` column), best first."""

PROVENANCE_MEANING: dict[str, str] = {
    "Trusted": "a C2PA manifest is embedded, intact, and signed by a trusted certificate",
    "Valid": "a C2PA manifest is embedded and intact (its signer is not on a trust list here)",
    "Invalid": "a C2PA manifest is embedded but does not validate (the file or it changed)",
    "NotPresent": "the file carries no C2PA manifest (most files do not)",
    "Unsupported": "C2PA manifests cannot be read from this kind of file",
    "Unreadable": "the file could not be read for a C2PA manifest",
    "Unavailable": "C2PA was not checked on this machine",
}
"""Each state in plain words."""

_SUMMARY_MAX = 300
_UNTRUSTED = "signingCredential.untrusted"


@dataclass(frozen=True)
class Provenance:
    """One file's embedded C2PA manifest, as read locally.

    Attributes:
        state: One of :data:`PROVENANCE_STATES`.
        reason: Why, in one line (the failed checks, the library's error...); ``None``
            when the state says it all.
        claim_generator: The tool that wrote the active manifest (name and version).
        title: The active manifest's title.
        signer: Who signed it: the certificate's issuer (and common name).
        signed_at: When it was signed, if a trusted time stamp says so (ISO-8601).
        summary: One short sentence for the report and the board.
    """

    state: str
    reason: str | None = None
    claim_generator: str | None = None
    title: str | None = None
    signer: str | None = None
    signed_at: str | None = None
    summary: str = ""

    @property
    def meaning(self) -> str:
        """The state in plain words."""
        return PROVENANCE_MEANING.get(self.state, self.state)


def _c2pa() -> Any:
    """The c2pa module, or ``None`` when the extra is not installed."""
    try:
        import c2pa
    except ImportError:
        return None
    return c2pa


def provenance_tool() -> str | None:
    """``"c2pa-python X (c2pa-rs Y)"``, or ``None`` when c2pa-python is not installed."""
    lib = _c2pa()
    if lib is None:
        return None
    try:
        version = metadata.version("c2pa-python")
    except metadata.PackageNotFoundError:  # pragma: no cover - installed without metadata
        version = "?"
    try:
        sdk = str(lib.sdk_version())
    except Exception:  # pragma: no cover - a library too old to say
        return f"c2pa-python {version}"
    return f"c2pa-python {version} ({sdk})"


def read_provenance(path: str | os.PathLike[str]) -> Provenance:
    """The C2PA manifest embedded in ``path``, validated; never raises."""
    lib = _c2pa()
    if lib is None:
        return Provenance(
            "Unavailable",
            f"c2pa-python is not installed: pip install 'resemble_nb[{PROVENANCE_EXTRA}]'",
            summary="Not checked: the provenance extra is not installed.",
        )
    file = Path(path)
    try:
        with lib.Reader(str(file)) as reader:
            state = str(reader.get_validation_state() or "Invalid")
            results = reader.get_validation_results()
            store = json.loads(reader.json())
    except lib.C2paError as exc:
        return _from_error(exc, file.name)
    except OSError as exc:
        reason = f"{file.name}: {exc.strerror or exc}"
        return Provenance("Unreadable", reason, summary=f"Could not be read ({reason}).")
    except Exception as exc:  # the library must never stop intake
        reason = f"{file.name}: {type(exc).__name__}: {_line(str(exc))}"
        return Provenance("Unreadable", reason, summary=f"Could not be read ({reason}).")
    return _from_store(state, results, store)


def _line(text: str, limit: int = 200) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def _from_error(exc: Exception, name: str) -> Provenance:
    kind = type(exc).__name__.lstrip("_").removeprefix("C2pa")
    text = _line(str(exc))
    if kind == "ManifestNotFound":
        return Provenance("NotPresent", None, summary="No C2PA manifest in the file.")
    if kind == "NotSupported":
        return Provenance(
            "Unsupported",
            f"c2pa cannot read this file type ({text})",
            summary="C2PA cannot be read from this kind of file.",
        )
    reason = f"{name}: {text or kind}"
    return Provenance("Unreadable", reason, summary=f"Could not be read ({reason}).")


def _from_store(state: str, results: Any, store: Mapping[str, Any]) -> Provenance:
    manifests = store.get("manifests") or {}
    active = manifests.get(store.get("active_manifest") or "") or {}
    info = active.get("signature_info") or {}
    generator = _generator(active)
    title = _text(active.get("title"))
    issuer, common = _text(info.get("issuer")), _text(info.get("common_name"))
    signer = issuer if not common or common == issuer else f"{issuer} ({common})"
    signed_at = _text(info.get("time"))
    failures = _failures(results)
    untrusted = _UNTRUSTED in failures
    failures = [code for code in failures if code != _UNTRUSTED]
    notes = [f"failed: {', '.join(failures)}"] if failures else []
    if untrusted:
        notes.append("the signer's certificate is not on a trust list here")
    reason = _line("; ".join(notes), _SUMMARY_MAX) or None
    if state not in PROVENANCE_STATES:
        reason = f"validation state {state!r}" + (f": {reason}" if reason else "")
        state = "Invalid"
    bits = [f"C2PA {state}"]
    if signer:
        bits.append(f"signed by {signer}")
    if generator:
        bits.append(f"made with {generator}")
    if title:
        bits.append(f"titled {title!r}")
    if signed_at:
        bits.append(f"at {signed_at}")
    summary = ", ".join(bits) + "."
    if reason:
        summary += f" {reason[0].upper()}{reason[1:]}."
    return Provenance(
        state, reason, generator, title, signer, signed_at, _line(summary, _SUMMARY_MAX)
    )


def _text(value: Any) -> str | None:
    return _line(str(value)) if value not in (None, "") else None


def _generator(manifest: Mapping[str, Any]) -> str | None:
    named = _text(manifest.get("claim_generator"))
    if named:
        return named
    infos = manifest.get("claim_generator_info") or []
    for info in infos if isinstance(infos, list) else []:
        if isinstance(info, Mapping) and info.get("name"):
            version = info.get("version")
            return _line(f"{info['name']} {version}" if version else str(info["name"]))
    return None


def _failures(results: Any) -> list[str]:
    """The failed checks of the active manifest (their codes, once each)."""
    if not isinstance(results, Mapping):
        return []
    active = results.get("activeManifest") or {}
    codes: list[str] = []
    for entry in active.get("failure") or [] if isinstance(active, Mapping) else []:
        code = entry.get("code") if isinstance(entry, Mapping) else None
        if code and code not in codes:
            codes.append(str(code))
    return codes
