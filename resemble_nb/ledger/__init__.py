"""The case ledger: items, jobs, results, segments, decisions and the hash chain.

The :class:`Ledger` is written once over a store (:mod:`._store`), whose backend keeps
the data: :mod:`.sqlite`, one file per case, today. It must not talk HTTP, render
anything or know keys; the engine writes, the frames/report layers read.
Every state change is committed before the caller's next step, so a killed kernel loses
nothing and never causes a second detect of the same item with the same options.
"""

from __future__ import annotations

from . import errors, records
from ._analysis import AnalysisRecord, ArtifactRecord, FeedbackEntry, QuestionRecord
from ._custody import VOUCHED_SQL, ExhibitRecord, Signature, Signer
from ._decisions import default_reviewer
from ._events import GENESIS, Event, canonical, event_hash
from ._items import recorded_media
from ._lease import LEASE_TTL, CaseBusyError, Holder, Lease
from ._provenance import ProvenanceLike, ProvenanceRecord
from ._results import RESULTS_COLUMNS, RESULTS_TIME_COLUMNS, SEGMENTS_COLUMNS
from ._scrub import scrub, scrub_text
from ._truth import DEFAULT_THRESHOLD, TRUTHS, ThresholdChoice, Truth, TruthLabel
from .errors import *  # noqa: F403 - every ledger error, as errors.__all__ lists them
from .ledger import LEDGER_FILENAME, REPORTS_FOLDER, UPLOADS_FOLDER, Ledger
from .records import *  # noqa: F403 - every record type, as records.__all__ lists them
from .sqlite import MIGRATIONS, Migration, latest_version

__all__ = [
    "DEFAULT_THRESHOLD",
    "GENESIS",
    "LEASE_TTL",
    "LEDGER_FILENAME",
    "MIGRATIONS",
    "REPORTS_FOLDER",
    "RESULTS_COLUMNS",
    "RESULTS_TIME_COLUMNS",
    "SEGMENTS_COLUMNS",
    "TRUTHS",
    "UPLOADS_FOLDER",
    "VOUCHED_SQL",
    "AnalysisRecord",
    "ArtifactRecord",
    "CaseBusyError",
    "Event",
    "ExhibitRecord",
    "FeedbackEntry",
    "Holder",
    "Lease",
    "Ledger",
    "Migration",
    "ProvenanceLike",
    "ProvenanceRecord",
    "QuestionRecord",
    "Signature",
    "Signer",
    "ThresholdChoice",
    "Truth",
    "TruthLabel",
    "canonical",
    "default_reviewer",
    "event_hash",
    "latest_version",
    "recorded_media",
    "scrub",
    "scrub_text",
]
__all__ += errors.__all__
__all__ += records.__all__
