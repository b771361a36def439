"""A report that carries its own proof: a signed manifest embedded in the HTML.

The manifest (case, chain head, every item's hash, result and verdict, the signer's
public key) sits in the report as JSON in a hidden element's attribute (HTML-escaped),
never as a script. It
holds ``body_sha256``: the hash of the whole HTML with the manifest's value left empty,
so any edit to the visible report shows. The signature covers the manifest.

``verify REPORT.html`` needs nothing but the file; ``--case`` also checks it against the
case it claims to come from.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sqlite3
from collections.abc import Iterable, Mapping
from html import escape, unescape
from pathlib import Path
from typing import Any

from resemble_nb.ledger import VOUCHED_SQL, Ledger, canonical
from resemble_nb.media.probe import sha256_file

from ._checkpoints import checkpoint_of
from ._keys import ReviewerKey, fingerprint, short, verify_signature
from ._result import Verification

__all__ = ["MANIFEST_FORMAT", "build_manifest", "read_manifest", "seal_html", "verify_report"]

MANIFEST_FORMAT = "resemble_nb-report-manifest/1"
_ELEMENT = '<div id="rnb-custody-manifest" hidden data-manifest="{}"></div>'
_FOUND = re.compile(r'<div id="rnb-custody-manifest" hidden data-manifest="([^"]*)">')


def _number(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def build_manifest(ledger: Ledger, case_name: str) -> dict[str, Any]:
    """The facts a report vouches for: the chain head and each item as it stands now."""
    head = ledger.chain_head()
    verdicts = ledger.current_verdicts()
    items = []
    for sha, detect_uuid, label, score in ledger.vouched_results():
        decision = verdicts.get(sha)
        items.append(
            {
                "sha256": sha,
                "detect_uuid": detect_uuid,
                "label": label,
                "score": _number(score),
                "decision_id": None if decision is None else decision.id,
                "verdict": None if decision is None else decision.verdict,
            }
        )
    return {
        "format": MANIFEST_FORMAT,
        "case": case_name,
        "chain_head": {"seq": head.seq, "hash": head.hash},
        "items": items,
    }


def _body_hash(html_with_empty_manifest: str) -> str:
    return hashlib.sha256(html_with_empty_manifest.encode("utf-8")).hexdigest()


def _unsigned(manifest: Mapping[str, Any]) -> str:
    return canonical({k: v for k, v in manifest.items() if k != "signature"})


def seal_html(html: str, manifest: dict[str, Any], key: ReviewerKey) -> str:
    """Embed ``manifest`` in ``html``, with the body hash and ``key``'s signature."""
    empty = _ELEMENT.format("")
    if empty not in html:
        html = (
            html.replace("</body>", empty + "\n</body>", 1) if "</body>" in html else (html + empty)
        )
    manifest = dict(manifest)
    manifest["body_sha256"] = _body_hash(html)
    manifest["signer"] = {
        "reviewer": key.reviewer,
        "fingerprint": key.fingerprint,
        "public_key": key.public_key,
    }
    manifest["signature"] = key.sign(_unsigned(manifest))
    encoded = escape(canonical(manifest), quote=True)
    return html.replace(empty, _ELEMENT.format(encoded), 1)


def read_manifest(html: str) -> tuple[dict[str, Any] | None, str]:
    """``(manifest, html with the manifest's value emptied)``, or ``(None, html)``."""
    found = _FOUND.search(html)
    if found is None:
        return None, html
    try:
        manifest = json.loads(unescape(found.group(1)))
    except ValueError:
        return {}, html
    emptied = html[: found.start(1)] + html[found.end(1) :]
    return manifest if isinstance(manifest, dict) else {}, emptied


