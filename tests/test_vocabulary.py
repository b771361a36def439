"""One list each of states, labels and verdicts: every layer uses the same one.

The labels live in ``api`` (the five-step scale), job states and verdicts in the ledger,
and the engine adds its in-run states on top. Nothing above re-types them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import get_args

import pytest

from resemble_nb import api, engine, frames, ledger, plots
from resemble_nb.ledger._segments import SEGMENT_LABELS
from resemble_nb.ledger.sqlite import _migrations
from resemble_nb.widgets._triage_queue import LABELS as TRIAGE_LABELS
from resemble_nb.widgets.triage import VERDICT_BUTTONS


def test_labels_are_the_api_scale_everywhere() -> None:
    assert api.LABELS == tuple(api.Label.order()) == tuple(member.value for member in api.Label)
    assert list(api.LABELS) == frames.LABELS
    assert list(frames.LABEL_DTYPE.categories) == list(api.LABELS)
    assert plots.LABELS is api.LABELS
    assert TRIAGE_LABELS is api.LABELS
    assert SEGMENT_LABELS is api.LABELS


def test_every_label_has_plain_words() -> None:
    assert [label.words for label in api.Label] == [
        "Real",
        "Likely real",
        "Uncertain",
        "Likely fake",
        "Fake",
    ]


def test_verdicts_are_the_ledgers_list_everywhere() -> None:
    assert get_args(ledger.Verdict) == ledger.VERDICTS
    assert list(ledger.VERDICTS) == frames.VERDICTS
    assert list(frames.RESULT_COLUMNS["verdict"].categories) == list(ledger.VERDICTS)
    assert plots.VERDICTS is ledger.VERDICTS
    assert set(plots.VERDICT_COLORS) == {*ledger.VERDICTS, "unreviewed"}
    assert tuple(VERDICT_BUTTONS) == ledger.VERDICTS


def test_every_verdict_has_plain_words_used_by_the_triage_buttons() -> None:
    assert tuple(ledger.VERDICT_WORDS) == ledger.VERDICTS
    assert ledger.VERDICT_WORDS["confirmed_fake"] == "Confirmed fake"
    assert all(words and words[0].isupper() for words in ledger.VERDICT_WORDS.values())
    assert {v: text for v, (text, _style) in VERDICT_BUTTONS.items()} == ledger.VERDICT_WORDS


def test_job_states_partition_into_live_and_terminal() -> None:
    assert get_args(ledger.JobState) == ledger.STATES
    assert set(ledger.STATES) == ledger.LIVE_STATES | ledger.TERMINAL_STATES
    assert not ledger.LIVE_STATES & ledger.TERMINAL_STATES
    assert ledger.TERMINAL_STATES - {"completed"} == ledger.PROBLEM_STATES
    assert list(ledger.STATES) == frames.STATUSES


def test_engine_states_are_the_ledgers_plus_its_own_in_pipeline_order() -> None:
    assert set(engine.STATES) == set(get_args(engine.State))
    run_only = [state for state in engine.STATES if state not in ledger.STATES]
    assert run_only == ["inspecting", "processing"]
    assert [state for state in engine.STATES if state in ledger.STATES] == list(ledger.STATES)
    assert engine.STATES.index("inspecting") == engine.STATES.index("pending") + 1
    assert engine.STATES.index("processing") == engine.STATES.index("submitted") + 1
    assert engine.TERMINAL == ledger.TERMINAL_STATES
    assert set(engine.STATES) - ledger.TERMINAL_STATES == engine.LIVE


def test_schema_checks_are_built_from_the_lists() -> None:
    assert ",".join(f"'{v}'" for v in ledger.VERDICTS) == _migrations._VERDICTS
    assert ",".join(f"'{s}'" for s in ledger.STATES) == _migrations._STATES
    live = [s for s in ledger.STATES if s in ledger.LIVE_STATES]
    assert ",".join(f"'{s}'" for s in live) == _migrations._LIVE


def test_the_ledger_file_refuses_a_verdict_outside_the_list(tmp_path: Path) -> None:
    with ledger.Ledger(tmp_path / "case.sqlite"):
        pass  # created and migrated
    conn = sqlite3.connect(tmp_path / "case.sqlite")
    try:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'decisions'").fetchone()[0]
        for verdict in ledger.VERDICTS:
            assert f"'{verdict}'" in sql
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            conn.execute(
                "INSERT INTO decisions (sha256, verdict, note, reviewer, decided_at)"
                " VALUES (?, 'probably_fake', '', 'ana', '2026-01-01T00:00:00+00:00')",
                ("a" * 64,),
            )
    finally:
        conn.close()
