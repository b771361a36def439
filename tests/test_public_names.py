"""``import resemble_nb as rnb``: one list of public names, one error root."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import resemble_nb as rnb

_PLAIN = {"__version__", "plots", "sample_media"}


def _type_checking_names() -> set[str]:
    tree = ast.parse(Path(rnb.__file__).read_text())
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    return {
        alias.asname or alias.name
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_all_the_lazy_map_and_the_type_checking_imports_agree() -> None:
    lazy = set(rnb._LAZY)
    assert set(rnb.__all__) == lazy | _PLAIN
    assert len(rnb.__all__) == len(set(rnb.__all__))
    assert _type_checking_names() == lazy | {"plots"}


@pytest.mark.parametrize("name", sorted(rnb._LAZY))
def test_every_public_name_resolves_from_its_module(name: str) -> None:
    value = getattr(rnb, name)
    assert value is getattr(importlib.import_module(rnb._LAZY[name]), name)


def _package_exceptions() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(rnb.__path__, "resemble_nb."):
        if info.name.startswith("resemble_nb.sandbox") or info.name.endswith("__main__"):
            continue  # the sandbox is a separate server with its own errors, by design
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            where = obj.__module__
            ours = where.startswith("resemble_nb.") and not where.startswith("resemble_nb.sandbox")
            if ours and issubclass(obj, BaseException):
                found[f"{where}.{obj.__qualname__}"] = obj
    return list(found.values())


def test_every_error_of_the_package_derives_from_one_root() -> None:
    errors = _package_exceptions()
    assert len(errors) >= 25
    strays = [e.__qualname__ for e in errors if not issubclass(e, rnb.ResembleError)]
    assert strays == []


def _public_errors() -> set[type[BaseException]]:
    """Errors named in the ``__all__`` of a public module (no ``_`` in its path)."""
    found: set[type[BaseException]] = set()
    for info in pkgutil.walk_packages(rnb.__path__, "resemble_nb."):
        parts = info.name.split(".")[1:]
        if parts[0] == "sandbox" or any(p.startswith("_") for p in parts):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name, None)
            if isinstance(value, type) and issubclass(value, BaseException):
                found.add(value)
    return found


def test_every_public_error_is_reachable_from_rnb_and_drawn_in_the_tree() -> None:
    doc = importlib.import_module(rnb.ResembleError.__module__).__doc__ or ""
    errors = _public_errors()
    assert len(errors) >= 25
    for error in errors:
        assert getattr(rnb, error.__name__) is error, error.__name__
        assert error.__name__ in doc, error.__name__


def test_catching_the_root_catches_ledger_and_report_errors() -> None:
    for error in (rnb.LedgerError, rnb.UnsafeReportError, rnb.FatalAPIError, rnb.WaitTimeoutError):
        assert issubclass(error, rnb.ResembleError)
    assert issubclass(rnb.UnknownOptionError, ValueError)
    assert issubclass(rnb.UnsafeReportError, ValueError)