def verify_report(
    path: Path, *, ledger_path: Path | None = None, trust: Iterable[str] | None = None
) -> Verification:
    """Check a report against the manifest inside it (and against its case, if given)."""
    out = Verification(str(path))
    try:
        html = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        out.fail("report", f"{path} cannot be read ({exc})", str(path))
        return out
    manifest, emptied = read_manifest(html)
    if manifest is None:
        out.fail(
            "report",
            "carries no custody manifest (written before custody, or the manifest was removed)",
            str(path),
        )
        return out
    if manifest.get("format") != MANIFEST_FORMAT or not manifest.get("signer"):
        out.fail("report", "its custody manifest is unreadable or of an unknown format", str(path))
        return out
    signer = manifest["signer"]
    who, key, fp = signer.get("reviewer"), signer.get("public_key", ""), signer.get("fingerprint")
    out.signers = [(str(who), str(fp))]
    if _body_hash(emptied) != manifest.get("body_sha256"):
        out.fail(
            "report",
            "the report's content was edited after it was written (its hash "
            "no longer matches the manifest)",
            str(path),
        )
    else:
        out.add("report", True, "content exactly as written (body hash matches the manifest)")
    if fingerprint(key) != fp:
        out.fail(
            "signature",
            "the manifest's public key does not have the fingerprint it claims",
            str(path),
        )
    elif not verify_signature(key, _unsigned(manifest), str(manifest.get("signature", ""))):
        out.fail(
            "signature",
            "the manifest's signature does not match it (the manifest was "
            "changed, or signed by another key)",
            str(path),
        )
    elif trust is not None and not any(str(fp).startswith(t) for t in trust):
        out.fail(
            "signature",
            f"signed by {who} ({short(str(fp))}), a key you did not say you trust (--trust)",
            str(path),
        )
    else:
        out.add("signature", True, f"manifest signed by {who} ({short(str(fp))})")
    if ledger_path is not None:
        _against_case(manifest, path, ledger_path, out)
    return out


def _against_case(
    manifest: dict[str, Any], report: Path, ledger_path: Path, out: Verification
) -> None:
    from ._read import open_read_only

    conn = open_read_only(ledger_path)
    try:
        head = manifest.get("chain_head") or {}
        row = conn.execute("SELECT hash FROM events WHERE seq = ?", (head.get("seq"),)).fetchone()
        if row is None or row[0] != head.get("hash"):
            out.fail(
                "case",
                f"the chain head the report was made from (event {head.get('seq')}) "
                "is not in this case's chain",
                str(ledger_path),
            )
        else:
            out.add("case", True, f"made from this case's chain at event {head.get('seq')}")
        digest = sha256_file(report)
        written = conn.execute(
            "SELECT seq FROM events WHERE kind = 'report_written' AND "
            "json_extract(payload, '$.sha256') = ?",
            (digest,),
        ).fetchone()
        if written is None:
            out.fail("case", "this case never recorded writing this exact report", str(ledger_path))
        else:
            out.add("case", True, f"the case recorded writing this report (event {written[0]})")
        results = {r[0]: (r[1], r[2], r[3]) for r in conn.execute(VOUCHED_SQL)}
        as_of = _as_of_head(conn, head.get("seq"), row is not None and row[0] == head.get("hash"))
        if as_of is not None:
            now = as_of[0]
            out.add(
                "case",
                True,
                f"the case has moved on since this report (made at event {head.get('seq')}, "
                f"the case is now at event {now}): its items are checked against the case "
                f"as of event {head.get('seq')}",
            )
        bad = 0
        for item in manifest.get("items", []):
            sha = item.get("sha256")
            if sha not in results:
                out.fail(
                    "case", f"item {str(sha)[:12]} in the report is not in the case", f"item {sha}"
                )
                bad += 1
                continue
            uuid, label, score = results[sha]
            shown = (item.get("detect_uuid"), item.get("label"), item.get("score"))
            allowed = {(uuid, label, _number(score))}
            if as_of is not None:  # what the case vouched for at the report's head
                allowed = {as_of[1].get(sha, (None, None, None))}
            if shown not in allowed:
                out.fail(
                    "case",
                    f"item {str(sha)[:12]}: the report's result differs from the case's",
                    f"item {sha}",
                )
                bad += 1
            decision_id = item.get("decision_id")
            if decision_id is not None:
                found = conn.execute(
                    "SELECT verdict FROM decisions WHERE id = ?", (decision_id,)
                ).fetchone()
                if found is None or found[0] != item.get("verdict"):
                    out.fail(
                        "case",
                        f"item {str(sha)[:12]}: decision {decision_id} in the "
                        "report is not in the case as shown",
                        f"item {sha}",
                    )
                    bad += 1
        if not bad:
            out.add("case", True, f"{len(manifest.get('items', []))} item(s) match the case")
    finally:
        conn.close()


