"""``pytest -m live``: checks against the real API when ``RESEMBLE_API_KEY`` is set.

Never part of ``make test``: ``addopts`` deselects the ``live`` marker, and these tests
are also dropped unless the ``-m`` expression asks for ``live`` by name (so a run with
another ``-m`` cannot bill anyone by accident). Without a key they skip.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import pytest

from ._service import LiveRun, from_environment

_ASKED = re.compile(r"(?<!not )\blive\b")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _ASKED.search(config.getoption("markexpr") or ""):
        return
    kept = [item for item in items if item.get_closest_marker("live") is None]
    dropped = [item for item in items if item.get_closest_marker("live") is not None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def say(config: pytest.Config, line: str) -> None:
    """A line on the terminal now, even while pytest captures output."""
    capture = config.pluginmanager.get_plugin("capturemanager")
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    quiet = capture.global_and_fixture_disabled() if capture else contextlib.nullcontext()
    with quiet:
        if reporter is not None:
            reporter.write_line(line)
        else:  # pragma: no cover - only with -p no:terminal
            print(line, flush=True)


@pytest.fixture(scope="session")
def live(request: pytest.FixtureRequest) -> Iterator[LiveRun]:
    """Sends everything once (after printing the plan); deletes it all at the end."""
    run = from_environment()
    if run is None:
        pytest.skip("RESEMBLE_API_KEY is not set: live contract checks skipped")
    say(request.config, "")
    for line in run.plan():
        say(request.config, line)
    try:
        run.send_everything()
        yield run
    finally:
        left = {u: s for u, s in run.delete_all().items() if s not in (200, 204, 404)}
        say(
            request.config,
            f"Live contract checks: made {len(run.created)} detects, deleted {len(run.deleted)}"
            + (f"; could not delete {sorted(left)} ({left})" if left else ""),
        )
        run.close()
