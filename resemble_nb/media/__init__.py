"""Media intake: find files, recognise them from their content, hash them, plan batches.

No HTTP here. The engine calls :func:`scan` (or :func:`find_media` + :func:`inspect` +
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
from .options import (
    BATCH_FIELD_NAMES,
    BATCH_ONLY_OPTIONS,
    KNOWN_OPTIONS,
    OPTION_ALIASES,
    SINGLE_ONLY_OPTIONS,
    TRANSPORT_OPTIONS,
    DetectOptions,
    batch_fields,
    canonical_options,
    options_key,
    single_fields,
    single_only,
)
from .plan import Route, Strategy, check_strategy, plan_batches, route
from .probe import CHUNK_SIZE, MediaFile, Problem, inspect, sha256_file
from .sniff import Sniff, sniff_data, sniff_stream

__all__ = [
    "ALLOWED_EXTENSIONS",
    "BATCH_FIELD_NAMES",
    "BATCH_MAX_BYTES",
    "BATCH_MAX_FILES",
    "BATCH_ONLY_OPTIONS",
    "CHUNK_SIZE",
    "DIRECT_UPLOAD_MAX_BYTES",
    "FAMILIES",
    "KNOWN_OPTIONS",
    "MAX_FILE_BYTES",
    "MB",
    "OPTION_ALIASES",
    "SINGLE_ONLY_OPTIONS",
    "TRANSPORT_OPTIONS",
    "WATERMARK_MAX_BYTES",
    "ContentFamily",
    "DetectOptions",
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
    "batch_fields",
    "canonical_options",
    "check_strategy",
    "find_media",
    "format_bytes",
    "group_items",
    "inspect",
    "options_key",
    "plan_batches",
    "route",
    "scan",
    "sha256_file",
    "single_fields",
    "single_only",
    "sniff_data",
    "sniff_stream",
]
