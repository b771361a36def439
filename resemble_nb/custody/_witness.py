"""Checkpoints and the witness log: a rollback or a truncation is caught wherever a later
head was seen.

A chain proves its own history, not that it is the newest: a case folder swapped for a
copy taken last week verifies as a shorter, valid chain. So whenever a process signs a
write to a case it leaves a *checkpoint*: ``(case, seq, head)`` signed by the key that
signed the write. Checkpoints are kept

* on the reviewer's machine, in an append-only witness log beside the keys
  (``witness.jsonl`` in :func:`key_folder`), never inside a case;
* in every report's manifest and every bundle's manifest (the head each was made from).

``verify`` compares a case with each checkpoint it has witnessed or is given
(``--witness FILE``: a log, a checkpoint, a report or a bundle): a case that ends before a
checkpoint was rolled back or truncated; a case whose event at a checkpoint's position has
another hash was rewritten or forked. A case is named by the hash of its first event, so a
checkpoint from another case is named as such, not taken for this one's.
"""

from __future__ import annotations

import json
import os
import sqlite3
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resemble_nb._core.errors import ResembleError
from resemble_nb.ledger import Ledger

from ._checkpoints import CHECKPOINT_FORMAT, case_identity, ledger_identity, make_checkpoint, valid
from ._errors import CustodyError
from ._keys import ReviewerKey, key_folder, short
from ._read import open_read_only
from ._result import Verification

__all__ = [
    "Seen",
    "check_checkpoints",
    "install_witness",
    "read_checkpoints",
    "witness",
    "witness_log",
    "witnessed",
]

_LOG = "witness.jsonl"
_MAX_READ = 64 * 1024**2  # a witness file, a report's or a bundle's manifest


def witness_log() -> Path:
    """This user's witness log (beside the keys, never inside a case)."""
    return key_folder() / _LOG


def witness(checkpoint: dict[str, Any], log: Path | None = None) -> None:
    """Append ``checkpoint`` to the witness log (one JSON line; the file mode 0600)."""
    path = log or witness_log()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(checkpoint, sort_keys=True, separators=(",", ":")) + "\n")


@dataclass(frozen=True)
class Seen:
    """Checkpoints read from one source, and how to hold a case against them."""

    source: str  # "the witness log", "report.html"...
    checkpoints: list[dict[str, Any]]
    local: bool = False  # the log holds every case: another case's lines are not a finding
    behind_is_rollback: bool = True  # False for a bundle checked against the log


def _lines(text: str) -> list[dict[str, Any]]:
    found = []
    for line in text.splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            found.append(value)
    return found


def _from_manifest(manifest: Any) -> list[dict[str, Any]]:
    found = manifest.get("checkpoint") if isinstance(manifest, dict) else None
    return [found] if isinstance(found, dict) else []


def read_checkpoints(path: Path) -> list[dict[str, Any]]:
    """The checkpoints a file carries: a witness log or checkpoint (JSON), a report's or a
    bundle's manifest. Raises ``ValueError`` (one line) when it holds none or is unreadable.
    """
    from ._report import read_manifest

    try:
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as archive:
                info = archive.getinfo("manifest.json")
                if info.file_size > _MAX_READ:
                    raise ValueError(f"{path}: its manifest is larger than a manifest can be")
                found = _from_manifest(json.loads(archive.read(info).decode("utf-8")))
        elif path.stat().st_size > _MAX_READ:
            raise ValueError(f"{path}: larger than a witness file can be")
        elif path.suffix.lower() in {".html", ".htm"}:
            manifest, _html = read_manifest(path.read_text(encoding="utf-8"))
            found = _from_manifest(manifest)
        else:
            found = _lines(path.read_text(encoding="utf-8"))
    except (OSError, KeyError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path}: cannot be read as a witness ({exc})") from None
    except json.JSONDecodeError:
        raise ValueError(f"{path}: its manifest is not readable JSON") from None
    if not found:
        raise ValueError(f"{path}: carries no checkpoint")
    return found


def witnessed() -> Seen:
    """This machine's witness log (empty when none was kept yet)."""
    try:
        text = witness_log().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    return Seen("this machine's witness log", _lines(text), local=True)


