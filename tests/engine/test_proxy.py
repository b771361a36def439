"""A review through an HTTP proxy, and through a proxy that stalls or bombs an answer
(issue 18 items 4, 5): the engine's own rate-limited transport keeps the
environment's proxy, and a bad answer ends its call with a reason, never a hang."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from _servers import ForwardingProxy

from resemble_nb.case import Case
from resemble_nb.sandbox import Sandbox

from .helpers import FAST, client_for, duplicates, states, write_wavs


@pytest.fixture
def via_proxy(monkeypatch: pytest.MonkeyPatch) -> Callable[..., ForwardingProxy]:
    """``via_proxy(fault=None)``: a forwarding proxy that every client is told to use."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "request_method"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    made: list[ForwardingProxy] = []

    def start(fault: Callable[[str, str], str | None] | None = None) -> ForwardingProxy:
        made.append(ForwardingProxy(fault))
        monkeypatch.setenv("HTTP_PROXY", made[-1].url)
        return made[-1]

    yield start  # type: ignore[misc]
    for proxy in made:
        proxy.close()


def _once(method: str, route: str, mode: str) -> Callable[[str, str], str | None]:
    """A fault for the first request ``method`` whose path ends with ``route``."""
    fired: list[bool] = []

    def fault(m: str, path: str) -> str | None:
        if m == method and path.endswith(route) and not fired:
            fired.append(True)
            return mode
        return None

    return fault


def test_a_review_goes_through_an_http_proxy(
    sandbox: Sandbox, case: Case, tmp_path: Path, via_proxy: Callable[..., ForwardingProxy]
) -> None:
    proxy = via_proxy()
    paths = write_wavs(tmp_path / "media", 3)
    run = case.review(paths, client=client_for(sandbox), poll_interval=FAST, display=False)
    run.wait(60)
    assert set(states(run).values()) == {"completed"}
    routes = {line.split(" ", 1)[1].rsplit("/api/v2", 1)[-1] for line in proxy.forwarded}
    assert "/detect/batch" in routes  # the files went up through the proxy
    assert len(proxy.forwarded) == run.stats()["requests"]  # and every other request too


def test_doctor_and_a_review_take_the_same_route(
    sandbox: Sandbox, case: Case, tmp_path: Path, via_proxy: Callable[..., ForwardingProxy]
) -> None:
    """The issue's case: doctor went through the proxy, detect did not."""
    from resemble_nb.cli._doctor import doctor

    proxy = via_proxy()
    assert doctor(sandbox.api_key, sandbox.base_url).ok
    through_doctor = len(proxy.forwarded)
    run = case.review(
        write_wavs(tmp_path / "media", 1),
        client=client_for(sandbox),
        poll_interval=FAST,
        display=False,
    )
    run.wait(60)
    assert through_doctor >= 1
    assert len(proxy.forwarded) == through_doctor + run.stats()["requests"]


def test_a_batch_create_whose_answer_stalls_is_reconciled_not_sent_twice(
    sandbox: Sandbox, case: Case, tmp_path: Path, via_proxy: Callable[..., ForwardingProxy]
) -> None:
    """The service created the batch; its answer sent headers and stopped. The engine
    names it, looks the files up, adopts what exists and creates nothing twice."""
    proxy = via_proxy(_once("POST", "/detect/batch", "forward-then-stall-after-headers"))
    paths = write_wavs(tmp_path / "media", 3)
    client = client_for(sandbox, timeout=1.0)
    run = case.review(paths, client=client, poll_interval=FAST, display=False)
    run.wait(90)
    assert proxy.faults == 1
    assert set(states(run).values()) == {"completed"}
    assert duplicates(sandbox) == {}
    assert sum(1 for line in proxy.forwarded if line.endswith("/detect/batch")) == 1


@pytest.mark.parametrize("mode", ["stall-after-headers", "bomb"])
def test_a_poll_whose_answer_is_bad_is_retried_and_the_review_ends(
    sandbox: Sandbox,
    case: Case,
    tmp_path: Path,
    via_proxy: Callable[..., ForwardingProxy],
    mode: str,
) -> None:
    proxy = via_proxy(_once("GET", "", mode))
    paths = write_wavs(tmp_path / "media", 2)
    client = client_for(sandbox, timeout=1.0)
    run = case.review(paths, client=client, poll_interval=FAST, display=False)
    run.wait(90)
    assert proxy.faults == 1
    assert set(states(run).values()) == {"completed"}
