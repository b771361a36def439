"""Team review on a real case (sandbox over HTTP, real SQLite, real keys): the deal
respects the overlap, a blind board never shows another reviewer's verdict (the test
looks at everything the board holds), adjudication is never by one of the pair, and the
case still verifies after a deal, two reviewers' verdicts and an adjudication."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from ipywidgets.embed import dependency_state
from sklearn.metrics import cohen_kappa_score

from resemble_nb.api import Client
from resemble_nb.case import Case
from resemble_nb.case._team import TeamError
from resemble_nb.evaluation import OVERALL
from resemble_nb.ledger._signing import ASSIGNED
from resemble_nb.sandbox import Sandbox

SAMPLES = Path(__file__).resolve().parents[2] / "resemble_nb" / "samples"
FILES = ("speech.wav", "voicemail.mp3", "portrait.png", "street.jpg", "interview.mp4")
SECRET = "ANA-PRIVATE-NOTE-7f3a"


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("team") / "desk"
    case = Case(folder)
    for name in FILES:
        shutil.copy2(SAMPLES / name, case.uploads / name)
    with Sandbox(port=0) as sandbox:
        client = Client(api_key=sandbox.api_key, base_url=sandbox.base_url)
        case.review(case.uploads, client=client, display=False, poll_interval=(0.05, 0.5)).wait(60)
        client.close()
    for name in ("ana", "ben", "carol", "lead"):
        case.add_reviewer(name)
    case.close()
    yield folder


@pytest.fixture(autouse=True)
def _own_witness_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The keys made so far, but this test's own witness log: copies of one case written
    on by different tests would otherwise be forks of each other on this machine."""
    keys = Path(os.environ["RESEMBLE_NB_KEYS"])
    mine = tmp_path / "reviewer-keys"
    shutil.copytree(keys, mine, symlinks=True) if keys.is_dir() else mine.mkdir()
    mine.chmod(0o700)
    monkeypatch.setenv("RESEMBLE_NB_KEYS", str(mine))


@pytest.fixture
def case(reviewed: Path, tmp_path: Path) -> Iterator[Case]:
    target = tmp_path / "desk"
    shutil.copytree(reviewed, target)
    opened = Case(target)
    yield opened
    opened.close()


def test_the_deal_never_hands_an_item_to_more_reviewers_than_the_overlap(case: Case) -> None:
    deal = case.assign(reviewers=["ana", "ben", "carol"], overlap=2, assigned_by="lead")
    assert len(deal) == len(FILES)
    for names in deal.values():
        assert len(names) == 2 and len(set(names)) == 2
    loads = sorted(
        sum(name in names for names in deal.values()) for name in ("ana", "ben", "carol")
    )
    assert loads[-1] - loads[0] <= 1  # dealt evenly
    again = case.assign(reviewers=["ana", "ben", "carol", "lead"], overlap=2, assigned_by="lead")
    assert again == {}  # nothing is dealt twice
    team = case.team()
    assert team is not None and all(len(i.reviewers) == 2 for i in team.items.values())
    event = case.ledger.events(kind=ASSIGNED)[0]
    assert event.facts["assigned_by"] == "lead" and event.facts["deal"] == deal
    with pytest.raises(TeamError, match="dave"):
        case.assign(reviewers=["ana", "dave"], overlap=2)
    with pytest.raises(TeamError, match="overlap"):
        case.assign(reviewers=["ana", "ben"], overlap=3)


def _pair_case(case: Case) -> str:
    """ana and ben review everything; they disagree on speech.wav. Returns its sha."""
    case.assign(reviewers=["ana", "ben"], overlap=2, blind=True, assigned_by="lead")
    speech = case.item_key("speech.wav")
    case.team_decide(speech, "confirmed_fake", SECRET, "ana")
    return speech


def test_a_blind_board_never_shows_another_reviewers_verdict(case: Case) -> None:
    speech = _pair_case(case)
    board = case.triage(reviewer="ben", threshold=0.0, labels=None, unreviewed_only=False)
    assert sorted(board.queue) == sorted(case.item_key(f) for f in FILES)  # his queue only
    board.show(speech)
    seen = json.dumps(dependency_state(board), default=str)
    assert SECRET not in seen  # nothing the board holds carries ana's note
    assert board.current is not None and board.current["verdict"] is None
    assert "not decided" in board._details.value
    assert "ana" not in repr(board)
    ben = case.queue("ben").set_index("sha256")
    assert ben["verdict"].isna().all() and ben["note"].isna().all()
    board.decide("confirmed_real", note="ben's own")
    board.show(speech)
    seen = json.dumps(dependency_state(board), default=str)
    assert SECRET not in seen and "Confirmed real" in board._details.value
    ana = case.queue("ana").set_index("sha256")
    assert ana.loc[speech, "verdict"] == "confirmed_fake" and ana.loc[speech, "note"] == SECRET
    ben = case.queue("ben").set_index("sha256")
    assert ben.loc[speech, "verdict"] == "confirmed_real"  # each sees her own only


def test_hidden_scores_are_blank_on_the_reviewers_board(case: Case) -> None:
    case.assign(reviewers=["ana", "ben"], overlap=2, hide_scores=True, assigned_by="lead")
    frame = case.queue("ana")
    assert frame["score"].isna().all() and frame["label"].isna().all()
    assert case.results()["score"].notna().any()  # the case still has them
    board = case.triage(reviewer="ana")
    assert len(board.queue) == len(FILES)


