"""The service or the account fails: a run where nothing could be analysed says so in
one line first and exits 4; a flaky but working service still completes (exit 0); a key
that cannot be sent is refused before anything starts (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from resemble_nb.sandbox import Sandbox

from .conftest import KEY, assert_good_completed, evidence, run_cli

# kind, fault spec for the sandbox, reason in the first line
SERVICE_DOWN: list[tuple[str, str, str]] = [
    ("500 on every create", "POST /detect*:500", "HTTP 500"),
    ("502 on every create", "POST /detect*:502", ""),
    ("503 on every request", "*:503", "HTTP 503"),
    ("429 on every request", "*:429;retry_after=0", "HTTP 429"),
    ("403 on every create", "POST /detect*:403", "HTTP 403"),
    ("401 on every request", "*:401", "HTTP 401"),
    ("connection dropped every time", "*:drop", ""),
]


@pytest.mark.parametrize(("kind", "spec", "reason"), SERVICE_DOWN, ids=[c[0] for c in SERVICE_DOWN])
def test_nothing_analysed_because_of_the_service_exits_4(
    tmp_path: Path, api: Sandbox, kind: str, spec: str, reason: str
) -> None:
    folder = evidence(tmp_path / "evidence")
    api.set_faults(spec)
    result = run_cli("detect", folder, "--case", tmp_path / "case", "--base-url", api.base_url,
                     "--no-progress", "--rate-limit", "200")  # fmt: skip
    assert result.code == 4, result.text
    line = result.first_error_line()
    assert "nothing could be analysed" in line and reason in line, result.text
    assert "synthetic" not in result.out  # no scores, so no sandbox banner


def test_a_wrong_key_exits_4_naming_the_refusal(tmp_path: Path, api: Sandbox) -> None:
    folder = evidence(tmp_path / "evidence")
    result = run_cli("detect", folder, "--case", tmp_path / "case", "--base-url", api.base_url,
                     "--no-progress", key="zz_bad_secret_9")  # fmt: skip
    assert result.code == 4 and "HTTP 401" in result.first_error_line(), result.text
    assert "zz_bad_secret_9" not in result.text


def test_an_empty_wallet_exits_4(tmp_path: Path, api: Sandbox) -> None:
    folder = evidence(tmp_path / "evidence")
    api.set_wallet(0)
    result = run_cli("detect", folder, "--case", tmp_path / "case", "--base-url", api.base_url,
                     "--no-progress")  # fmt: skip
    assert result.code == 4 and "wallet" in result.first_error_line(), result.text


def test_a_closed_port_exits_4(tmp_path: Path) -> None:
    folder = evidence(tmp_path / "evidence")
    result = run_cli("detect", folder, "--case", tmp_path / "case", "--base-url",
                     "http://127.0.0.1:9/api/v2", "--no-progress")  # fmt: skip
    assert result.code == 4 and "could not reach" in result.first_error_line(), result.text


@pytest.mark.parametrize("kind", ["html", "empty", "badjson", "html502"])
def test_an_answer_that_is_not_the_api_exits_4(tmp_path: Path, junk: str, kind: str) -> None:
    folder = evidence(tmp_path / "evidence")
    result = run_cli("detect", folder, "--case", tmp_path / "case", "--base-url",
                     f"{junk}/{kind}/api/v2", "--no-progress")  # fmt: skip
    assert result.code == 4, result.text
    assert "nothing could be analysed" in result.first_error_line(), result.text


def test_the_wrong_base_path_exits_4(tmp_path: Path, api: Sandbox) -> None:
    folder = evidence(tmp_path / "evidence")
    result = run_cli("detect", folder, "--case", tmp_path / "case", "--base-url",
                     api.base_url.replace("/api/v2", "/nope"), "--no-progress")  # fmt: skip
    assert result.code == 4 and "HTTP 404" in result.first_error_line(), result.text


@pytest.mark.parametrize(
    ("kind", "key", "reason"),
    [
        ("non-ASCII key", "test_team_a_k\u00e9y", "not plain ASCII"),
        ("key with a space inside", "test_team a_key", "space"),
        ("key with a newline inside", "test_team\na_key", "control character"),
        ("no key", "", "RESEMBLE_API_KEY is not set"),
    ],
    ids=["non-ASCII key", "space inside", "newline inside", "no key"],
)
def test_a_key_that_cannot_be_sent_is_refused_first(
    tmp_path: Path, api: Sandbox, kind: str, key: str, reason: str
) -> None:
    folder = evidence(tmp_path / "evidence")
    case = tmp_path / "case"
    result = run_cli("detect", folder, "--case", case, "--base-url", api.base_url,
                     "--no-progress", key=key)  # fmt: skip
    assert result.code == 2 and reason in result.first_error_line(), result.text
    assert not case.exists()
    assert "a_key" not in result.text.replace("test_team_a_key", "")


def test_a_key_with_spaces_around_it_works(tmp_path: Path, api: Sandbox) -> None:
    folder = evidence(tmp_path / "evidence")
    result = run_cli("detect", folder, "--case", tmp_path / "case", "--base-url", api.base_url,
                     "--no-progress", key=f"  {KEY}\n")  # fmt: skip
    assert result.code == 0, result.text
    assert_good_completed(result)


FLAKY: list[tuple[str, str]] = [
    ("dropped connections", "*:drop@0.3"),
    ("slow server", "*:delay=0.3"),
    ("503 sometimes", "*:503@0.3"),
    ("429 sometimes", "*:429;retry_after=0@0.3"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "spec"), FLAKY, ids=[c[0] for c in FLAKY])
def test_a_flaky_service_still_completes(
    tmp_path: Path, api: Sandbox, kind: str, spec: str
) -> None:
    folder = evidence(tmp_path / "evidence")
    api.set_faults(spec, seed=7)
    result = run_cli("detect", folder, "--case", tmp_path / "case", "--base-url", api.base_url,
                     "--no-progress", timeout=300)  # fmt: skip
    assert result.code == 0, result.text
    assert_good_completed(result)


def test_404_on_every_read_of_a_detect_fails_the_items_with_the_reason(
    tmp_path: Path, api: Sandbox
) -> None:
    folder = evidence(tmp_path / "evidence")
    api.set_faults("GET /detect/*:404")
    result = run_cli("detect", folder, "--case", tmp_path / "case", "--base-url", api.base_url,
                     "--no-progress", timeout=300)  # fmt: skip
    assert result.code in (0, 4), result.text
    assert "HTTP 404" in result.text or "completed 2" in result.out, result.text
