"""Media intake: find files, recognise them from their content, hash them, plan batches.

It must not talk HTTP. The engine calls :func:`scan` (or :func:`find_media` + :func:`inspect` +
:func:`group_items`), then :func:`route` and :func:`plan_batches`::

    >>> from resemble_nb import media
    >>> found = media.scan(["evidence/"])  # doctest: +SKIP
    >>> routes = {i.sha256: media.route(i, {"intelligence": True}) for i in found.items}
    >>> batches = media.plan_batches([i for i in found.items  # doctest: +SKIP
    ...                               if routes[i.sha256].strategy == "batch"])
"""

from __future__ import annotations

from .find import Include, MediaCandidate, find_media
from .items import MediaItem, Scan, group_items, scan
from .limits import (
    ALLOWED_EXTENSIONS,
    BATCH_MAX_BYTES,
    BATCH_MAX_FILES,
    DIRECT_UPLOAD_MAX_BYTES,
    FAMILIES,
    MAX_FILE_BYTES,
    MB,
    WATERMARK_MAX_BYTES,
    ContentFamily,
    MediaType,
    format_bytes,
)
from .plan import Route, Strategy, check_strategy, plan_batches, route
from .probe import CHUNK_SIZE, MediaFile, Problem, inspect, sha256_file
from .sniff import Sniff, sniff_data, sniff_stream

__all__ = [
    "ALLOWED_EXTENSIONS",
    "BATCH_MAX_BYTES",
    "BATCH_MAX_FILES",
    "CHUNK_SIZE",
    "DIRECT_UPLOAD_MAX_BYTES",
    "FAMILIES",
    "MAX_FILE_BYTES",
    "MB",
    "WATERMARK_MAX_BYTES",
    "ContentFamily",
    "Include",
    "MediaCandidate",
    "MediaFile",
    "MediaItem",
    "MediaType",
    "Problem",
    "Route",
    "Scan",
    "Sniff",
    "Strategy",
    "check_strategy",
    "find_media",
    "format_bytes",
    "group_items",
    "inspect",
    "plan_batches",
    "route",
    "scan",
    "sha256_file",
    "sniff_data",
    "sniff_stream",
]
