"""The one place SQLite's SQL becomes PostgreSQL's: what the table modules write, as run.

The table modules speak plain SQL with ``?`` (or ``:name``) placeholders and a few
SQLite idioms; :func:`translate` turns one statement into PostgreSQL's text once (cached)
and says which column an ``INSERT`` must return to give ``lastrowid``. String literals
are never touched. What it knows:

- ``?`` -> ``%s``; ``:name`` -> ``%(name)s``; a literal ``%`` -> ``%%``;
- ``json_extract(col, '$.key') = ?`` -> ``(col::jsonb ->> 'key') = CAST(%s AS TEXT)``
  (the expression the PostgreSQL index on a decision's event is built on);
- ``group_concat(x, sep)`` -> ``string_agg(x, sep)``; ``char(10)`` -> ``chr(10)``;
- ``zeroblob(n)`` -> ``n`` zero bytes (``decode(repeat('00', n), 'hex')``);
- ``CASE WHEN x.in_case THEN`` (an integer flag used as a truth value) -> ``<> 0``;
- a subquery in ``FROM`` without a name gets one;
- ``x IS NOT y`` / ``x IS y`` between values -> ``IS [NOT] DISTINCT FROM``;
- ``INSERT INTO t`` of a table with an integer key gains ``RETURNING`` that key.
"""

from __future__ import annotations

import re
from functools import lru_cache

import psycopg

__all__ = ["INTEGER_KEYS", "sqlite_words", "translate"]

INTEGER_KEYS: dict[str, str] = {
    "events": "seq",
    "jobs": "id",
    "decisions": "id",
    "truth_labels": "id",
    "thresholds": "id",
    "questions": "id",
    "feedback": "id",
    "exhibits": "id",
    "provenance": "id",
}
"""Tables whose rows are numbered by an integer key the ledger reads back (lastrowid)."""

_LITERAL = re.compile(r"('(?:[^']|'')*')")
_JSON_EQ = re.compile(r"json_extract\((\w+(?:\.\w+)?),\s*%s\$\.(\w+)%s\)\s*=\s*\?")
_JSON = re.compile(r"json_extract\((\w+(?:\.\w+)?),\s*%s\$\.(\w+)%s\)")
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
_IS_NOT = re.compile(r"\bIS\s+NOT\s+(?!NULL\b|DISTINCT\b)", re.IGNORECASE)
_IS = re.compile(r"\bIS\s+(?!NOT\b|NULL\b|DISTINCT\b)", re.IGNORECASE)
_UNNAMED = re.compile(r"(\bFROM \(SELECT [^()]*\))(\s*\))")  # PostgreSQL names every subquery
_ZEROBLOB = re.compile(r"\bzeroblob\(([^()]*)\)", re.IGNORECASE)
_FLAG = re.compile(r"\bWHEN\s+((?:\w+\.)?in_case)\s+THEN\b", re.IGNORECASE)


@lru_cache(maxsize=1024)
def translate(sql: str) -> tuple[str, str | None]:
    """``(postgresql_sql, returning)``: the statement as PostgreSQL runs it, and the key
    column it returns when it is an ``INSERT`` that SQLite would give a ``lastrowid``."""
    pieces = _LITERAL.split(sql)  # odd pieces are string literals, kept as they are
    literals = [pieces[i] for i in range(1, len(pieces), 2)]
    # stand-in marks for literals, so code rewrites never see inside them
    code = "".join(piece if i % 2 == 0 else f"\x00{i // 2}\x00" for i, piece in enumerate(pieces))
    code = code.replace("%", "%%")
    code = re.sub(r"\x00(\d+)\x00", lambda m: _mark(literals, int(m.group(1))), code)
    code = _JSON_EQ.sub(r"(\1::jsonb ->> '\2') = CAST(? AS TEXT)", code)
    code = _JSON.sub(r"(\1::jsonb ->> '\2')", code)
    code = re.sub(r"\bgroup_concat\(", "string_agg(", code, flags=re.IGNORECASE)
    code = re.sub(r"\bchar\(10\)", "chr(10)", code, flags=re.IGNORECASE)
    code = _ZEROBLOB.sub(r"decode(repeat('00', CAST(\1 AS INTEGER)), 'hex')", code)
    code = _FLAG.sub(r"WHEN \1 <> 0 THEN", code)
    code = _UNNAMED.sub(r"\1 AS unnamed\2", code)
    code = _IS_NOT.sub("IS DISTINCT FROM ", code)
    code = _IS.sub("IS NOT DISTINCT FROM ", code)
    code = code.replace("?", "%s")
    code = _NAMED.sub(r"%(\1)s", code)
    code = re.sub(r"\x01(\d+)\x01", lambda m: literals[int(m.group(1))].replace("%", "%%"), code)
    returning = None
    insert = _INSERT.match(code)
    if insert and "RETURNING" not in code.upper():
        returning = INTEGER_KEYS.get(insert.group(1).lower())
        if returning is not None:
            code = f"{code.rstrip().rstrip(';')} RETURNING {returning}"
    return code, returning


def _mark(literals: list[str], index: int) -> str:
    """A literal's stand-in; ``'$.key'`` literals are inlined for the json rewrite."""
    text = literals[index]
    if text.startswith("'$."):
        return "%s" + text[1:-1] + "%s"
    return f"\x01{index}\x01"


_WORDS: dict[type[Exception], str] = {
    psycopg.errors.UniqueViolation: "UNIQUE constraint failed",
    psycopg.errors.ForeignKeyViolation: "FOREIGN KEY constraint failed",
    psycopg.errors.CheckViolation: "CHECK constraint failed",
    psycopg.errors.NotNullViolation: "NOT NULL constraint failed",
}


def sqlite_words(exc: psycopg.IntegrityError) -> psycopg.IntegrityError:
    """A broken constraint in the words SQLite uses (the ledger reads which one it was);
    the refusals our triggers raise keep their own words."""
    for kind, words in _WORDS.items():
        if isinstance(exc, kind):
            detail = (exc.diag.constraint_name or "").strip()
            return type(exc)(f"{words}: {detail} ({str(exc).splitlines()[0]})")
    return exc