def check_checkpoints(
    out: Verification,
    ledger_path: Path,
    sources: Iterable[Seen],
    *,
    trust: Iterable[str] | None = None,
) -> None:
    """Hold the case against every checkpoint seen: name a rollback, truncation or fork.

    The sources must have been read BEFORE this is called: a checkpoint is left only
    after its write commits, so every one read earlier is at or before the case now.
    """
    trusted = None if trust is None else list(trust)
    try:
        conn = open_read_only(ledger_path)
    except sqlite3.DatabaseError:
        return  # the ledger check has said why it cannot be read
    try:
        case = case_identity(conn)
        last = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]
        held = bad = skipped = 0
        for seen in sources:
            for cp in seen.checkpoints:
                if cp.get("format") != CHECKPOINT_FORMAT:
                    if not seen.local:
                        out.fail("witness", f"{seen.source}: a checkpoint of an unknown format")
                        bad += 1
                    continue
                if seen.local and cp.get("case") != case:
                    continue  # the log holds every case this machine saw
                if not valid(cp):
                    out.fail(
                        "witness",
                        f"a checkpoint in {seen.source} is not signed by the key it names",
                        seen.source,
                    )
                    bad += 1
                    continue
                fp = str((cp.get("signer") or {}).get("fingerprint"))
                if trusted is not None and not any(fp.startswith(t) for t in trusted):
                    skipped += 1
                    continue
                bad += not _hold(out, conn, seen, cp, case, int(last))
                held += 1
        if held and not bad:
            note = f"; {skipped} by keys you did not trust were not used" if skipped else ""
            out.add(
                "witness",
                True,
                f"the case is at or past each of {held} checkpoint(s) seen, "
                f"and agrees with each{note}",
            )
    finally:
        conn.close()


def _hold(
    out: Verification,
    conn: sqlite3.Connection,
    seen: Seen,
    cp: dict[str, Any],
    case: str | None,
    last: int,
) -> bool:
    signer = cp.get("signer") or {}
    by = f"signed by {signer.get('reviewer')} ({short(str(signer.get('fingerprint')))})"
    seq, head = int(cp.get("seq") or 0), str(cp.get("head"))
    when = f"at {cp.get('at')}" if cp.get("at") else ""
    if cp.get("case") != case:
        out.fail(
            "witness",
            f"{seen.source} holds a checkpoint of another case (its first event is "
            f"{str(cp.get('case'))[:16]}…, this case's {str(case)[:16]}…): it says nothing "
            "about this one",
            seen.source,
        )
        return False
    if last < seq:
        if not seen.behind_is_rollback:
            return True
        out.fail(
            "witness",
            f"ROLLED BACK OR TRUNCATED: the case ends at event {last}, but {seen.source} "
            f"saw it reach event {seq} (head {head[:16]}…) {when}, {by}",
            f"event {seq}",
        )
        return False
    row = conn.execute("SELECT hash FROM events WHERE seq = ?", (seq,)).fetchone()
    if row is None or row[0] != head:
        out.fail(
            "witness",
            f"DIVERGES: at event {seq} the case's chain is not the one {seen.source} saw "
            f"{when} (head {head[:16]}…), {by}: rewritten from there, or another copy",
            f"event {seq}",
        )
        return False
    return True


def install_witness(ledger: Ledger) -> None:
    """Leave a signed checkpoint in this machine's witness log after each write to
    ``ledger`` that recorded a signature, signed by the key that made that signature; and
    when the ledger is closed, one more for what was written since (a review's results),
    signed by the last key that signed here."""
    from ._keys import reviewer_key

    newest = ledger.newest_signature()
    state: dict[str, Any] = {"rowid": newest[0] if newest else 0, "case": None}
    keys: dict[str, ReviewerKey | None] = {}
    last: dict[str, Any] = {"key": None, "seq": 0}

    def leave(key: ReviewerKey) -> None:
        try:
            state["case"] = state["case"] or ledger_identity(ledger.path)
            head = ledger.chain_head()
            if state["case"] is None or head.hash is None:
                return
            witness(make_checkpoint(state["case"], head.seq, head.hash, key))
            last.update(key=key, seq=head.seq)
        except (OSError, CustodyError) as exc:  # the write stands; say what is not kept
            warnings.warn(
                f"resemble_nb: could not keep a checkpoint of {ledger.folder} in "
                f"{witness_log()} ({getattr(exc, 'strerror', None) or exc}); a rollback of "
                "this case may go unnoticed on this machine",
                stacklevel=3,
            )

    def after_commit() -> None:
        found = ledger.newest_signature()
        if found is None or found[0] <= state["rowid"]:
            return  # nothing was signed: an engine write, a note, a path
        state["rowid"] = found[0]
        fp = found[1].fingerprint
        if fp not in keys:
            signer = ledger.signers().get(fp)
            try:
                key = None if signer is None else reviewer_key(signer.reviewer)
            except (OSError, CustodyError):
                key = None
            keys[fp] = key if key is not None and key.fingerprint == fp else None
        key = keys[fp]
        if key is not None:  # else signed with a key this machine does not hold
            leave(key)

    def before_close() -> None:
        try:
            moved = last["key"] is not None and ledger.chain_head().seq > last["seq"]
        except (ResembleError, sqlite3.Error):
            return  # a ledger that cannot be read now: its writes were witnessed as made
        if moved:
            leave(last["key"])

    ledger.after_commit.append(after_commit)
    ledger.before_close.append(before_close)
