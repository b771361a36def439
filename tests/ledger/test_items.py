"""Items by content, every path they were seen at, skipped files with reasons."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from resemble_nb.ledger import Ledger
from resemble_nb.media import scan

from .conftest import T0, make_item


def test_items_are_recorded_once_with_all_their_paths(ledger: Ledger) -> None:
    one = make_item(1)
    assert ledger.add_items([one, make_item(2)]) == 2
    again = replace(one, paths=(Path("/inbox/copy.wav"), one.paths[0]))
    assert ledger.add_items([again]) == 0
    stored = ledger.item(one.sha256)
    assert stored is not None
    assert [p.path for p in stored.paths] == [one.paths[0], Path("/inbox/copy.wav")]
    assert [p.name for p in stored.paths] == ["file1.mp4", "copy.wav"]
    assert (stored.size, stored.media_type, stored.mime, stored.duration) == (
        one.size,
        "video",
        "video/mp4",
        2.0,
    )
    assert stored.first_seen.tzinfo is not None
    assert [i.sha256 for i in ledger.items()] == [one.sha256, make_item(2).sha256]
    assert ledger.item("f" * 64) is None


def test_seeing_a_path_again_refreshes_seen_at_only(ticking_ledger: Ledger) -> None:
    ledger = ticking_ledger  # each change is stamped a second after the one before
    item = make_item(3)
    ledger.add_items([item])
    first = ledger.item(item.sha256)
    ledger.add_items([item])
    second = ledger.item(item.sha256)
    assert first is not None and second is not None
    assert second.paths[0].first_seen == first.paths[0].first_seen
    assert second.paths[0].seen_at > first.paths[0].seen_at
    assert second.first_seen == first.first_seen


def test_a_later_duration_fills_a_missing_one(ledger: Ledger) -> None:
    item = make_item(2)  # images have no duration
    assert item.duration is None
    ledger.add_items([item])
    ledger.add_items([replace(item, duration=4.5)])
    assert ledger.item(item.sha256).duration == 4.5  # type: ignore[union-attr]


def test_item_for_path_follows_changed_content(case: Path) -> None:
    with Ledger(case / "ledger.sqlite", clock=lambda: T0) as ledger:  # one time for both
        old, new = make_item(4), make_item(5)
        ledger.add_items([old])
        ledger.add_items([replace(new, paths=old.paths)])  # the later row breaks the tie
        found = ledger.item_for_path(old.paths[0])
        assert found is not None and found.sha256 == new.sha256
        assert ledger.item_for_path("/nowhere.wav") is None


def test_real_scan_round_trip_with_skips(ledger: Ledger, tmp_path: Path) -> None:
    samples = Path(__file__).resolve().parents[2] / "resemble_nb" / "samples"
    evidence = tmp_path / "evidence"
    shutil.copytree(samples, evidence)
    shutil.copy(evidence / "speech.wav", evidence / "speech-copy.wav")
    found = scan(evidence)
    ledger.add_items(found.items)
    ledger.record_skips(found.skipped)
    speech = next(i for i in ledger.items() if i.name == "speech-copy.wav")
    assert [p.name for p in speech.paths] == ["speech-copy.wav", "speech.wav"]
    skipped = {s.name: s for s in ledger.skipped_files()}
    assert set(skipped) == {"damaged.wav", "notes.txt"}
    assert skipped["notes.txt"].problem == "unsupported"
    assert skipped["notes.txt"].reason.startswith(str(evidence / "notes.txt"))
    assert skipped["damaged.wav"].sha256 is not None  # hashed before the header check
    assert skipped["notes.txt"].path == evidence / "notes.txt"


def test_a_skipped_path_that_becomes_usable_is_no_longer_skipped(
    ledger: Ledger, tmp_path: Path
) -> None:
    path = tmp_path / "late.wav"
    path.write_text("not yet audio")
    [bad] = scan(path).skipped
    ledger.record_skips([bad])
    ledger.record_skips([bad])  # recorded twice: still one row
    assert [s.problem for s in ledger.skipped_files()] == ["unsupported"]
    item = make_item(9)
    ledger.add_items([replace(item, paths=(path,))])
    assert ledger.skipped_files() == []


def test_paths_inside_the_case_folder_move_with_it(case: Path, tmp_path: Path) -> None:
    uploads = case / "uploads"
    uploads.mkdir()
    inside = replace(make_item(1), paths=(uploads / "call.wav",))
    outside = make_item(2, folder=tmp_path / "evidence")
    with Ledger(case / "ledger.sqlite") as ledger:
        ledger.add_items([inside, outside])
        stored = ledger._conn().execute("SELECT path, in_case FROM item_paths ORDER BY rowid")
        assert stored.fetchall() == [
            ("uploads/call.wav", 1),
            (str(outside.paths[0]), 0),
        ]
    moved = shutil.copytree(case, tmp_path / "elsewhere" / "case-copy")
    with Ledger(moved / "ledger.sqlite") as copy:
        assert copy.item(inside.sha256).paths[0].path == moved / "uploads" / "call.wav"  # type: ignore[union-attr]
        assert copy.item(outside.sha256).paths[0].path == outside.paths[0]  # type: ignore[union-attr]
        rows = dict(zip(copy.results_rows().columns, copy.results_rows().rows[0], strict=True))
        assert rows["path"] == str(moved / "uploads" / "call.wav")


def test_names_and_lookup_by_name_or_path(ledger: Ledger, case: Path) -> None:
    a, b = make_item(1), make_item(2)
    twin = replace(make_item(3), paths=(Path("/other/file1.mp4"),))  # same name as a
    ledger.add_items([a, b, twin])
    ledger.add_items([replace(b, paths=(case / "uploads" / "b.wav",))])
    assert ledger.item_names() == {
        a.sha256: "file1.mp4",
        b.sha256: "file2.png",
        twin.sha256: "file1.mp4",
    }
    assert ledger.items_named("file1.mp4") == [a.sha256, twin.sha256]
    assert ledger.items_named("/other/file1.mp4") == [twin.sha256]
    assert ledger.items_named(case / "uploads" / "b.wav") == [b.sha256]
    assert ledger.items_named("b.wav") == [b.sha256]
    assert ledger.items_named("nothing.wav") == []
