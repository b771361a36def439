"""A team's case store: one PostgreSQL schema per case, shared by every reviewer.

A case URL ``postgresql://USER@HOST:PORT/DB?case=NAME`` opens (or creates) the schema
``rnb_NAME`` (:mod:`._url`). It implements :class:`resemble_nb.ledger._store.Store` beside
:mod:`resemble_nb.ledger.sqlite`: the table modules' SQL is translated in one place
(:mod:`._dialect`), the tables and triggers are derived from SQLite's schema
(:mod:`._schema`), writers queue on the case's advisory lock and the chain is sealed
under it (:mod:`._store`, :mod:`._chain`). Needs the ``postgresql`` extra (psycopg 3).
"""

from ._url import CaseURL, is_case_url, parse_case_url

__all__ = ["CaseURL", "is_case_url", "parse_case_url"]
