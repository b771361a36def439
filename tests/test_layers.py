"""DESIGN.md's layer table, enforced: every import in the package, read with ``ast``.

Imports only go down the layers (``RANKS``, bottom to top: ``_core``, api, media, ledger,
engine, frames, plots, custody, evaluation, report, widgets, case, cli), never up and
never in a cycle, even between two files of one layer. Nothing but the glue touches the
sandbox, and the sandbox imports nothing of the rest. The package root holds only the
public face and the bottom layer. Imports inside functions and under ``TYPE_CHECKING``
count: they are dependencies too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import resemble_nb

PACKAGE = Path(resemble_nb.__file__).parent

# Rank of each layer: a module may import its own layer or a lower rank.
RANKS = {
    "_core": -1,  # the error root, escaping for display, secret patterns: stdlib only
    "api": 0,
    "media": 1,
    "ledger": 2,
    "engine": 3,
    "frames": 4,
    "plots": 5,
    "custody": 6,
    "evaluation": 7,
    "report": 8,
    "widgets": 9,
    "case": 10,
    "cli": 11,
}
GLUE = 12
"""The package's ``__init__``: the public face, over every layer."""
SANDBOX = "sandbox"
MAY_USE_SANDBOX = {"resemble_nb.case._connect", "resemble_nb.cli._demo", "resemble_nb.cli._main"}

# Third-party modules a layer must not import (DESIGN.md's "must not" column).
_HTTP = {"httpx", "h11", "httpcore"}
_RENDER = {"ipywidgets", "anywidget", "IPython", "matplotlib", "jinja2"}
FORBIDDEN = {
    "api": {"pandas", "ipywidgets", "anywidget", "matplotlib", "jinja2", "sqlite3"},
    "media": _HTTP | _RENDER,
    "ledger": _HTTP | _RENDER,
    "engine": {"ipywidgets", "anywidget", "IPython", "matplotlib", "jinja2"},
    "frames": _HTTP,
    "plots": _HTTP,
    "report": _HTTP,
    "custody": _HTTP,
    "evaluation": _HTTP,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, absolute module name)`` for every import in the file."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if node.module is None or target == "resemble_nb":  # x may be a module
                for alias in node.names:
                    yield node.lineno, f"{target}.{alias.name}"
            else:
                yield node.lineno, target


def _layer(module: str) -> str:
    """``resemble_nb.engine._state`` -> ``engine``; the package itself -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _rank(layer: str) -> int:
    return RANKS.get(layer, GLUE)


def _files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _violations() -> list[str]:
    found = []
    for path in _files():
        here = _layer(_module_name(path))
        where = path.relative_to(PACKAGE.parent)
        for line, target in _imports(path):
            top = target.split(".")[0]
            if top != "resemble_nb":
                if top in FORBIDDEN.get(here, set()):
                    found.append(f"{where}:{line}: {here} must not import {target}")
                continue
            there = _layer(target)
            if there == here:
                continue
            if here == SANDBOX:
                found.append(f"{where}:{line}: the sandbox imports {target}")
            elif there == SANDBOX:
                if _module_name(path) not in MAY_USE_SANDBOX:
                    found.append(f"{where}:{line}: {here} reaches sideways into {target}")
            elif _rank(there) > _rank(here):
                found.append(f"{where}:{line}: {here} reaches up into {target}")
    return found


def test_imports_only_go_down_the_layers() -> None:
    assert _violations() == []


def test_the_checker_reads_every_kind_of_import() -> None:
    """The rule would pass vacuously if the walk missed imports: check it sees known ones."""
    seen = {
        (_layer(_module_name(p)), _layer(t))
        for p in _files()
        for _, t in _imports(p)
        if t.startswith("resemble_nb")
    }
    assert ("engine", "api") in seen  # from ..api import ...
    assert ("engine", "ledger") in seen
    assert ("widgets", "engine") in seen
    assert ("case", "engine") in seen  # a lazy import inside a function
    assert ("case", "sandbox") in seen


@pytest.mark.parametrize(
    ("layer", "target", "allowed"),
    [
        ("engine", "resemble_nb.frames", False),
        ("engine", "resemble_nb.widgets._board_render", False),
        ("api", "resemble_nb.media", False),
        ("widgets", "resemble_nb.engine", True),
        ("report", "resemble_nb.plots", True),
        ("ledger", "resemble_nb.api", True),
    ],
)
def test_the_rank_rule(layer: str, target: str, allowed: bool) -> None:
    assert (_rank(_layer(target)) <= _rank(layer)) is allowed


# -- cycles ---------------------------------------------------------------------------------


def _import_graph() -> dict[str, set[str]]:
    """File -> the files it imports (``a.b.c`` names the deepest module that exists)."""
    modules = {_module_name(path): path for path in _files()}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for _, target in _imports(path):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one file (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_file_imports_itself_back_through_others() -> None:
    """The file-level import graph of ``resemble_nb/`` has no cycle (lazy imports count)."""
    graph = _import_graph()
    assert len(graph) > 100  # the walk saw the package
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": {"e"}, "e": {"d"}, "f": {"a"}}
    assert sorted(_cycles(graph)) == [["a", "b", "c"], ["d", "e"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


# -- the package root -----------------------------------------------------------------------

BOTTOM = {"_core"}
"""The private names the package root may hold: the bottom layer every layer shares."""


def test_the_package_root_is_the_public_face_and_the_layers() -> None:
    private = {
        path.stem if path.is_file() else path.name
        for path in PACKAGE.iterdir()
        if path.name.startswith("_")
        and path.name not in {"__init__.py", "__pycache__"}
        and (path.suffix == ".py" or (path.is_dir() and any(path.glob("*.py"))))
    }
    assert private <= BOTTOM, f"private modules at the package root: {sorted(private - BOTTOM)}"
    assert len(private) <= 3


# -- the architecture document ----------------------------------------------------------------

ARCHITECTURE = PACKAGE.parent / "ARCHITECTURE.md"


def _documented_layers() -> list[str]:
    """The layers named in ARCHITECTURE.md's table, top row first (bottom layer first)."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [row.split("`")[1].rstrip("/") for row in rows]


def _layer_folders() -> set[str]:
    return {p.parent.name for p in PACKAGE.glob("*/__init__.py")}


def test_the_architecture_table_is_the_tree() -> None:
    """Every layer the table names is a folder of resemble_nb/, and every folder is named
    (the sandbox beside them), in the order the import rule ranks them."""
    documented = _documented_layers()
    assert len(documented) == len(set(documented))
    assert set(documented) | {SANDBOX} == _layer_folders()
    assert documented == sorted(RANKS, key=RANKS.__getitem__)


def test_every_layer_says_what_it_owns_and_must_not_do() -> None:
    for folder in sorted(_layer_folders()):
        doc = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text())) or ""
        assert "must not" in doc, f"resemble_nb/{folder}/__init__.py: say what it must not do"
