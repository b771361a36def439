"""The documented size and count caps of the Detect API, in one place.

Megabytes are decimal, as the docs write them: 1 MB is 1,000,000 bytes (contract §3.1,
§4.4). Everything else in the package (media planning, the engine, the upload checks)
reads these; the sandbox keeps its own copy, written from the contract, and a test
checks that the two agree.

>>> MAX_DIRECT_UPLOAD_BYTES // MB, MAX_BATCH_BYTES // MB, MAX_BATCH_FILES
(150, 500, 50)
"""

from __future__ import annotations

__all__ = [
    "MAX_BATCH_BYTES",
    "MAX_BATCH_FILES",
    "MAX_DIRECT_UPLOAD_BYTES",
    "MAX_WATERMARK_BYTES",
    "MB",
]

MB = 1_000_000
"""One megabyte as the API documents its caps (decimal)."""

MAX_DIRECT_UPLOAD_BYTES = 150 * MB
"""Direct multipart upload cap of ``POST /detect`` (also assumed per file of a batch)."""
MAX_BATCH_FILES = 50
"""Files in one ``POST /detect/batch``."""
MAX_BATCH_BYTES = 500 * MB
"""Total size of one ``POST /detect/batch``."""
MAX_WATERMARK_BYTES = 200 * MB
"""Source limit with ``detect_watermark`` on (spec-B)."""
