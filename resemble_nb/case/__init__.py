"""The case layer: the :class:`Case` object and its verbs, over every layer below.

A case is a folder (its ledger, browser uploads, reports): ``_base.CaseBase`` holds the
folder, the ledger and finding an item; every verb mixin derives from it, and ``_case``
composes them into :class:`Case` (deciding, renaming, the triage board, the report).
The verbs live in one module each: reviewing (``_review``, its run ``_run``), asking the
service and sending feedback (``_asking``, ``_ask``, ``_feedback``), evidence and ground
truth (``_evidence``), custody (``_custody``: exhibit, bundle, verify, the report's
signed part) and the analysis panel's source (``_analysis``); ``_connect`` picks the
real service or the embedded sandbox. This layer composes: it must not hold logic a
layer below owns (HTTP, SQL, hashing, signing, rendering).

>>> import resemble_nb as rnb
>>> case = rnb.Case("cases/acme")  # doctest: +SKIP
"""

from ._case import CASE_DB, Case
from ._team import TeamError

__all__ = ["CASE_DB", "Case", "TeamError"]