def _as_of_head(
    conn: sqlite3.Connection, head_seq: Any, head_found: bool
) -> tuple[int, dict[str, tuple[Any, Any, Any]]] | None:
    """When results changed after a report's head (it was written mid-review): the case's
    last event, and each item's result as the case vouched for it at that head (its
    latest job then, and that job's result if stored by then). A report is a snapshot."""
    if not head_found or not isinstance(head_seq, int):
        return None
    later = conn.execute(
        "SELECT MAX(seq) FROM events WHERE seq > ? AND kind IN ('job_created', 'result_stored')",
        (head_seq,),
    ).fetchone()[0]
    if later is None:
        return None
    latest_job: dict[str, Any] = {}
    stored: dict[Any, tuple[Any, Any, Any]] = {}
    for kind, subject, payload in conn.execute(
        "SELECT kind, subject, payload FROM events WHERE seq <= ? "
        "AND kind IN ('job_created', 'result_stored') ORDER BY seq",
        (head_seq,),
    ):
        try:
            facts = json.loads(payload)
        except ValueError:
            continue
        if kind == "job_created":
            latest_job[subject] = facts.get("job_id")
        else:
            stored[facts.get("job_id")] = (
                facts.get("detect_uuid"), facts.get("label"), _number(facts.get("score"))
            )  # fmt: skip
    now = int(conn.execute("SELECT MAX(seq) FROM events").fetchone()[0])
    none = (None, None, None)
    return now, {sha: stored.get(job, none) for sha, job in latest_job.items()}


class ReportCustody:
    """What a report needs from custody: the appendix, the seal, and the record after.

    ``render_report(..., custody=rc.context, seal=rc.seal)`` then ``rc.record(path)``.
    """

    def __init__(self, ledger: Ledger, case_name: str, key: ReviewerKey) -> None:
        self._ledger = ledger
        self._key = key
        if key.fingerprint not in ledger.signers():
            ledger.add_signer(key.fingerprint, key.reviewer, key.public_key)
        self.manifest = build_manifest(ledger, case_name)
        # the head is not signed on its own: a reviewer's signature on whatever event is
        # last would vouch for an event she never made; the signed report_written event
        # names the head (and its hash covers the chain up to it)
        self.manifest.update(checkpoint_of(ledger.path, self.manifest["chain_head"], key))
        head = ledger.chain_head()
        self.context: dict[str, Any] = {
            "chain_head": {"seq": head.seq, "hash": head.hash},
            "signers": [
                {
                    "reviewer": s.reviewer,
                    "fingerprint": s.fingerprint,
                    "short": short(s.fingerprint),
                }
                for s in ledger.signers().values()
            ],
            "signed_by": {
                "reviewer": key.reviewer,
                "short": key.fingerprint_short,
                "fingerprint": key.fingerprint,
            },
            "n_events": head.seq,
            # each item's own C2PA manifest as read at intake (shown beside the API's)
            "provenance": {
                sha: {"state": p.state, "summary": p.summary, "tool": p.tool}
                for sha, p in ledger.latest_provenance().items()
            },
        }

    def seal(self, html: str) -> str:
        return seal_html(html, self.manifest, self._key)

    def record(self, path: Path) -> None:
        from ._sign import key_signer

        digest = sha256_file(path)
        self._ledger.record_event(
            "report_written",
            {
                "name": path.name,
                "sha256": digest,
                "chain_head": self.manifest["chain_head"],
                "reviewer": self._key.reviewer,
            },
            signer=key_signer(self._key),
        )
