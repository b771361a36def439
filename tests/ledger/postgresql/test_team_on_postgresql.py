"""Team review (tests/case/test_team.py) on a PostgreSQL case: the same tests, the case
imported from the reviewed folder into the throw-away server (its uploads stay in the
local working folder, where the imported paths point)."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from case import test_team
from case.test_team import _own_witness_log, reviewed  # noqa: F401 (fixtures used here)

from resemble_nb.case import CASE_DB, Case
from resemble_nb.ledger.postgresql._transfer import import_case

_names = itertools.count()


@pytest.fixture
def case(reviewed: Path, tmp_path: Path, pg_server: str) -> Iterator[Case]:  # noqa: F811
    work = tmp_path / "desk"
    shutil.copytree(reviewed, work)
    url = f"{pg_server}?case=team{next(_names)}_{abs(hash(str(tmp_path))) % 10_000}"
    import_case(work / CASE_DB, url)
    (work / CASE_DB).unlink()  # the case is on the server now; only its files stay here
    opened = Case(url, workdir=work)
    yield opened
    opened.close()


# (test_adjudication_is_never_by_one_of_the_pair_and_is_signed ends by verifying the
# case FOLDER, which holds no ledger for a PostgreSQL case; verify URL is tested in
# test_transfer.py)
_TESTS: list[Callable[..., Any]] = [
    test_team.test_the_deal_never_hands_an_item_to_more_reviewers_than_the_overlap,
    test_team.test_a_blind_board_never_shows_another_reviewers_verdict,
    test_team.test_hidden_scores_are_blank_on_the_reviewers_board,
    test_team.test_the_case_agreement_table_matches_scikit_learn,
]


@pytest.mark.parametrize("test", _TESTS, ids=[t.__name__ for t in _TESTS])
def test_team_review_holds_on_postgresql(test: Callable[..., Any], case: Case) -> None:
    test(case)
