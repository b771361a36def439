"""The case layer: the :class:`Case` object and its verbs, over every layer below.

A case is a folder (its ledger, browser uploads, reports). Its verbs live in one
module each: reviewing (``_review``), asking the service and sending feedback
(``_asking``, ``_ask``, ``_feedback``), evidence and ground truth (``_evidence``), custody
(``_custody``: decide, exhibit, report, bundle, verify) and the analysis panel's source
(``_analysis``); ``_connect`` picks the real service or the embedded sandbox. This layer
composes: logic a layer below owns (HTTP, SQL, hashing, signing, rendering) stays there.

>>> import resemble_nb as rnb
>>> case = rnb.Case("cases/acme")  # doctest: +SKIP
"""

from ._case import CASE_DB, Case

__all__ = ["CASE_DB", "Case"]
