"""Fixtures shared by every test folder.

``sandbox``: a fresh sandbox API on 127.0.0.1 (port picked by the OS) with two teams
(``sandbox.api_keys == ("test_team_a_key", "test_team_b_key")``), default settings
(progress immediate, 40 requests/s per key, no faults). Stopped after the test.

``sandbox_factory(**settings)``: start more sandboxes with any ``SandboxConfig``
setting, e.g. ``sandbox_factory(progress="polls:2", rate_limit=None)``; all are
stopped after the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from resemble_nb.sandbox import Sandbox

TEST_KEYS = ("test_team_a_key", "test_team_b_key")


@pytest.fixture(autouse=True, scope="session")
def _reviewer_keys_outside_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Reviewers' signing keys go to a temporary folder, never the user's ~/.config.

    Set in os.environ so CLI subprocesses and notebook kernels started by tests inherit it.
    """
    import os

    before = os.environ.get("RESEMBLE_NB_KEYS")
    os.environ["RESEMBLE_NB_KEYS"] = str(tmp_path_factory.mktemp("reviewer-keys"))
    yield
    if before is None:
        os.environ.pop("RESEMBLE_NB_KEYS", None)
    else:
        os.environ["RESEMBLE_NB_KEYS"] = before


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., Sandbox]]:
    from resemble_nb.sandbox import Sandbox

    started: list[Sandbox] = []

    def make(**settings: Any) -> Sandbox:
        settings.setdefault("api_keys", TEST_KEYS)
        sb = Sandbox(port=0, **settings)
        started.append(sb)
        return sb.start()

    yield make
    for sb in started:
        sb.stop()


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    return sandbox_factory()
