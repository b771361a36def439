"""resemble_nb.custody.verify: what holds, and every tampering named where it happened."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import resemble_nb as rnb
from resemble_nb.case import Case
from resemble_nb.custody import reviewer_key
from resemble_nb.custody._sign import signing_message


def _sql(folder: Path, *statements: str) -> None:
    """Edit the ledger the way someone with the sqlite3 shell would."""
    conn = sqlite3.connect(folder / "case.db")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def _problems(folder: Path | str, **kwargs: object) -> list[str]:
    result = rnb.verify(folder, **kwargs)  # type: ignore[arg-type]
    return [f"{c.area}: {c.detail} [{c.where}]" for c in result.problems]


def test_an_untouched_case_holds_every_check(case_copy: Path) -> None:
    result = rnb.verify(case_copy)
    assert result.ok, str(result)
    areas = {check.area for check in result.checks}
    assert {"chain", "signatures", "results", "decisions", "items", "media", "exhibits"} <= areas
    assert {who for who, _fp in result.signers} == {"ana", "ben"}
    assert "holds" in str(result) and "<table>" in result._repr_html_()


def test_a_flipped_byte_in_a_media_file_names_the_file(case_copy: Path) -> None:
    media = case_copy / "uploads" / "portrait.png"
    data = bytearray(media.read_bytes())
    data[len(data) // 2] ^= 0x01
    media.write_bytes(bytes(data))
    problems = _problems(case_copy)
    assert len(problems) == 1
    assert problems[0].startswith("media: portrait.png changed since it was reviewed")
    assert str(media) in problems[0]


def test_a_result_edited_in_the_sqlite_shell_names_the_field(case_copy: Path) -> None:
    _sql(
        case_copy,
        "UPDATE results SET score = 0.01 WHERE sha256 = "
        "(SELECT sha256 FROM item_paths WHERE name = 'speech.wav')",
    )
    problems = _problems(case_copy)
    assert len(problems) == 1
    assert "result of speech.wav" in problems[0] and "score is 0.01 in the ledger" in problems[0]


def test_an_edited_raw_answer_is_found_even_when_the_columns_agree(case_copy: Path) -> None:
    _sql(
        case_copy,
        "UPDATE results SET raw_json = replace(raw_json, '\"', '\"') || ' ' "
        "WHERE sha256 = (SELECT sha256 FROM item_paths WHERE name = 'voicemail.mp3')",
    )
    problems = _problems(case_copy)
    assert problems and "voicemail.mp3" in problems[0] and "raw_json" in problems[0]


def test_a_decision_deleted_after_dropping_the_triggers_is_named(case_copy: Path) -> None:
    _sql(
        case_copy,
        "DROP TRIGGER decisions_append_only_delete",
        "DELETE FROM decisions WHERE verdict = 'confirmed_real'",
    )
    problems = _problems(case_copy)
    assert any(
        "confirmed_real about portrait.png, by ben" in p and "was deleted" in p for p in problems
    ), problems


def test_two_swapped_events_break_the_chain_where_they_were(case_copy: Path) -> None:
    conn = sqlite3.connect(case_copy / "case.db")
    conn.execute("DROP TRIGGER events_sealed_stay")
    (a_kind, a_payload), (b_kind, b_payload) = conn.execute(
        "SELECT kind, payload FROM events WHERE seq IN (5, 6) ORDER BY seq"
    ).fetchall()
    conn.execute("UPDATE events SET kind = ?, payload = ? WHERE seq = 5", (b_kind, b_payload))
    conn.execute("UPDATE events SET kind = ?, payload = ? WHERE seq = 6", (a_kind, a_payload))
    conn.commit()
    conn.close()
    problems = _problems(case_copy)
    assert any(p.startswith("chain:") and "[event 5" in p for p in problems), problems
    assert any(p.startswith("chain:") and "[event 6" in p for p in problems), problems


def test_an_inserted_event_is_found(case_copy: Path) -> None:
    _sql(
        case_copy,
        "INSERT INTO events (kind, subject, at, payload) VALUES "
        "('decision', '', '2026-01-01T00:00:00Z', '{\"verdict\":\"confirmed_real\"}')",
    )
    problems = _problems(case_copy)
    assert any("never sealed" in p and "(decision)" in p for p in problems), problems


def test_an_inserted_and_rehashed_event_still_breaks_the_signatures(case_copy: Path) -> None:
    """Someone who recomputes every hash after an insertion cannot re-make the signatures."""
    from resemble_nb.ledger import GENESIS, event_hash

    conn = sqlite3.connect(case_copy / "case.db")
    for trigger in ("events_sealed_stay", "events_no_delete"):
        conn.execute(f"DROP TRIGGER {trigger}")
    rows = conn.execute(
        "SELECT seq, kind, subject, at, payload, reconstructed FROM events ORDER BY seq"
    ).fetchall()
    conn.execute("DELETE FROM events")
    forged = [*rows[:3], (0, "file_seen", "", "2026-01-01T00:00:00Z", "{}", 0), *rows[3:]]
    prev = GENESIS
    for seq, (_old, kind, subject, at, payload, rebuilt) in enumerate(forged, start=1):
        digest = event_hash(seq, prev, kind, subject, at, payload, bool(rebuilt))
        conn.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, kind, subject, at, payload, rebuilt, prev, digest),
        )
        prev = digest
    conn.commit()
    conn.close()
    problems = _problems(case_copy)
    assert any(p.startswith("signatures:") and "does not match" in p for p in problems), problems


def test_a_signature_from_an_unknown_key_is_named(case_copy: Path, tmp_path: Path) -> None:
    with Case(case_copy) as case:
        head = case.ledger.chain_head()
    stranger = reviewer_key("mallory", folder=tmp_path / "elsewhere")
    _sql(
        case_copy,
        "INSERT INTO signatures (seq, fingerprint, signature, signed_at) VALUES "
        f"({head.seq}, '{stranger.fingerprint}', '{stranger.sign(signing_message(head))}', "
        "'2026-01-01T00:00:00Z')",
    )
    problems = _problems(case_copy)
    assert problems == [
        f"signatures: signed by an unknown key {stranger.fingerprint_short} (not a signer of "
        f"this case) [event {head.seq}]"
    ]


def test_trust_names_a_signer_you_did_not_trust(case_copy: Path) -> None:
    with Case(case_copy) as case:
        signers = {s.reviewer: s.fingerprint for s in case.ledger.signers().values()}
    assert rnb.verify(case_copy, trust=[signers["ana"], signers["ben"]]).ok
    problems = _problems(case_copy, trust=[signers["ana"][:16]])
    assert problems and all("by ben" in p for p in problems)
    assert "did not say you trust" in problems[0]
    assert "decision 2 (confirmed_real about portrait.png, by ben) is not signed" in problems[1]


def test_a_replaced_exhibit_is_named(case_copy: Path) -> None:
    exhibit = next((case_copy / "exhibits").glob("speech_*.wav"))
    exhibit.write_bytes(exhibit.read_bytes()[:-100] + b"\0" * 100)
    problems = _problems(case_copy)
    assert problems == [
        f"exhibits: {exhibit.name} was replaced or changed after it was cut [{exhibit}]"
    ]


def test_verification_never_writes_to_the_case(case_copy: Path) -> None:
    before = {p: p.read_bytes() for p in case_copy.rglob("*") if p.is_file()}
    rnb.verify(case_copy)
    after = {p: p.read_bytes() for p in case_copy.rglob("*") if p.is_file()}
    assert after == before


def test_provenance_readings_are_chain_events_that_verify_holds(case_copy: Path) -> None:
    result = rnb.verify(case_copy)
    assert result.ok, str(result)
    held = [c for c in result.checks if c.area == "provenance"]
    assert len(held) == 1 and held[0].ok and "4 provenance reading(s)" in held[0].detail
    with Case(case_copy) as case:
        assert len(case.ledger.events(kind="provenance_read")) == 4


def test_a_provenance_row_edited_in_the_sqlite_shell_is_named(case_copy: Path) -> None:
    _sql(
        case_copy,
        "DROP TRIGGER provenance_append_only_update",
        "UPDATE provenance SET state = 'Trusted', signer = 'Someone Trusted' WHERE sha256 = "
        "(SELECT sha256 FROM item_paths WHERE name = 'portrait.png')",
    )
    problems = _problems(case_copy)
    assert len(problems) == 2, problems
    assert all(p.startswith("provenance: provenance of portrait.png") for p in problems)
    assert "state is 'Trusted' in the ledger but was recorded as 'NotPresent'" in problems[0]
    assert "signer is 'Someone Trusted'" in problems[1] and "provenance.id=" in problems[1]


def test_a_deleted_provenance_row_is_named(case_copy: Path) -> None:
    _sql(
        case_copy,
        "DROP TRIGGER provenance_append_only_delete",
        "DELETE FROM provenance WHERE sha256 = "
        "(SELECT sha256 FROM item_paths WHERE name = 'speech.wav')",
    )
    problems = _problems(case_copy)
    assert len(problems) == 1, problems
    assert "provenance reading" in problems[0] and "of speech.wav (NotPresent)" in problems[0]
    assert "was removed from the ledger" in problems[0]
