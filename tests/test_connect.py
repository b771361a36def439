"""rnb.connect(): the real API from the environment, or the embedded sandbox."""

from __future__ import annotations

import pytest

import resemble_nb as rnb
from resemble_nb.api import DEFAULT_BASE_URL, Client, MissingAPIKeyError
from resemble_nb.case._connect import embedded_sandbox
from resemble_nb.sandbox import Sandbox

SAMPLES = rnb.sample_media()


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RESEMBLE_API_KEY", raising=False)
    monkeypatch.delenv("RESEMBLE_BASE_URL", raising=False)


def test_the_real_api_needs_a_key(no_key: None) -> None:
    with pytest.raises(MissingAPIKeyError, match="RESEMBLE_API_KEY"):
        rnb.connect()


def test_the_key_and_url_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, no_key: None
) -> None:
    monkeypatch.setenv("RESEMBLE_API_KEY", "team-secret-key-123")
    client = rnb.connect()
    assert isinstance(client, Client)
    assert client.base_url == DEFAULT_BASE_URL and not client.is_sandbox
    assert "team-secret-key-123" not in repr(client)
    monkeypatch.setenv("RESEMBLE_BASE_URL", "http://127.0.0.1:1/api/v2")
    assert rnb.connect().base_url == "http://127.0.0.1:1/api/v2"


def test_explicit_arguments_reach_a_server(sandbox: Sandbox, no_key: None) -> None:
    client = rnb.connect(api_key=sandbox.api_key, base_url=sandbox.base_url, max_retries=0)
    assert client.max_retries == 0
    assert client.list_detects().total_count == 0
    assert client.is_sandbox  # the sandbox says so in every answer


def test_sandbox_true_starts_one_embedded_sandbox(
    capsys: pytest.CaptureFixture[str], no_key: None
) -> None:
    first = rnb.connect(sandbox=True)
    second = rnb.connect(sandbox=True)
    assert first.is_sandbox and second.is_sandbox
    assert first.base_url == second.base_url == embedded_sandbox().base_url
    assert first.base_url.startswith("http://127.0.0.1:")
    token = first.secure_upload(SAMPLES / "speech.wav")
    assert first.detect(media_token=token, wait=True).source == "sandbox"
    key = embedded_sandbox().api_key
    out = capsys.readouterr()
    assert key not in out.out + out.err + repr(first) + repr(embedded_sandbox().config)


def test_auto_uses_the_sandbox_without_a_key_and_says_so(
    capsys: pytest.CaptureFixture[str], no_key: None
) -> None:
    client = rnb.connect(sandbox="auto")
    assert client.is_sandbox
    err = capsys.readouterr().err
    assert "RESEMBLE_API_KEY is not set: using the local sandbox" in err
    assert embedded_sandbox().api_key not in err
    rnb.connect(sandbox="auto", quiet=True)
    assert capsys.readouterr().err == ""


def test_auto_uses_the_real_api_with_a_key(monkeypatch: pytest.MonkeyPatch, no_key: None) -> None:
    monkeypatch.setenv("RESEMBLE_API_KEY", "team-secret-key-123")
    client = rnb.connect(sandbox="auto")
    assert not client.is_sandbox and client.base_url == DEFAULT_BASE_URL


def test_bad_combinations_are_refused(no_key: None) -> None:
    with pytest.raises(ValueError, match="sandbox must be"):
        rnb.connect(sandbox="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="leave out"):
        rnb.connect(sandbox=True, api_key="k")


def test_a_review_through_the_embedded_sandbox(tmp_path: object, no_key: None) -> None:
    case = rnb.Case(f"{tmp_path}/case")
    run = case.review(
        SAMPLES / "street.jpg",
        client=rnb.connect(sandbox=True),
        display=False,
        poll_interval=(0.2, 1.0),
    )
    assert run.source == "sandbox"
    assert run.wait(30).progress.counts == {"completed": 1}
    assert case.results()["source"].tolist() == ["sandbox"]


def test_the_package_exposes_the_users_path() -> None:
    names = ["connect", "Case", "Run", "Client", "AsyncClient", "Label", "FilePicker",
             "UploadPicker", "plots", "sample_media", "ResembleError",
             "OutcomeUnknownError"]  # fmt: skip
    for name in names:
        assert name in rnb.__all__ and getattr(rnb, name) is not None
    assert sorted(p.name for p in rnb.sample_media().iterdir()) == [
        "damaged.wav", "interview.mp4", "notes.txt", "portrait.png", "speech.wav",
        "street.jpg", "voicemail.mp3",
    ]  # fmt: skip
    with pytest.raises(AttributeError):
        rnb.no_such_thing  # noqa: B018


def test_auto_says_in_one_line_which_service_is_in_use(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, no_key: None
) -> None:
    """What each notebook used to print with nine lines of its own."""
    rnb.connect(sandbox="auto")
    sandbox_line = capsys.readouterr().err
    monkeypatch.setenv("RESEMBLE_API_KEY", "team-secret-key-123")
    rnb.connect(sandbox="auto")
    real_line = capsys.readouterr().err
    monkeypatch.setenv("RESEMBLE_BASE_URL", "http://127.0.0.1:8765/api/v2")
    rnb.connect(sandbox="auto")
    local_line = capsys.readouterr().err
    for line in (sandbox_line, real_line, local_line):
        assert line.count("\n") == 1 and "team-secret-key-123" not in line
        assert embedded_sandbox().api_key not in line
    assert "using the local sandbox (http://127.0.0.1:" in sandbox_line
    assert "synthetic" in sandbox_line and "synthetic" in local_line
    assert real_line == (
        f"Using Resemble AI's Detect API ({DEFAULT_BASE_URL}); files are analysed for real.\n"
    )
    assert local_line.startswith("Using the local sandbox (http://127.0.0.1:8765/api/v2)")
