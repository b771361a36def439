"""Running the bundled notebooks headless and keeping what they leave behind clean.

Used by ``resemble-nb demo`` and ``scripts/refresh_notebooks.py``:

>>> nb = execute_notebook(notebooks_folder() / "01_quickstart.ipynb",
...                       parameters={"case_dir": "build/case"})   # doctest: +SKIP

* The kernel gets an environment built by :func:`kernel_env`: ``RESEMBLE_API_KEY`` and
  ``RESEMBLE_BASE_URL`` only when given, so a key in the caller's shell never reaches a
  notebook by accident.
* Widget state is never stored (``store_widget_state=False``) and
  :func:`clean_notebook` drops what a saved notebook does not need (``metadata.widgets``,
  timings), so no widget value ends up on disk. Without state a widget's view cannot be
  drawn again ("model not found" when the notebook is reopened), so each widget output
  keeps only its text form, which says what the widget showed.
* :func:`find_leaks` scans files for given secrets and for anything shaped like a
  media token (a JWT).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from resemble_nb._core.secrets import JWT_BYTES, find_secrets

#: A widget's view in an output: drawable only with the widget state, never stored.
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

__all__ = [
    "JWT_PATTERN",
    "WIDGET_VIEW",
    "clean_notebook",
    "execute_notebook",
    "find_leaks",
    "inject_parameters",
    "kernel_env",
    "notebooks_folder",
]

#: A JSON Web Token (media tokens are JWTs): the one shape, from ``_core.secrets``.
JWT_PATTERN = JWT_BYTES
_SECRET_ENV = ("RESEMBLE_API_KEY", "RESEMBLE_BASE_URL")
_CELL_METADATA_DROPPED = ("execution", "ExecuteTime", "collapsed", "scrolled", "papermill")


def notebooks_folder() -> Path:
    """The repository's ``notebooks/`` folder (beside the package in a checkout).

    Raises:
        FileNotFoundError: The package is installed without its repository.
    """
    here = Path(__file__).resolve().parents[2] / "notebooks"  # beside resemble_nb/
    if (here / "01_quickstart.ipynb").is_file():
        return here
    cwd = Path.cwd() / "notebooks"
    if (cwd / "01_quickstart.ipynb").is_file():
        return cwd
    raise FileNotFoundError(
        f"the bundled notebooks were not found in {here} or {cwd}: run this from a "
        "checkout of the resemble_nb repository"
    )


def kernel_env(*, api_key: str | None = None, base_url: str | None = None) -> dict[str, str]:
    """This process's environment for a kernel, with the API settings given here only."""
    env = {k: v for k, v in os.environ.items() if k not in _SECRET_ENV}
    if api_key is not None:
        env["RESEMBLE_API_KEY"] = api_key
    if base_url is not None:
        env["RESEMBLE_BASE_URL"] = base_url
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiet debugpy start-up notes
    return env


def inject_parameters(nb: Any, parameters: Mapping[str, Any]) -> Any:
    """Add papermill's ``injected-parameters`` cell after the ``parameters`` cell.

    Same convention as papermill, so the notebook stays runnable by papermill too.

    Raises:
        ValueError: The notebook has no cell tagged ``parameters``.
    """
    import nbformat

    if not parameters:
        return nb
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    if not tagged:
        raise ValueError("the notebook has no cell tagged 'parameters'")
    source = "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in parameters.items())
    cell = nbformat.v4.new_code_cell(source.rstrip("\n"))  # type: ignore[no-untyped-call]
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells = [
        c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])
    ]  # a second run replaces, not stacks
    nb.cells.insert(tagged[0] + 1, cell)
    return nb


def clean_notebook(nb: Any) -> Any:
    """Drop widget state (and so the widget views that would need it), papermill records
    and timings; keep outputs (a widget's as its text) and counts."""
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        for key in _CELL_METADATA_DROPPED:
            cell.metadata.pop(key, None)
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
    return nb


def execute_notebook(
    source: str | os.PathLike[str],
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    parameters: Mapping[str, Any] | None = None,
    timeout: float = 600,
) -> Any:
    """Execute a notebook headless and return it, cleaned (widget state never stored).

    Args:
        source: The ``.ipynb`` file.
        cwd: The kernel's working folder (default: the notebook's folder).
        env: The kernel's environment (default: :func:`kernel_env` with no API settings,
            so the notebook uses its embedded sandbox).
        parameters: Values for the cell tagged ``parameters`` (papermill style).
        timeout: Seconds one cell may take.

    Raises:
        nbclient.exceptions.CellExecutionError: A cell raised; the message names it.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(source)
    nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    if parameters:
        inject_parameters(nb, parameters)
    client = NotebookClient(
        nb,
        timeout=int(timeout),
        kernel_name="python3",
        store_widget_state=False,
        extra_arguments=["--log-level=ERROR"],  # no "TCP without encryption" banner
        resources={"metadata": {"path": str(Path(cwd) if cwd is not None else path.parent)}},
    )
    client.execute(env=dict(env) if env is not None else kernel_env())
    return clean_notebook(nb)


def find_leaks(paths: Iterable[Path], secrets: Iterable[str]) -> list[str]:
    """Every file (walking folders) holding a secret or a JWT, as ``path: what`` lines.

    The demo's output holds only the bundled samples, so here even a token's shape is a
    leak (unlike a case's report or bundle, where evidence may look like one). The
    secrets themselves are never part of the answer.
    """
    needles = [(s.encode(), f"secret #{i + 1}") for i, s in enumerate(secrets) if s]
    hits: list[str] = []
    for root in paths:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for file in files:
            data = file.read_bytes()
            hits += [f"{file}: {what}" for needle, what in needles if needle in data]
            hits += [f"{file}: {what}" for what in find_secrets(data)]
            if JWT_PATTERN.search(data):
                hits.append(f"{file}: a JWT (media token)")
    return hits