def test_adjudication_is_never_by_one_of_the_pair_and_is_signed(case: Case) -> None:
    speech = _pair_case(case)
    for name in FILES:
        sha = case.item_key(name)
        if sha != speech:
            case.team_decide(sha, "confirmed_real", "", "ana")
        case.team_decide(sha, "confirmed_real", "", "ben")
    team = case.team()
    assert team is not None
    assert [s for s, i in team.items.items() if i.status == "disputed"] == [speech]
    assert case.queue("ana", adjudicate=True).empty  # she reviewed it
    assert case.queue("ben", adjudicate=True).empty
    with pytest.raises(TeamError, match="adjudication is by someone else"):
        case.team_decide(speech, "confirmed_real", "", "ana", adjudicate=True)
    with pytest.raises(TeamError, match="not in carol's queue"):
        case.team_decide(speech, "confirmed_real", "", "carol")
    board = case.triage(adjudicate=True, reviewer="carol", threshold=0.0)
    assert board.queue == [speech]
    assert "ana: confirmed_fake" in board._details.value  # the dispute is what she judges
    panel = next(p for p in board.slot.children if "Reviewers' agreement" in p.value)
    overall = case.agreement(resamples=10).table.loc[OVERALL]
    assert f"<td>overall</td><td>{int(overall['items'])}</td>" in panel.value
    assert f"<td>{overall['gwet_ac1']:.2f}</td>" in panel.value
    board.decide("confirmed_fake", note="clone artefacts at 0.8 s")
    team = case.team()
    assert team is not None
    item = team.items[speech]
    assert item.status == "adjudicated" and item.final == "confirmed_fake"
    assert item.adjudication is not None and item.adjudication.reviewer == "carol"
    event = case.ledger.decision_event(item.adjudication.id)
    assert event is not None
    signed = {s.seq for s in case.ledger.signatures()}
    assert event.seq in signed
    kinds = [e.facts.get("reviewer") for e in case.ledger.events(kind="decision", subject=speech)]
    assert kinds == ["ana", "ben", "carol"]  # every verdict stays in the chain
    code = subprocess.run(
        [sys.executable, "-m", "resemble_nb.cli", "verify", str(case.folder)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )
    assert code.returncode == 0, code.stdout + code.stderr


def test_the_case_agreement_table_matches_scikit_learn(case: Case) -> None:
    case.assign(reviewers=["ana", "ben"], overlap=2, assigned_by="lead")
    ana = ["confirmed_fake", "confirmed_real", "confirmed_real", "inconclusive", "confirmed_real"]
    ben = ["confirmed_fake", "confirmed_real", "confirmed_fake", "inconclusive", "confirmed_real"]
    for name, a, b in zip(FILES, ana, ben, strict=True):
        case.team_decide(name, a, "", "ana")
        case.team_decide(name, b, "", "ben")
    result = case.agreement(resamples=200)
    table = result.table
    assert {"audio", "image", "video", OVERALL} <= set(table.index)
    assert table.loc[OVERALL, "items"] == len(FILES)
    assert table.loc[OVERALL, "percent_agreement"] == pytest.approx(4 / 5)
    assert table.loc[OVERALL, "cohen_kappa"] == pytest.approx(cohen_kappa_score(ana, ben))
    assert result.against_adjudicated.empty  # nothing adjudicated yet
    case.team_decide("portrait.png", "confirmed_fake", "", "carol", adjudicate=True)
    own = case.agreement(resamples=20).against_adjudicated.set_index("reviewer")
    assert own.loc["ben", "percent_agreement"] == 1.0 and own.loc["ana", "items"] == 1
    assert own.loc["ana", "percent_agreement"] == 0.0


def test_the_report_and_the_bundle_carry_the_agreement(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import html as html_lib
    import re
    import zipfile

    monkeypatch.setenv("RESEMBLE_NB_REVIEWER", "lead")  # who cuts the report's exhibits

    plain = case.report(tmp_path / "before.html", reviewer="lead").read_text(encoding="utf-8")
    assert 'id="agreement"' not in plain  # no team review: no section
    speech = _pair_case(case)
    for name in FILES:
        sha = case.item_key(name)
        if sha != speech:
            case.team_decide(sha, "confirmed_real", "", "ana")
        case.team_decide(sha, "confirmed_real", "", "ben")
    case.team_decide(speech, "confirmed_fake", "", "carol", adjudicate=True)
    text = case.report(tmp_path / "team.html", reviewer="lead").read_text(encoding="utf-8")
    section = text[text.index('<section id="agreement"') :]
    section = section[: section.index("</section>")]
    words = html_lib.unescape(re.sub(r"<[^>]+>", " ", section))
    assert "4 settled" in " ".join(words.split()) and "1 adjudicated" in " ".join(words.split())
    table = case.agreement(resamples=1000).table
    row = table.loc[OVERALL]
    expected = f"{row['gwet_ac1']:.2f} ({row['gwet_ac1_low']:.2f} – {row['gwet_ac1_high']:.2f})"
    assert expected in words
    assert 'src="data:image/png;base64,' in section  # the figure, inside the report
    bundle = case.bundle(tmp_path / "desk.zip", reviewer="lead")
    with zipfile.ZipFile(bundle) as zf:
        report = next(n for n in zf.namelist() if n.endswith(".html"))
        assert 'id="agreement-table"' in zf.read(report).decode("utf-8")
