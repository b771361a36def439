"""One key per person, kept where only its owner can use it; decisions signed as they commit."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import unicodedata
import warnings
from pathlib import Path

import pytest

import resemble_nb as rnb
from resemble_nb.case import Case
from resemble_nb.custody import CustodyError, reviewer_key
from resemble_nb.media.items import MediaItem


def make_item(n: int) -> MediaItem:
    """A made-up (well-formed) audio item: these tests need items, not their media."""
    return MediaItem(
        sha256=hashlib.sha256(str(n).encode()).hexdigest(),
        size=1000 + n,
        media_type="audio",
        mime="audio/wav",
        extension=".wav",
        duration=1.0 + n,
        paths=(Path("/evidence") / f"file{n}.wav",),
    )


def _case_with_items(folder: Path, n: int = 4) -> Case:
    case = Case(folder)
    case.ledger.add_items([make_item(i) for i in range(1, n + 1)])
    return case


def test_four_names_that_slug_alike_get_four_keys_and_four_signers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["Иван", "Анна", "José", "Josè"]
    monkeypatch.setenv("RESEMBLE_NB_KEYS", str(tmp_path / "keys"))
    with _case_with_items(tmp_path / "case") as case:
        for i, name in enumerate(names, start=1):
            case.decide(make_item(i).sha256, "confirmed_fake", reviewer=name)
        signers = {s.reviewer: s.fingerprint for s in case.ledger.signers().values()}
    assert sorted(signers) == sorted(names)
    assert len(set(signers.values())) == 4
    assert len(list((tmp_path / "keys").glob("*.ed25519.pem"))) == 4
    result = rnb.verify(tmp_path / "case", trust=list(signers.values()))
    assert result.ok, str(result)
    assert {who for who, _fp in result.signers} == set(names)


def test_the_same_name_in_another_unicode_form_is_the_same_key(tmp_path: Path) -> None:
    composed = unicodedata.normalize("NFC", "José")
    decomposed = unicodedata.normalize("NFD", "José")
    assert composed != decomposed
    folder = tmp_path / "keys"
    assert (
        reviewer_key(composed, folder).fingerprint == reviewer_key(decomposed, folder).fingerprint
    )


def test_a_decision_whose_signing_fails_leaves_no_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _case_with_items(tmp_path / "case")
    sha = make_item(1).sha256
    events_before = len(case.ledger.events())
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the key folder should be")
    monkeypatch.setenv("RESEMBLE_NB_KEYS", str(blocker / "keys"))
    with pytest.raises(CustodyError, match=r"signing keys .* cannot be used"):
        case.decide(sha, "confirmed_fake", reviewer="nobody-yet")
    assert case.ledger.decisions() == []
    assert len(case.ledger.events()) == events_before
    case.close()
    assert rnb.verify(tmp_path / "case").ok


def test_reviewer_env_names_who_decides_and_signs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESEMBLE_NB_REVIEWER", "qa")
    with _case_with_items(tmp_path / "case") as case:
        decision = case.decide(make_item(1).sha256, "confirmed_real")
        assert decision.reviewer == "qa"
        assert {s.reviewer for s in case.ledger.signers().values()} == {"qa"}


def test_the_name_confirmed_on_the_board_comes_before_the_os_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from resemble_nb.widgets._triage_state import os_user, save_state

    monkeypatch.delenv("RESEMBLE_NB_REVIEWER", raising=False)
    with _case_with_items(tmp_path / "case") as case:
        save_state(case.folder, {"reviewers": {os_user(): "Dr. Okafor"}})
        assert case.decide(make_item(1).sha256, "inconclusive").reviewer == "Dr. Okafor"


def test_the_os_user_is_used_only_with_a_visible_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RESEMBLE_NB_REVIEWER", raising=False)
    with _case_with_items(tmp_path / "case") as case:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            decision = case.decide(make_item(1).sha256, "inconclusive")
        assert any("no reviewer named" in str(w.message) for w in caught)
        assert decision.reviewer and decision.reviewer in str(caught[0].message)


# -- key hygiene -------------------------------------------------------------------------------


def test_a_key_folder_others_can_open_is_refused_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    reviewer_key("ana", folder)
    folder.chmod(0o755)
    with pytest.raises(CustodyError) as caught:
        reviewer_key("ana", folder)
    assert str(caught.value) == (
        f"{folder}: refusing the key folder: other accounts can open it (mode 0755); "
        "make it private with chmod 700"
    )
    assert oct(folder.stat().st_mode & 0o777) == "0o755"  # refused, never chmod-ed


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    key = reviewer_key("ana", folder)
    path = next(folder.glob("*.pem"))
    path.chmod(0o644)
    with pytest.raises(CustodyError, match="refusing the key file: other accounts can read it"):
        reviewer_key("ana", folder)
    path.chmod(0o600)
    assert reviewer_key("ana", folder).fingerprint == key.fingerprint


def test_a_symlink_to_a_shared_world_writable_folder_is_refused_and_not_chmodded(
    tmp_path: Path,
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    planted = reviewer_key("ana", shared / "keys")  # a key someone planted there
    (shared / "keys").chmod(0o700)
    shared.chmod(0o777)  # anyone may swap what is inside
    link = tmp_path / "my-keys"
    link.symlink_to(shared / "keys")
    with pytest.raises(CustodyError) as caught:
        reviewer_key("ana", link)
    assert "leads through a symlink" in str(caught.value)
    assert "can be written by other accounts" in str(caught.value)
    assert oct(shared.stat().st_mode & 0o777) == "0o777"
    assert planted.fingerprint  # it exists, and was not used


def test_a_key_file_that_is_a_symlink_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    reviewer_key("ana", folder)
    real = next(folder.glob("*.pem"))
    elsewhere = tmp_path / "elsewhere.pem"
    real.rename(elsewhere)
    real.symlink_to(elsewhere)
    with pytest.raises(CustodyError, match="refusing the key file: it is a symlink"):
        reviewer_key("ana", folder)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder away needs root")
def test_a_key_folder_of_another_account_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    reviewer_key("ana", folder)
    os.chown(folder, 65534, 65534)
    with pytest.raises(CustodyError, match="refusing the key folder: it belongs to another"):
        reviewer_key("ana", folder)


def test_a_decision_with_a_refused_key_folder_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = tmp_path / "open-keys"
    keys.mkdir(mode=0o755)
    keys.chmod(0o755)
    monkeypatch.setenv("RESEMBLE_NB_KEYS", str(keys))
    with _case_with_items(tmp_path / "case") as case:
        with pytest.raises(CustodyError, match="refusing the key folder"):
            case.decide(make_item(1).sha256, "confirmed_fake", reviewer="ana")
        assert case.ledger.decisions() == []
    conn = sqlite3.connect(tmp_path / "case" / "case.db")
    assert conn.execute("SELECT COUNT(*) FROM events WHERE kind = 'decision'").fetchone()[0] == 0
    conn.close()
