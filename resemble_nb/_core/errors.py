"""The root of every error resemble_nb raises (a leaf module: any layer may import it).

``except rnb.ResembleError`` catches every error of the package, whichever layer raised
it. The tree (each name is reachable as ``rnb.<Name>``)::

    ResembleError
    ├── MissingAPIKeyError              no key given and RESEMBLE_API_KEY unset
    ├── InvalidAPIKeyError (ValueError) a key with a space, control or non-ASCII character
    ├── UnknownOptionError (ValueError) a detect option neither endpoint documents
    ├── FileRejectedError (ValueError)  a file that cannot be sent (empty, over a size cap...)
    ├── BatchLimitError (ValueError)    a batch over 50 files / 500 MB, refused before sending
    ├── UnexpectedResponseError         a success status without the documented JSON
    ├── WaitTimeoutError (TimeoutError) wait_for() ran out of time (.last)
    ├── APIStatusError                  the server answered with an error status
    │   ├── BadRequestError             400
    │   ├── AuthenticationError         401
    │   ├── PaymentRequiredError        402  (.error_code, .details)
    │   ├── PermissionDeniedError       403
    │   ├── NotFoundError               404
    │   ├── UnprocessableEntityError    422
    │   ├── RateLimitError              429  (.retry_after)
    │   └── InternalServerError         5xx
    ├── APIConnectionError              no usable answer (connection refused, reset...)
    │   ├── APITimeoutError             the request timed out
    │   └── OutcomeUnknownError         a create may have reached the server: look it up
    ├── FatalAPIError                   a review stopped: the API refuses the account itself
    ├── LedgerError                     the case ledger (case.db) is unusable or misused
    │   ├── CaseFolderError (NotADirectoryError) the case folder is a file or cannot be made
    │   ├── CaseNameError (ValueError)  the case is opened under a name it does not have
    │   ├── NotALedgerError             the file is not a resemble_nb ledger (or is damaged)
    │   ├── ReadOnlyLedgerError         the case cannot be written (it can still be read)
    │   ├── LedgerVersionError          written by a newer resemble_nb
    │   ├── CaseBusyError               another process is reviewing the case (.holder)
    │   └── InvalidTransition           a job cannot move to that state from where it is
    ├── CustodyError                    a custody record cannot be made (key, exhibit, bundle)
    │   ├── KeyFolderError              the reviewers' key folder cannot be made or used
    │   └── NotVerifiableError          verify was given something that is not a case,
    │                                   report or bundle
    ├── EvaluationError (ValueError)    labels or an evaluation request cannot be used
    ├── TeamError (ValueError)          a team review request cannot be met (deal, verdict)
    └── UnsafeReportError (ValueError)  a report would carry a secret; nothing was written

Every API error (:class:`APIStatusError`, :class:`APIConnectionError`) also says
whether the request may have been carried out (``may_have_been_applied``) and whether
sending it again is safe (``retry_safe``).
"""

from __future__ import annotations

__all__ = ["ResembleError"]


class ResembleError(Exception):
    """Base class of every error raised by resemble_nb (see the tree in this module)."""
