"""The bundled notebooks: executed by nbval against the sandbox, and kept clean on disk.

nbval runs in a child pytest so that its kernel gets a controlled environment: no
``RESEMBLE_API_KEY``/``RESEMBLE_BASE_URL`` (the notebooks then use their embedded
sandbox, whose scores are deterministic per file content, so the cells marked
tagged ``nbval-check-output`` must match what is stored) and ``TMPDIR`` inside this test's
``tmp_path`` (the cases the notebooks create disappear with it).

The static checks make sure those comparisons happen at all: a cell without stored
outputs or execution count is silently not compared by nbval.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
NAMES = (
    "01_quickstart",
    "02_batch_triage",
    "03_report",
    "04_evaluation",
    "05_ask_and_feedback",
    "06_team_review",
)
MAX_BYTES = 60_000
SECRET_PATTERN = re.compile(
    r"sandbox_[0-9a-f]{32}|Bearer\s+\S{8,}|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\."
)
SANDBOX_NOTICE = "RESEMBLE_API_KEY is not set: using the local sandbox"

pytestmark = pytest.mark.notebooks


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    return data


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _checked(cell: dict[str, Any]) -> bool:
    """nbval compares this cell's output (its tag; never a comment a reader sees)."""
    return "nbval-check-output" in cell.get("metadata", {}).get("tags", [])


