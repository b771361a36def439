"""Exporting a case's results table: CSV, Parquet or JSON, chosen by the file suffix.

>>> export_results(case.results(), "acme.csv")           # doctest: +SKIP
PosixPath('acme.csv')
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from .._core.output import check_output, write_atomically, writing
from .._core.visible import escape_name

__all__ = ["cell_text", "export_results"]


def cell_text(value: Any) -> str:
    """A frame cell as text: ``""`` for a missing value (``None``, NaN, NA, NaT)."""
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return ""
    return str(value)


def export_results(results: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write the results table to ``path``: ``.csv``, ``.parquet`` or ``.json`` by suffix.

    CSV joins each item's ``paths`` with ``"; "``, shows characters that could disguise
    a name (direction overrides, newlines, controls) as visible escapes like ``\\u202e``
    and ``\\n``, and guards cells that a spreadsheet would run as a formula (a leading
    ``= + - @`` gets a ``'``); JSON keeps lists and writes ISO-8601 times; Parquet keeps
    every dtype (needs ``pyarrow``).
    """
    target = check_output(path)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".parquet", ".json"):
        raise ValueError(
            f"cannot export results to {target}: unknown suffix {target.suffix!r} "
            "(use .csv, .parquet or .json)"
        )
    if suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError as exc:
            raise ValueError(
                f"cannot export results to {target}: Parquet needs pyarrow "
                "(pip install 'resemble_nb[parquet]')"
            ) from exc
        with writing(target) as tmp:
            results.to_parquet(tmp, index=False)
    elif suffix == ".json":
        write_atomically(target, results.to_json(orient="records", date_format="iso", indent=2))
    else:
        write_atomically(target, _for_spreadsheet(results).to_csv(index=False))
    return target


def _for_spreadsheet(results: pd.DataFrame) -> pd.DataFrame:
    table: pd.DataFrame = results.copy()
    for column in table.columns:
        series = table[column]
        is_list = [isinstance(v, list | tuple) for v in series]
        if any(is_list):
            table[column] = [
                "; ".join(escape_name(str(p)) for p in v) if listed else cell_text(v)
                for v, listed in zip(series, is_list, strict=True)
            ]
        elif str(series.dtype) in ("string", "object", "str"):
            table[column] = [escape_name(v) if isinstance(v, str) else v for v in series]
        if str(table[column].dtype) in ("string", "object", "str"):
            table[column] = table[column].map(_defuse)
    return table


def _defuse(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
