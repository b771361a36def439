"""resemble-nb detect and results, end to end against the sandbox."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import resemble_nb as rnb
from resemble_nb.cli import main
from resemble_nb.sandbox import Sandbox

SAMPLES = rnb.sample_media()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox) -> Sandbox:
    monkeypatch.setenv("RESEMBLE_API_KEY", sandbox.api_key)
    monkeypatch.delenv("RESEMBLE_BASE_URL", raising=False)
    return sandbox


def _detect(sandbox: Sandbox, case: Path, *extra: str) -> list[str]:
    return ["detect", str(SAMPLES), "--case", str(case), "--base-url", sandbox.base_url, *extra]


def test_detect_reviews_the_samples_and_summarises(
    tmp_path: Path, env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_detect(env, tmp_path / "case", "--no-progress"))
    out = capsys.readouterr().out
    assert code == 0
    assert "7/7 done (completed 5, failed 1, skipped 1)" in out
    assert "failed    damaged.wav: " in out and "damaged or truncated" in out
    assert "skipped   notes.txt: " in out and "plain text" in out
    assert "local sandbox: the scores are synthetic" in out
    assert env.api_key not in out
    assert sorted(env.stats()["detects_per_sha256"].values()) == [1] * 5


def test_detect_again_submits_nothing(
    tmp_path: Path, env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_detect(env, tmp_path / "case", "--no-progress")) == 0
    requests = env.stats()["requests_total"]
    assert main(_detect(env, tmp_path / "case", "--no-progress")) == 0
    assert env.stats()["requests_total"] == requests
    assert "7/7 done" in capsys.readouterr().out


def test_detect_shows_a_progress_bar(
    tmp_path: Path, env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_detect(env, tmp_path / "case")) == 0
    err = capsys.readouterr().err
    assert "review" in err and "7/7" in err


def test_detect_options_and_strategy(tmp_path: Path, env: Sandbox) -> None:
    args = _detect(env, tmp_path / "case", "--no-progress", "--intelligence", "--strategy",
                   "single", "--option", "frame_length=1", "--include", "*.wav")  # fmt: skip
    assert main(args) == 0
    assert env.stats()["uploads"] == 1 and env.stats()["batches_created"] == 0
    segments = rnb.Case(tmp_path / "case").segments()
    assert len(segments[segments["name"] == "speech.wav"]) == 6  # 6 s in 1 s windows


def test_detect_without_a_key_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("RESEMBLE_API_KEY", raising=False)
    code = main(["detect", str(SAMPLES), "--case", str(tmp_path / "case")])
    assert code == 2
    assert "RESEMBLE_API_KEY is not set" in capsys.readouterr().err


def test_detect_with_a_bad_option(
    tmp_path: Path, env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_detect(env, tmp_path / "case", "--option", "frame_lenght=2")) == 2
    assert "frame_lenght" in capsys.readouterr().err
    assert main(_detect(env, tmp_path / "case", "--option", "oops")) == 2


def test_detect_with_the_embedded_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("RESEMBLE_API_KEY", raising=False)
    code = main(["detect", str(SAMPLES / "street.jpg"), "--case", str(tmp_path / "c"),
                 "--sandbox", "--no-progress"])  # fmt: skip
    assert code == 0
    assert "1/1 done (completed 1)" in capsys.readouterr().out


@pytest.fixture
def reviewed(tmp_path: Path, env: Sandbox) -> Path:
    assert main(_detect(env, tmp_path / "case", "--no-progress")) == 0
    return tmp_path / "case"


def test_results_as_csv_on_stdout(reviewed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["results", "--case", str(reviewed)]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(table) == 7 and list(table.columns)[:4] == ["name", "path", "paths", "sha256"]
    assert set(table["status"]) == {"completed", "failed", "skipped"}


def test_results_as_json_and_parquet_files(reviewed: Path, tmp_path: Path) -> None:
    assert main(["results", "--case", str(reviewed), "--format", "json", "-o",
                 str(tmp_path / "r.json")]) == 0  # fmt: skip
    rows = json.loads((tmp_path / "r.json").read_text())
    assert len(rows) == 7 and {r["status"] for r in rows} == {"completed", "failed", "skipped"}
    assert main(["results", "--case", str(reviewed), "--format", "parquet", "-o",
                 str(tmp_path / "r.parquet")]) == 0  # fmt: skip
    table = pd.read_parquet(tmp_path / "r.parquet")
    assert len(table) == 7 and table["score"].notna().sum() == 5


def test_results_format_follows_the_file_name(reviewed: Path, tmp_path: Path) -> None:
    assert main(["results", "--case", str(reviewed), "-o", str(tmp_path / "r.parquet")]) == 0
    assert len(pd.read_parquet(tmp_path / "r.parquet")) == 7


def test_results_csv_is_safe_to_open_in_a_spreadsheet(
    tmp_path: Path, env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "=cmd.wav").write_bytes((SAMPLES / "speech.wav").read_bytes())
    code = main(["detect", str(evidence), "--case", str(tmp_path / "c"),
                 "--base-url", env.base_url, "--no-progress"])  # fmt: skip
    assert code == 0
    capsys.readouterr()
    assert main(["results", "--case", str(tmp_path / "c")]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert table["name"].tolist() == ["'=cmd.wav"]


def test_results_refuses_what_it_cannot_do(
    reviewed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["results", "--case", str(reviewed), "--format", "parquet"]) == 2
    assert "-o FILE" in capsys.readouterr().err
    assert main(["results", "--case", str(reviewed), "--format", "json", "-o", "r.csv"]) == 2
    assert "ending in .json" in capsys.readouterr().err
    assert main(["results", "--case", str(tmp_path / "nowhere")]) == 2
    assert "no case here" in capsys.readouterr().err
    assert not (tmp_path / "nowhere").exists()


def test_report_writes_a_self_contained_file(
    reviewed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "share" / "acme.html"
    out.parent.mkdir()
    assert main(["report", "--case", str(reviewed), "-o", str(out), "--threshold", "0.7"]) == 0
    assert str(out) in capsys.readouterr().out
    html = out.read_text()
    for name in ("speech.wav", "voicemail.mp3", "interview.mp4", "street.jpg", "damaged.wav"):
        assert name in html
    assert "sandbox" in html.lower()  # synthetic results can never pass for real ones
    assert 'src="http' not in html and 'href="http' not in html  # opens offline


def test_report_defaults_into_the_case_and_refuses_bad_input(
    reviewed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["report", "--case", str(reviewed)]) == 0
    written = Path(capsys.readouterr().out.strip().rsplit(" to ", 1)[1])
    assert written.parent == reviewed / "reports" and written.suffix == ".html"
    assert main(["report", "--case", str(reviewed), "--threshold", "1.5"]) == 2
    assert "between 0 and 1" in capsys.readouterr().err
    assert main(["report", "--case", str(tmp_path / "nowhere")]) == 2
    assert "no case here" in capsys.readouterr().err


def test_the_installed_command_runs_end_to_end(tmp_path: Path, sandbox: Sandbox) -> None:
    command = Path(sys.executable).parent / "resemble-nb"
    env = {**os.environ, "RESEMBLE_API_KEY": sandbox.api_key}
    done = subprocess.run(
        [str(command), *_detect(sandbox, tmp_path / "case", "--no-progress")],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "7/7 done" in done.stdout
    assert sandbox.api_key not in done.stdout + done.stderr


def test_detect_does_not_import_pandas(tmp_path: Path, sandbox: Sandbox) -> None:
    """``detect`` never builds a frame, so it does not pay for pandas, pyarrow or numpy: a
    review of thousands of files stays small (issue 24)."""
    script = (
        "import sys\n"
        "from resemble_nb.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print('heavy:', sorted(m for m in ('pandas', 'pyarrow', 'matplotlib', 'numpy') "
        "if m in sys.modules))\n"
        "sys.exit(code)\n"
    )
    env = {**os.environ, "RESEMBLE_API_KEY": sandbox.api_key}
    env.pop("RESEMBLE_BASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script, *_detect(sandbox, tmp_path / "case", "--no-progress")],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "7/7 done" in done.stdout
    assert "heavy: []" in done.stdout