def _code_cells(nb: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _text_of(output: dict[str, Any]) -> str:
    if output["output_type"] == "stream":
        text = output["text"]
    else:
        text = output.get("data", {}).get("text/plain", "")
    return "".join(text) if isinstance(text, list) else str(text)


def _child_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESEMBLE_")}
    env["TMPDIR"] = str(tmp_path)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


def run_nbval(notebook: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``pytest --nbval-lax`` on one notebook, as ``make test`` would, in a child process."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "--nbval-lax",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        str(SANITIZE),
        "--nbval-cell-timeout=120",
        str(notebook),
    ]
    return subprocess.run(
        command,
        cwd=ROOT,
        env=_child_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=400,
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_and_matches_its_stored_outputs(name: str, tmp_path: Path) -> None:
    result = run_nbval(NOTEBOOKS / f"{name}.ipynb", tmp_path)
    assert result.returncode == 0, f"nbval failed on {name}:\n{result.stdout[-6000:]}"
    checked = sum(_checked(c) for c in _code_cells(_load(name)))
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed is not None and int(passed.group(1)) == len(_code_cells(_load(name)))
    assert checked >= 2


@pytest.mark.slow
def test_a_changed_output_is_caught(tmp_path: Path) -> None:
    """The comparison is real: a stored label table that disagrees with the sandbox fails."""
    nb = _load("01_quickstart")
    for cell in _code_cells(nb):
        if "case.results()" in _source(cell) and _checked(cell):
            data = cell["outputs"][0]["data"]
            text = "".join(data["text/plain"])
            data["text/plain"] = text.replace("0.96", "0.42")
            break
    else:  # pragma: no cover - the notebook lost its label table
        pytest.fail("01_quickstart has no checked label table")
    copy = tmp_path / "copy" / "01_quickstart.ipynb"
    copy.parent.mkdir()
    copy.write_text(json.dumps(nb), encoding="utf-8")
    result = run_nbval(copy, tmp_path)
    assert result.returncode != 0
    assert "0.42" in result.stdout


@pytest.mark.parametrize("name", NAMES)
def test_stored_notebook_is_clean_small_and_compared(name: str) -> None:
    path = NOTEBOOKS / f"{name}.ipynb"
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    assert len(text.encode()) < MAX_BYTES, f"{path.name} is {len(text.encode())} bytes"
    assert "widgets" not in nb["metadata"], "saved widget state"
    assert SECRET_PATTERN.search(text) is None, "something shaped like a key or token"
    cells = _code_cells(nb)
    for cell in cells:
        assert cell["execution_count"] is not None, f"unexecuted cell: {_source(cell)[:60]}"
        for output in cell["outputs"]:
            assert not {"image/png", "image/jpeg"} & set(output.get("data", {})), "big image"
        if _checked(cell):
            assert cell["outputs"], f"checked cell without stored output: {_source(cell)[:60]}"
    # which service this machine used is said when run, never stored
    assert not any(SANDBOX_NOTICE in _text_of(o) for c in cells for o in c["outputs"])


#: Folders of the machine that saved a notebook (POSIX, macOS and Windows spellings).
MACHINE_PATH = re.compile(
    r"(?<![\w.])(/tmp|/var/folders|/private/var|/work|/root|/home|/Users|[A-Z]:\\)"
)
#: Outputs stale by construction: a widget's first snapshot, a figure's bare repr.
STALE_OUTPUT = re.compile(r"100% 0/0|<_NotebookFigure|<Figure size| 0/0 —")


@pytest.mark.parametrize("name", NAMES)
def test_stored_outputs_are_right_on_any_machine(name: str) -> None:
    """No path of the saving machine, no stale board or figure repr in what is stored."""
    for cell in _code_cells(_load(name)):
        for output in cell["outputs"]:
            text = _text_of(output)
            assert MACHINE_PATH.search(text) is None, (name, _source(cell)[:60], text[:200])
            assert STALE_OUTPUT.search(text) is None, (name, _source(cell)[:60], text[:200])
            data = output.get("data", {})
            # no widget state is stored, so no view that would need it ("model not found")
            assert "application/vnd.jupyter.widget-view+json" not in data, (
                name, "a widget view without its state", _source(cell)[:60]
            )


def test_machine_path_check_would_catch_them() -> None:
    for text in (
        "Case('x', 0 items) at /tmp/rnb-triage-rzijbz3f",
        "FilePicker: /work/main/resemble_nb/samples — 6 files",
        "saved into /home/ana/cases/uploads",
        "/Users/ana/x.wav",
        "C:\\Users\\ana\\x.wav",
    ):
        assert MACHINE_PATH.search(text), text
    for text in ("…/resemble_nb/samples", "$TMPDIR/rnb-triage-x/uploads", "~/cases", "a/tmp"):
        assert MACHINE_PATH.search(text) is None, text


def test_batch_triage_says_its_default_and_offers_late_uploads() -> None:
    nb = _load("02_batch_triage")
    markdown = " ".join(_source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "Run All reviews an explicit default" in markdown
    assert "uploaded after the review started" in markdown
    outputs = " ".join(_text_of(o) for c in _code_cells(nb) for o in c["outputs"])
    assert "Reviewing by default: all 6 media files in MEDIA_DIR (samples/)" in outputs
    assert "No uploads waiting for review." in outputs
    late = next(c for c in _code_cells(nb) if "uploads.not_reviewed" in _source(c))
    assert _checked(late) and "case.review(late" in _source(late)


@pytest.mark.parametrize("name", ["01_quickstart", "03_report"])
def test_parameters_cell_for_papermill(name: str) -> None:
    nb = _load(name)
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    assert "case_dir = None" in _source(tagged[0])


def test_notebooks_use_no_relative_paths() -> None:
    """They must run from the repository root and from notebooks/ alike."""
    for name in NAMES:
        for cell in _code_cells(_load(name)):
            source = _source(cell)
            assert "../" not in source and '"notebooks/' not in source, (name, source)


@pytest.mark.slow
def test_papermill_runs_the_report_notebook_with_parameters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import papermill

    for name in [k for k in os.environ if k.startswith("RESEMBLE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    report = tmp_path / "out" / "acme.html"
    papermill.execute_notebook(
        str(NOTEBOOKS / "03_report.ipynb"),
        str(tmp_path / "executed.ipynb"),
        parameters={
            "case_dir": str(tmp_path / "acme"),
            "output_path": str(report),
            "threshold": 0.9,
        },
        kernel_name="python3",
        progress_bar=False,
    )
    assert report.is_file() and (tmp_path / "acme" / "case.db").is_file()
    executed = json.loads((tmp_path / "executed.ipynb").read_text(encoding="utf-8"))
    flagged = next(
        _text_of(o)
        for c in _code_cells(executed)
        if "flagged = " in _source(c)
        for o in c["outputs"]
    )
    assert "interview.mp4" in flagged and "street.jpg" in flagged  # 0.96 and 0.91
    assert "voicemail.mp3" not in flagged  # 0.79: under the 0.9 given to papermill


@pytest.mark.parametrize("name", NAMES)
def test_no_test_only_comment_is_shown_to_readers(name: str) -> None:
    """nbval's markers are cell tags; a reader never sees NBVAL_... in the code."""
    for cell in _code_cells(_load(name)):
        assert "NBVAL" not in _source(cell), (name, _source(cell)[:60])


def test_the_quickstart_picks_its_media_in_the_file_picker() -> None:
    cells = _code_cells(_load("01_quickstart"))
    picker = next(c for c in cells if "rnb.FilePicker(" in _source(c))
    review = next(c for c in cells if "case.review(" in _source(c))
    assert cells.index(picker) < cells.index(review)
    assert "picker.selected" in _source(review)


def test_the_report_notebook_prints_the_whole_path() -> None:
    cell = next(c for c in _code_cells(_load("03_report")) if "Report written:" in _source(c))
    assert 'Report written: {report} (' in _source(cell)
