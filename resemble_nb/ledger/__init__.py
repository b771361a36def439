"""The case ledger: items, jobs, results, segments, decisions and the hash chain.

The :class:`Ledger` is written once over a store (:mod:`._store`), whose backend keeps
the data: :mod:`.sqlite`, one file per case, today. It must not talk HTTP, render
anything or know keys; the engine writes, the frames/report layers read.
Every state change is committed before the caller's next step, so a killed kernel loses
nothing and never causes a second detect of the same item with the same options.
"""

from __future__ import annotations

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
from .errors import (
    CaseFolderError,
    CaseNameError,
    InvalidTransition,
    LedgerError,
    LedgerVersionError,
    NotALedgerError,
    ReadOnlyLedgerError,
)
from .ledger import LEDGER_FILENAME, REPORTS_FOLDER, UPLOADS_FOLDER, Ledger
from .records import (
    LIVE_STATES,
    PROBLEM_STATES,
    STATES,
    TERMINAL_STATES,
    TRANSITIONS,
    VERDICT_WORDS,
    VERDICTS,
    Decision,
    Item,
    ItemLike,
    ItemPath,
    Job,
    JobSpec,
    JobState,
    Result,
    ResultRecord,
    Rows,
    SegmentKind,
    SegmentRecord,
    SkipLike,
    SkippedFile,
    Source,
    Strategy,
    Track,
    Verdict,
)
from .sqlite import MIGRATIONS, Migration, latest_version

__all__ = [
    "DEFAULT_THRESHOLD",
    "GENESIS",
    "LEASE_TTL",
    "LEDGER_FILENAME",
    "LIVE_STATES",
    "MIGRATIONS",
    "PROBLEM_STATES",
    "REPORTS_FOLDER",
    "RESULTS_COLUMNS",
    "RESULTS_TIME_COLUMNS",
    "SEGMENTS_COLUMNS",
    "STATES",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "TRUTHS",
    "UPLOADS_FOLDER",
    "VERDICTS",
    "VERDICT_WORDS",
    "VOUCHED_SQL",
    "AnalysisRecord",
    "ArtifactRecord",
    "CaseBusyError",
    "CaseFolderError",
    "CaseNameError",
    "Decision",
    "Event",
    "ExhibitRecord",
    "FeedbackEntry",
    "Holder",
    "InvalidTransition",
    "Item",
    "ItemLike",
    "ItemPath",
    "Job",
    "JobSpec",
    "JobState",
    "Lease",
    "Ledger",
    "LedgerError",
    "LedgerVersionError",
    "Migration",
    "NotALedgerError",
    "ProvenanceLike",
    "ProvenanceRecord",
    "QuestionRecord",
    "ReadOnlyLedgerError",
    "Result",
    "ResultRecord",
    "Rows",
    "SegmentKind",
    "SegmentRecord",
    "Signature",
    "Signer",
    "SkipLike",
    "SkippedFile",
    "Source",
    "Strategy",
    "ThresholdChoice",
    "Track",
    "Truth",
    "TruthLabel",
    "Verdict",
    "canonical",
    "default_reviewer",
    "event_hash",
    "latest_version",
    "recorded_media",
    "scrub",
    "scrub_text",
]
