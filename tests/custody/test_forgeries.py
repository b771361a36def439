"""Forgeries an opposing expert tried with a copy of the case and this code, but no
reviewer's private key: each makes ``resemble-nb verify CASE --trust ...`` exit non-zero and
name what is wrong (issue 17)."""

from __future__ import annotations

import base64
import sqlite3
import subprocess
import sys
from pathlib import Path

from resemble_nb.case import Case
from resemble_nb.custody import key_signer, reviewer_key
from resemble_nb.custody._sign import signing_message
from resemble_nb.ledger import Event
from resemble_nb.ledger.sqlite._chain import seal


def _trusted(folder: Path) -> list[str]:
    conn = sqlite3.connect(folder / "case.db")
    fps = [r[0] for r in conn.execute("SELECT fingerprint FROM signers")]
    conn.close()
    return fps


def _verify_cli(folder: Path, trust: list[str]) -> tuple[int, str]:
    args = [sys.executable, "-m", "resemble_nb.cli", "verify", str(folder)]
    for fp in trust:
        args += ["--trust", fp]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout + done.stderr


def _shell(folder: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(folder / "case.db", isolation_level=None)
    conn.execute("BEGIN")
    return conn


def _sha(conn: sqlite3.Connection, name: str) -> str:
    return str(conn.execute("SELECT sha256 FROM item_paths WHERE name = ?", (name,)).fetchone()[0])


def test_the_untouched_case_verifies_with_every_signer_trusted(case_copy: Path) -> None:
    code, text = _verify_cli(case_copy, _trusted(case_copy))
    assert code == 0, text
    assert "holds" in text


def test_forgery_1_a_reconstructed_verdict_sealed_later_is_named(case_copy: Path) -> None:
    trust = _trusted(case_copy)
    conn = _shell(case_copy)
    sha = _sha(conn, "voicemail.mp3")
    conn.execute(
        "INSERT INTO decisions (sha256, verdict, note, reviewer, decided_at) "
        "VALUES (?, 'confirmed_fake', 'forged', 'ana', '2026-01-01T00:00:00.000000Z')",
        (sha,),
    )
    conn.execute("UPDATE events SET reconstructed = 1 WHERE hash IS NULL")
    seal(conn)
    conn.execute("COMMIT")
    conn.close()
    with Case(case_copy) as case:  # the reviewer's next real report signs the chain head
        case.report(reviewer="ana")
    code, text = _verify_cli(case_copy, trust)
    assert code != 0
    assert (
        "(confirmed_fake about voicemail.mp3, by ana) is marked reconstructed but comes "
        "after the chain began" in text
    )
    assert (
        "(confirmed_fake about voicemail.mp3, by ana) is not signed by a key you trust" in text
    ), text


def test_forgery_2_a_full_rewrite_as_reconstructed_history_never_holds(case_copy: Path) -> None:
    trust = _trusted(case_copy)
    conn = _shell(case_copy)
    for trigger in ("events_sealed_stay", "signatures_append_only_delete",
                    "decisions_append_only_update", "results_append_only_update"):  # fmt: skip
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    conn.execute(
        "UPDATE decisions SET verdict = CASE verdict WHEN 'confirmed_fake' THEN "
        "'confirmed_real' ELSE 'confirmed_fake' END"
    )
    conn.execute("UPDATE results SET score = 1 - score")
    conn.execute("DELETE FROM signatures")
    conn.execute(
        "UPDATE events SET payload = json_set(payload, '$.verdict', (SELECT verdict FROM "
        "decisions WHERE id = json_extract(events.payload, '$.decision_id'))) "
        "WHERE kind = 'decision'"
    )
    conn.execute(
        "UPDATE events SET payload = json_set(payload, '$.score', (SELECT score FROM "
        "results WHERE job_id = json_extract(events.payload, '$.job_id'))) "
        "WHERE kind = 'result_stored'"
    )
    conn.execute("UPDATE events SET reconstructed = 1, hash = NULL, prev = NULL")
    seal(conn)
    conn.execute("COMMIT")
    conn.close()
    code, text = _verify_cli(case_copy, trust)
    assert code != 0
    assert "rebuilt from an older ledger, but no signed checkpoint closes them" in text
    assert "no event is signed by a key you trust" in text


def test_forgery_5_a_verdict_named_for_ana_but_signed_by_bob_is_named(case_copy: Path) -> None:
    with Case(case_copy) as case:
        bob = reviewer_key("bob")
        case.ledger.event_signer = key_signer(bob)  # bob signs what says "ana"
        case.decide("voicemail.mp3", "confirmed_real", reviewer="ana")
    code, text = _verify_cli(case_copy, _trusted(case_copy))
    assert code != 0
    assert (
        "(confirmed_real about voicemail.mp3, by ana) names 'ana', but is signed by the "
        "key registered to 'bob'" in text
    )


def test_a_signature_moved_to_another_event_is_named(case_copy: Path) -> None:
    trust = _trusted(case_copy)
    conn = _shell(case_copy)
    conn.execute("DROP TRIGGER signatures_append_only_update")
    seq = conn.execute(
        "SELECT seq FROM events WHERE kind = 'decision' AND "
        "json_extract(payload, '$.reviewer') = 'ben'"
    ).fetchone()[0]
    other = conn.execute(
        "SELECT seq FROM events WHERE kind = 'decision' AND "
        "json_extract(payload, '$.reviewer') = 'ana'"
    ).fetchone()[0]
    conn.execute("UPDATE signatures SET seq = ? WHERE seq = ?", (other, seq))
    conn.execute("COMMIT")
    conn.close()
    code, text = _verify_cli(case_copy, trust)
    assert code != 0
    assert "ben's signature does not match the event it is on" in text
    assert "(confirmed_real about portrait.png, by ben) is not signed by a key you trust" in text


def test_a_signer_public_key_swapped_and_everything_re_signed_is_named(
    case_copy: Path, tmp_path: Path
) -> None:
    trust = _trusted(case_copy)
    mallory = reviewer_key("ana", tmp_path / "mallory-keys")  # a second key called "ana"
    conn = _shell(case_copy)
    conn.row_factory = sqlite3.Row
    for trigger in ("signers_append_only_update", "signatures_append_only_update"):
        conn.execute(f"DROP TRIGGER {trigger}")
    old = conn.execute("SELECT fingerprint FROM signers WHERE reviewer = 'ana'").fetchone()[0]
    conn.execute(
        "UPDATE signers SET fingerprint = ?, public_key = ? WHERE fingerprint = ?",
        (mallory.fingerprint, mallory.public_key, old),
    )
    rows = conn.execute(
        "SELECT e.* FROM events e JOIN signatures s ON s.seq = e.seq WHERE s.fingerprint = ?",
        (old,),
    ).fetchall()
    for row in rows:
        event = Event(row["seq"], row["kind"], row["subject"], row["at"], row["payload"],
                      bool(row["reconstructed"]), row["prev"], row["hash"])  # fmt: skip
        conn.execute(
            "UPDATE signatures SET fingerprint = ?, signature = ? WHERE seq = ? AND "
            "fingerprint = ?",
            (mallory.fingerprint, mallory.sign(signing_message(event)), event.seq, old),
        )
    conn.execute("COMMIT")
    conn.close()
    code, text = _verify_cli(case_copy, trust)
    assert code != 0
    assert "a key you did not say you trust" in text
    assert "signers" in text and "public_key" in text  # the row no longer says what was recorded
    assert base64.b64decode(mallory.public_key)


def test_a_signer_renamed_in_the_signers_table_is_named(case_copy: Path) -> None:
    trust = _trusted(case_copy)
    conn = _shell(case_copy)
    conn.execute("DROP TRIGGER signers_append_only_update")
    conn.execute("UPDATE signers SET reviewer = 'ana' WHERE reviewer = 'ben'")
    conn.execute("COMMIT")
    conn.close()
    code, text = _verify_cli(case_copy, trust)
    assert code != 0
    assert "reviewer is 'ana' in the ledger but was recorded as 'ben'" in text


def test_an_unsigned_verdict_a_later_report_follows_is_still_named(case_copy: Path) -> None:
    trust = _trusted(case_copy)
    conn = _shell(case_copy)
    conn.execute(
        "INSERT INTO decisions (sha256, verdict, note, reviewer, decided_at) "
        "VALUES (?, 'confirmed_real', 'forged', 'ana', '2026-01-01T00:00:00.000000Z')",
        (_sha(conn, "interview.mp4"),),
    )
    seal(conn)
    conn.execute("COMMIT")
    conn.close()
    with Case(case_copy) as case:  # ana's next report must not vouch for it
        case.report(reviewer="ana")
    code, text = _verify_cli(case_copy, trust)
    assert code != 0
    assert "(confirmed_real about interview.mp4, by ana) is not signed by a key you trust" in text


def test_forgery_3_analyses_heatmap_bytes_and_file_names_edited_are_each_named(
    case_copy: Path,
) -> None:
    trust = _trusted(case_copy)
    conn = _shell(case_copy)
    row = conn.execute(
        "SELECT a.sha256, p.name FROM analyses a JOIN item_paths p USING (sha256) "
        "WHERE a.intelligence IS NOT NULL ORDER BY p.name LIMIT 1"
    ).fetchone()
    assert row is not None, "the review asked for intelligence: some item has it"
    sha, name = row
    image = _sha(conn, "portrait.png")
    edits = {
        "intelligence": "UPDATE analyses SET intelligence = 'a human voice, no edits' "
        "WHERE sha256 = ? AND intelligence IS NOT NULL",
        "source_tracing": "UPDATE analyses SET source_tracing = 'real' WHERE sha256 = ?",
        "watermark": "UPDATE analyses SET watermark_status = 'none', watermark = NULL "
        "WHERE sha256 = ?",
    }
    for statement in edits.values():
        assert conn.execute(statement, (sha,)).rowcount >= 1, statement
    heat = conn.execute(
        "UPDATE artifacts SET data = zeroblob(64) WHERE job_id IN "
        "(SELECT job_id FROM analyses WHERE sha256 = ?)",
        (image,),
    )
    assert heat.rowcount >= 1
    conn.execute("UPDATE item_paths SET name = 'innocent.wav' WHERE sha256 = ?", (sha,))
    conn.execute("COMMIT")
    conn.close()
    code, text = _verify_cli(case_copy, trust)
    assert code != 0
    assert "analyses" in text and ": intelligence changed since it was recorded" in text
    assert "source_tracing is 'real' in the ledger" in text
    assert "watermark_status is 'none' in the ledger" in text
    assert ": watermark changed since it was recorded" in text
    assert "artifacts" in text and "changed (its bytes or type) since it was recorded" in text
    assert "item_paths" in text
    assert f"name is 'innocent.wav' in the ledger but was recorded as {name!r}" in text


def test_forgery_4_two_exhibits_lineage_swapped_is_named(case_copy: Path) -> None:
    with Case(case_copy) as case:  # a second clip, from another recording
        case.exhibit("voicemail.mp3", 0.5, 1.5)
    trust = _trusted(case_copy)
    conn = _shell(case_copy)
    conn.execute("DROP TRIGGER exhibits_append_only_update")
    rows = conn.execute("SELECT id, source_sha256, start_s, end_s FROM exhibits ORDER BY id")
    (a, sa, a0, a1), (b, sb, b0, b1) = rows.fetchall()[:2]
    swap = "UPDATE exhibits SET source_sha256 = ?, start_s = ?, end_s = ? WHERE id = ?"
    conn.execute(swap, (sb, b0, b1, a))
    conn.execute(swap, (sa, a0, a1, b))
    conn.execute("COMMIT")
    conn.close()
    code, text = _verify_cli(case_copy, trust)
    assert code != 0
    assert f"exhibit {a} (cut from " in text
    assert f"source_sha256 is '{sb}' in the ledger but was recorded as '{sa}'" in text
    assert f"start_s is {b0!r} in the ledger but was recorded as {a0!r}" in text
    assert f"exhibit {b} (cut from " in text and "but was recorded about" in text


def test_the_case_name_edited_is_named(case_copy: Path) -> None:
    trust = _trusted(case_copy)
    conn = _shell(case_copy)
    conn.execute("DROP TRIGGER events_meta_changed")
    conn.execute("UPDATE meta SET value = 'another matter' WHERE key = 'name'")
    conn.execute("COMMIT")
    conn.close()
    code, text = _verify_cli(case_copy, trust)
    assert code != 0
    assert (
        "the case's name: value is 'another matter' in the ledger but was recorded as "
        "'acme'" in text
    )


def test_a_rewrite_closed_by_a_forged_checkpoint_is_named(case_copy: Path) -> None:
    trust = _trusted(case_copy)
    conn = _shell(case_copy)
    for trigger in ("events_sealed_stay", "signatures_append_only_delete"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DELETE FROM signatures")
    conn.execute("UPDATE events SET reconstructed = 1, hash = NULL, prev = NULL")
    seal(conn)
    last = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    conn.execute(  # the closing checkpoint a migration's first open would have signed
        "INSERT INTO events (kind, subject, at, payload) VALUES ('checkpoint', '', "
        "'2026-01-01T00:00:00.000000Z', json_object('reason', 'history_closed', 'seq', ?, "
        "'head', ?, 'reviewer', 'ana'))",
        (last[0], last[1]),
    )
    seal(conn)
    conn.execute("COMMIT")
    conn.close()
    code, text = _verify_cli(case_copy, trust)
    assert code != 0
    assert "checkpoint (history_closed, by ana) is not signed by a key you trust" in text
    assert "no event is signed by a key you trust" in text
