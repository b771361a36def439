"""The handover bundle: one zip a recipient can verify offline, with nothing secret in it.

``case.db`` (a consistent snapshot of the ledger), ``report.html`` (signed), the exhibits,
the signers' public keys under ``keys/`` and ``manifest.json``: every file's SHA-256, the
chain head and the signature of the reviewer who made the bundle. No API key, media token,
pre-signed URL or private key is ever in it: every file is scanned for the secrets this
process knows and for private-key blocks before the zip is written, and the bundle is
refused if one is found (evidence merely shaped like a token is not a secret).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from resemble_nb._core.output import check_output, writing
from resemble_nb._core.secrets import find_secrets
from resemble_nb.ledger import Ledger, canonical
from resemble_nb.media.probe import sha256_file

from ._checkpoints import checkpoint_of
from ._errors import CustodyError
from ._keys import ReviewerKey, fingerprint, short, verify_signature
from ._read import chain_head_of
from ._report import verify_report
from ._result import Verification
from ._unzip import bounded, extract_hashed
from ._verify_case import verify_case
from ._witness import Seen, check_checkpoints

__all__ = ["BUNDLE_FORMAT", "verify_bundle", "write_bundle"]

BUNDLE_FORMAT = "resemble_nb-bundle/1"


def scan_for_secrets(files: Iterable[Path]) -> list[str]:
    """``name: what`` for each file holding a secret this process knows or a private key
    (:func:`resemble_nb._core.secrets.find_secrets`; a name shaped like a token is not one)."""
    found = []
    for path in files:
        found += [f"{path.name}: holds {what}" for what in find_secrets(path.read_bytes())]
    return found


def _snapshot(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
    live.close()
    copy.close()


def write_bundle(
    ledger: Ledger,
    case_name: str,
    write_report: Callable[[Path], Path],
    path: Path,
    key: ReviewerKey,
) -> Path:
    """Write a case's handover bundle to ``path`` (a ``.zip``); return the path.

    ``write_report(target)`` writes the case's signed report to ``target`` (``case.bundle``
    passes ``case.report``).
    """
    from ._sign import key_signer

    folder = ledger.folder
    path = path.with_suffix(".zip") if path.suffix.lower() != ".zip" else path
    check_output(path)  # before any work: a device, FIFO or symlink is refused at once
    with tempfile.TemporaryDirectory(prefix="rnb-bundle-") as tmp:
        stage = Path(tmp)
        write_report(stage / "report.html")
        _snapshot(ledger.path, stage / "case.db")
        for exhibit in ledger.exhibits():
            source = Path(exhibit.path)
            if source.is_file():
                rel = (
                    source.relative_to(folder)
                    if source.is_relative_to(folder)
                    else Path("exhibits") / source.name
                )
                (stage / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, stage / rel)
        (stage / "keys").mkdir()
        for signer in ledger.signers().values():
            (stage / "keys" / f"{signer.fingerprint[:16]}.pub.json").write_text(
                json.dumps(
                    {
                        "reviewer": signer.reviewer,
                        "fingerprint": signer.fingerprint,
                        "public_key": signer.public_key,
                    },
                    indent=2,
                ),
                encoding="utf-8",
            )
        files = sorted(p for p in stage.rglob("*") if p.is_file())
        problems = scan_for_secrets(files)
        if problems:
            raise CustodyError(
                f"{path}: not written, the bundle would carry a secret: " + "; ".join(problems)
            )
        manifest: dict[str, Any] = {
            "format": BUNDLE_FORMAT,
            "case": case_name,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "chain_head": chain_head_of(stage / "case.db"),
            "files": {p.relative_to(stage).as_posix(): sha256_file(p) for p in files},
            "signer": {
                "reviewer": key.reviewer,
                "fingerprint": key.fingerprint,
                "public_key": key.public_key,
            },
        }
        manifest.update(checkpoint_of(stage / "case.db", manifest["chain_head"], key))
        manifest["signature"] = key.sign(canonical(manifest))
        (stage / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        with (
            writing(path) as partial,
            zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            for file in [*files, stage / "manifest.json"]:
                archive.write(file, file.relative_to(stage).as_posix())
    ledger.record_event(
        "bundle_written",
        {
            "name": path.name,
            "sha256": sha256_file(path),
            "chain_head": manifest["chain_head"],
            "reviewer": key.reviewer,
        },
        signer=key_signer(key),
    )
    return path


def verify_bundle(
    path: Path, *, trust: Iterable[str] | None = None, seen: Iterable[Seen] = ()
) -> Verification:
    """Check a bundle offline: manifest signature, every file's hash, the case and report,
    and the case against the checkpoint the manifest carries and those ``seen`` (this
    machine's witness log names only a fork: a bundle may be older than what it saw)."""
    out = Verification(str(path))
    trusted = None if trust is None else list(trust)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        out.fail("bundle", f"{path} is not a readable zip ({exc})", str(path))
        return out
    with archive, tempfile.TemporaryDirectory(prefix="rnb-verify-") as tmp:
        stage = Path(tmp)
        if not bounded(archive, out):  # refused from the zip's own figures: nothing written
            return out
        try:
            manifest = json.loads(archive.read("manifest.json").decode("utf-8"))
        except (KeyError, ValueError, UnicodeDecodeError):
            out.fail("bundle", "has no readable manifest.json", str(path))
            return out
        signer = manifest.get("signer") or {}
        key, fp, who = (
            signer.get("public_key", ""),
            signer.get("fingerprint"),
            signer.get("reviewer"),
        )
        out.signers = [(str(who), str(fp))]
        unsigned = {k: v for k, v in manifest.items() if k != "signature"}
        if fingerprint(key) != fp or not verify_signature(
            key, canonical(unsigned), str(manifest.get("signature", ""))
        ):
            out.fail("bundle", "manifest.json's signature does not match it", "manifest.json")
        elif trusted is not None and not any(str(fp).startswith(t) for t in trusted):
            out.fail(
                "bundle",
                f"signed by {who} ({short(str(fp))}), a key you did not say you trust (--trust)",
                "manifest.json",
            )
        else:
            out.add("bundle", True, f"manifest signed by {who} ({short(str(fp))})")
        files: dict[str, str] = manifest.get("files") or {}
        unpacked = extract_hashed(archive, files, stage, out)
        bad = 0
        for name, digest in files.items():
            if name not in unpacked:
                out.fail("bundle", f"{name} is listed in the manifest but missing", name)
                bad += 1
            elif unpacked[name] != digest:
                out.fail("bundle", f"{name} was changed after the bundle was made", name)
                bad += 1
        if not bad:
            out.add("bundle", True, f"{len(files)} file(s), each as listed in the manifest")
        ledger = stage / "case.db"
        if ledger.is_file():
            inner = verify_case(ledger, trust=trusted, media=False)
            out.checks.extend(inner.checks)
            carried = manifest.get("checkpoint")
            sources = [replace(s, behind_is_rollback=False) if s.local else s for s in seen]
            if isinstance(carried, dict):
                sources.append(Seen("the bundle's manifest", [carried]))
            check_checkpoints(out, ledger, sources, trust=trusted)
            head = chain_head_of(ledger)
            if head != manifest.get("chain_head"):
                out.fail(
                    "bundle", "the ledger's chain head is not the one the manifest names", "case.db"
                )
            out.add(
                "media",
                True,
                "media files are not part of a bundle: their hashes are "
                "recorded in the chain (verify the case folder to re-hash them)",
            )
        report = stage / "report.html"
        if report.is_file():
            inner = verify_report(
                report, ledger_path=ledger if ledger.is_file() else None, trust=trusted
            )
            out.checks.extend(inner.checks)
    return out
