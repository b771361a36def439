"""``resemble-nb demo`` (``make demo``): the bundled notebooks, end to end, offline.

Starts the local sandbox, runs ``01_quickstart`` and ``03_report`` headless on the
sample media (the kernel reaches the sandbox through ``RESEMBLE_BASE_URL`` and
``RESEMBLE_API_KEY`` in its environment, never through a cell), and writes under
``out/``:

* ``01_quickstart.ipynb``, ``03_report.ipynb``: the executed notebooks (no widget state);
* ``report.html``: the self-contained report;
* ``demo-case/``: the case folder (its ``case.db`` ledger), reused by both notebooks, so
  the report notebook shows that nothing done is sent twice;
* ``demo.log``: what ran and how long it took.

Before it returns, every file it wrote is scanned for the sandbox key and for media
tokens; a hit makes the demo fail.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

__all__ = ["run_demo", "sample_folder"]

CASE_FOLDER = "demo-case"
REPORT_FILE = "report.html"
LOG_FILE = "demo.log"


def sample_folder() -> Path:
    """The folder of bundled sample media."""
    return Path(__file__).resolve().parents[1] / "samples"  # resemble_nb/samples


def _fresh_case_folder(folder: Path) -> None:
    """Remove the previous demo's case; refuse to touch a folder the demo did not make."""
    if not folder.exists():
        return
    if not (folder / "case.db").is_file():
        raise FileExistsError(
            f"{folder} exists and is not a demo case folder; move it away or pick another --out"
        )
    shutil.rmtree(folder)


def _results_table(case_folder: Path) -> list[str]:
    import pandas as pd

    from ..case import Case

    def text(value: object, fmt: str = "{}") -> str:
        return "-" if pd.isna(value) else fmt.format(value)  # type: ignore[call-overload]

    with Case(case_folder) as case:
        frame = case.results().sort_values("name")
    lines = [f"  {'file':16} {'type':6} {'status':10} {'label':12} {'score':>5}"]
    for row in frame.itertuples():
        lines.append(
            f"  {row.name!s:16} {text(row.media_type):6} {text(row.status):10} "
            f"{text(row.label):12} {text(row.score, '{:.2f}'):>5}"
        )
    return lines


def run_demo(out: str | Path = "build") -> int:
    """Run the demo into ``out``; return the process exit code (0 when all went well)."""
    import nbformat
    from nbclient.exceptions import CellExecutionError

    from ..sandbox import Sandbox
    from ._nbexec import execute_notebook, find_leaks, kernel_env, notebooks_folder

    started = time.monotonic()
    out_dir = Path(out).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    case_folder = out_dir / CASE_FOLDER
    report = out_dir / REPORT_FILE
    log_lines: list[str] = []

    def say(line: str) -> None:
        print(line, flush=True)
        log_lines.append(line)

    try:
        notebooks = notebooks_folder()
        _fresh_case_folder(case_folder)
        report.unlink(missing_ok=True)
    except (FileNotFoundError, FileExistsError) as exc:
        print(f"demo: {exc}")
        return 1

    steps: list[tuple[str, dict[str, object]]] = [
        # secure upload + media token for every file: the documented single-file flow
        ("01_quickstart", {"case_dir": str(case_folder), "strategy": "single"}),
        (
            "03_report",
            {"case_dir": str(case_folder), "output_path": str(report), "threshold": 0.5},
        ),
    ]
    written: list[Path] = []
    say("Starting the local sandbox (synthetic scores; nothing leaves 127.0.0.1)...")
    with Sandbox(port=0, progress="time", latency=1.0) as sandbox:
        env = kernel_env(api_key=sandbox.api_key, base_url=sandbox.base_url)
        say(f"Sandbox API at {sandbox.base_url}")
        for name, parameters in steps:
            t0 = time.monotonic()
            say(f"Running {name}.ipynb ...")
            try:
                nb = execute_notebook(
                    notebooks / f"{name}.ipynb", cwd=notebooks, env=env, parameters=parameters
                )
            except CellExecutionError as exc:
                say(f"demo: {name}.ipynb stopped on {exc.ename}: {exc.evalue}")
                say(f"  (open {notebooks / name}.ipynb in JupyterLab to see the whole error)")
                _write_log(out_dir, log_lines)
                return 1
            target = out_dir / f"{name}.ipynb"
            nbformat.write(nb, target)  # type: ignore[no-untyped-call]
            written.append(target)
            say(f"  done in {time.monotonic() - t0:.1f} s -> {target}")
        secrets = [sandbox.api_key]

    say("")
    say("Results (synthetic: from the sandbox, not Resemble AI):")
    for line in _results_table(case_folder):
        say(line)
    say("")
    wall = time.monotonic() - started
    say(f"Demo finished in {wall:.1f} s. Everything is in {out_dir}:")
    for path in [*written, report, case_folder / "case.db"]:
        say(f"  {path.relative_to(out_dir)}{'' if path.exists() else '  (MISSING)'}")
    say(f"  {LOG_FILE}")
    say("")
    say(f"Open the report in any browser:  {report}")
    say(f"Open the notebooks in JupyterLab:  {_lab_hint(out_dir)}")
    _write_log(out_dir, log_lines)

    leaks = find_leaks([out_dir], secrets)
    if leaks or not report.is_file():
        problem = "\n".join(leaks) if leaks else f"no report at {report}"
        print(f"demo: FAILED the output check:\n{problem}")
        return 1
    return 0


def _write_log(out_dir: Path, lines: list[str]) -> None:
    (out_dir / LOG_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _lab_hint(out_dir: Path) -> str:
    """How to open JupyterLab on ``out_dir``: ``make lab`` when it is under this folder."""
    try:
        inside = out_dir.relative_to(Path.cwd())
    except ValueError:
        return f"jupyter lab --ServerApp.ip=127.0.0.1 --notebook-dir={out_dir}"
    return f"make lab   (then open {inside.as_posix()}/01_quickstart.ipynb)"
