"""Detect options: the one table of ``POST /detect`` and ``POST /detect/batch`` options.

Every option is written under its ``/detect`` name (contract §3.3). The table says its
kind of value, its documented default, and its name on the batch form (§4.4), or that
the batch form lacks it (a *single-only* option). Older or other spellings are accepted
and renamed (``audio_source_tracing_enabled``, ``privacy_mode``); ``pipeline`` is
deprecated and ignored on create, so it is accepted, never sent, and said so once.

:class:`DetectOptions` is the checked, frozen value built once where options enter
(``Client.detect``, ``Client.detect_batch``, ``case.review``) and carried down as it is:
its :meth:`~DetectOptions.single_fields` and :meth:`~DetectOptions.batch_fields` are the
only place the two endpoints' field names are derived.

>>> opts = DetectOptions.build(intelligence=True, audio_source_tracing_enabled=True)
>>> dict(opts)
{'audio_source_tracing': True, 'intelligence': True}
>>> opts.batch_fields()
{'audio_source_tracing_enabled': True, 'intelligence': True}
>>> DetectOptions.build(detect_watermark=True).single_only
('detect_watermark',)
"""

from __future__ import annotations

import difflib
import hashlib
import json
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, TypeAlias

from .errors import UnknownOptionError

__all__ = [
    "ADDABLE_ANALYSES",
    "ANALYSIS_OPTIONS",
    "BATCH_FIELD_NAMES",
    "BATCH_ONLY_OPTIONS",
    "DEPRECATED_OPTIONS",
    "DETECTION_OPTIONS",
    "KNOWN_OPTIONS",
    "OPTION_ALIASES",
    "SINGLE_ONLY_OPTIONS",
    "TRANSPORT_OPTIONS",
    "DetectOptions",
    "OptionsLike",
    "form_fields",
]

Kind = Literal["flag", "switch", "seconds", "frame_length", "choice", "url"]
"""``flag``: a bool whose default is false. ``switch``: a bool whose ``False`` differs
from not sending it. ``seconds``: a number, 0 or more. ``choice``: one of ``choices``."""


@dataclass(frozen=True)
class _Option:
    kind: Kind
    batch: str | None = None
    """The field's name on ``/detect/batch``, or ``None`` when the batch form lacks it."""
    default: Any = None
    """The documented default: sending it changes nothing."""
    choices: tuple[str, ...] = ()
    transport: bool = False
    """How results are delivered or media kept, not what is analysed."""
    media: tuple[str, ...] = ("audio", "video", "image")
    """The media types whose analysis it changes (contract §3.3 "where it applies")."""
    adds: str | None = None
    """The analysis it adds beside the detection (``None``: it changes the detection
    itself, or is a delivery option). An added analysis never changes the verdict, so a
    result holding more analyses satisfies a request for fewer."""
    added_by: str | None = None
    """The endpoint that adds this analysis to an *existing* detect, where the API has
    one (contract §5.1: ``POST /intelligence`` with ``detect_id``); else a new detect."""


_AV = ("audio", "video")  # a video's audio track is analysed like audio
_V = ("video",)
_I = ("image",)

_TABLE: Mapping[str, _Option] = MappingProxyType(
    {
        "callback_url": _Option("url", batch="callback_url", transport=True),
        "wait_for_intelligence": _Option("switch", transport=True),
        # adds visualization artifacts (heatmaps, treeview); batch default is true
        "visualize": _Option("switch", batch="visualize", adds="heatmap"),
        # -- these change what is detected, or how: a result must match them exactly
        "frame_length": _Option("frame_length", batch="frame_length", default=2, media=_AV),
        "start_region": _Option("seconds", batch="start_region", media=_AV),
        "end_region": _Option("seconds", batch="end_region", media=_AV),
        "max_video_secs": _Option("seconds", batch="max_video_secs", media=_V),
        "max_video_fps": _Option("seconds", media=_V),
        "model_types": _Option("choice", choices=("image", "talking_head"), media=_V),
        "modality": _Option("choice", choices=("audio", "video", "all"), default="all", media=_V),
        "face_only": _Option("flag", batch="face_only", default=False, media=_V),
        # escalates the verdict from intelligence findings (spec-B): changes the detection
        "infer_from_intelligence": _Option("flag", batch="infer_from_intelligence", default=False),
        "use_ood_detector": _Option("flag", default=False, media=_AV),  # another detector
        "use_llm": _Option("flag", batch="use_llm", default=False, media=_V),  # another analysis
        # -- these add an analysis beside the detection: a richer result satisfies them
        "intelligence": _Option(
            "flag",
            batch="intelligence",
            default=False,
            adds="intelligence",
            added_by="POST /intelligence",
        ),
        "audio_source_tracing": _Option(
            "flag",
            batch="audio_source_tracing_enabled",
            default=False,
            media=_AV,
            adds="source_tracing",
        ),
        "use_reverse_search": _Option("flag", default=False, media=_I, adds="reverse_search"),
        "detect_watermark": _Option("flag", default=False, adds="watermark"),
        "signal": _Option("flag", default=False, adds="signal"),
        "search_identity": _Option(
            "flag", batch="search_identity", default=False, media=_AV, adds="identity"
        ),
        "zero_retention_mode": _Option(
            "flag", batch="zero_retention_mode", default=False, transport=True
        ),
    }
)
"""Every option by its ``/detect`` name (contract §3.3, §4.4)."""

KNOWN_OPTIONS: frozenset[str] = frozenset(_TABLE)
"""Every option accepted, by its ``/detect`` name."""

OPTION_ALIASES: Mapping[str, str] = MappingProxyType(
    {"audio_source_tracing_enabled": "audio_source_tracing", "privacy_mode": "zero_retention_mode"}
)
"""Other spellings accepted on input (batch form name, older docs) -> ``/detect`` name."""

DEPRECATED_OPTIONS: Mapping[str, str] = MappingProxyType(
    {"pipeline": "deprecated: the API ignores it on create for new detections"}
)
"""Accepted so old notebooks keep working, never sent (contract §3.3)."""

BATCH_FIELD_NAMES: Mapping[str, str] = MappingProxyType(
    {name: opt.batch for name, opt in _TABLE.items() if opt.batch is not None}
)
"""``/detect`` option name -> ``/detect/batch`` form field name."""

SINGLE_ONLY_OPTIONS: frozenset[str] = KNOWN_OPTIONS - BATCH_FIELD_NAMES.keys()
"""Options the batch form does not take: an item using one must go single."""

BATCH_ONLY_OPTIONS: frozenset[str] = frozenset({"search_identity", "use_llm"})
"""Documented only for the batch form; sent as they are on ``/detect`` (undocumented there)."""

TRANSPORT_OPTIONS: frozenset[str] = frozenset(n for n, o in _TABLE.items() if o.transport)
"""Delivery and retention options: left out of :attr:`DetectOptions.key`, so toggling
them never re-analyses (and re-bills) a done item."""

ANALYSIS_OPTIONS: Mapping[str, str] = MappingProxyType(
    {name: opt.adds for name, opt in _TABLE.items() if opt.adds is not None}
)
"""Option -> the analysis it adds beside the detection (every other option but the
delivery ones changes the detection and must match)."""

ADDABLE_ANALYSES: Mapping[str, str] = MappingProxyType(
    {opt.adds: opt.added_by for opt in _TABLE.values() if opt.adds and opt.added_by}
)
"""Analysis -> the endpoint that adds it to an existing detect (no new detect)."""

DETECTION_OPTIONS: frozenset[str] = frozenset(
    n for n, o in _TABLE.items() if o.adds is None and not o.transport
)
"""Options that change what is detected or how: a result must have been made with the
same values to answer a request."""

OptionsLike: TypeAlias = "Mapping[str, Any] | None"
"""Options as a plain mapping or an already checked :class:`DetectOptions`."""


def _unknown(raw_name: str) -> UnknownOptionError:
    close = difflib.get_close_matches(raw_name, sorted(KNOWN_OPTIONS | OPTION_ALIASES.keys()), 1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return UnknownOptionError(
        f"unknown detect option {raw_name!r}{hint}; known options: "
        + ", ".join(sorted(KNOWN_OPTIONS)),
        name=raw_name,
        suggestion=close[0] if close else None,
    )


def _check_value(name: str, value: Any) -> Any:
    """``value`` if it suits option ``name`` (numbers of seconds as given), else raise."""
    opt = _TABLE[name]

    def bad(expected: str) -> ValueError:
        return ValueError(f"detect option {name!r} must be {expected}, not {value!r}")

    if opt.kind in ("flag", "switch"):
        if not isinstance(value, bool):
            raise bad("True or False")
    elif opt.kind == "frame_length":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
            raise bad("a whole number of seconds from 1 to 4")
    elif opt.kind == "seconds":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise bad("a number of seconds (0 or more)")
    elif opt.kind == "choice":
        if value not in opt.choices:
            raise bad("one of " + ", ".join(repr(c) for c in opt.choices))
    elif opt.kind == "url" and (
        not isinstance(value, str) or not value.startswith(("https://", "http://"))
    ):
        raise bad("an http(s) URL")
    return value


class DetectOptions(Mapping[str, Any]):
    """Checked detect options under their ``/detect`` names: frozen, built once.

    It reads like a dict of the options given (aliases renamed, ``None`` left out).
    :meth:`analysis` is the same without no-ops (values equal to the documented default),
    which is what a review sends and records; :attr:`key` names *what is analysed*.

    Use :meth:`build`; ``extra_fields`` (undocumented fields sent as they are) are
    kept apart and only ever sent by the client.
    """

    __slots__ = ("_analysed", "_extra", "_values")

    def __init__(self, values: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> None:
        self._values: Mapping[str, Any] = MappingProxyType(dict(sorted(values.items())))
        self._extra: Mapping[str, Any] = MappingProxyType(dict(extra or {}))
        self._analysed: DetectOptions | None = None

    @classmethod
    def build(
        cls,
        options: OptionsLike = None,
        /,
        *,
        extra_fields: Mapping[str, Any] | None = None,
        **more: Any,
    ) -> DetectOptions:
        """Check ``options`` (and ``more``) once: names, spellings, values.

        An existing :class:`DetectOptions` with nothing added comes back as it is.

        Raises:
            UnknownOptionError: a name no endpoint documents (with a suggestion).
            ValueError: a value of the wrong type or range, or one option given twice
                with different values under two spellings.
        """
        if isinstance(options, DetectOptions) and not more and not extra_fields:
            return options
        merged: dict[str, Any] = {**(options or {}), **more}
        given: dict[str, Any] = {}
        for raw_name, value in merged.items():
            if raw_name in DEPRECATED_OPTIONS:
                if value is not None:
                    warnings.warn(
                        f"detect option {raw_name!r} is {DEPRECATED_OPTIONS[raw_name]}; "
                        "it is not sent",
                        DeprecationWarning,
                        stacklevel=3,
                    )
                continue
            name = OPTION_ALIASES.get(raw_name, raw_name)
            if name not in KNOWN_OPTIONS:
                raise _unknown(raw_name)
            if value is None:
                continue
            _check_value(name, value)
            if name in given and given[name] != value:
                raise ValueError(f"detect option {name!r} given twice with different values")
            given[name] = value
        extra = dict(options.extra_fields) if isinstance(options, DetectOptions) else {}
        extra.update({k: v for k, v in (extra_fields or {}).items() if v is not None})
        return cls(given, extra)

    # -- the mapping ------------------------------------------------------------------------
    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"DetectOptions({dict(self._values)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DetectOptions):
            return dict(self._values) == dict(other._values) and dict(self._extra) == dict(
                other._extra
            )
        return isinstance(other, Mapping) and dict(self._values) == dict(other)

    def __hash__(self) -> int:
        return hash(self.key)

    @property
    def extra_fields(self) -> Mapping[str, Any]:
        """Undocumented fields sent as they are (``extra_fields=`` of the client)."""
        return self._extra

    # -- derived ----------------------------------------------------------------------------
    def analysis(self) -> DetectOptions:
        """The same options without no-ops: numbers of seconds as floats (``1`` and ``1.0``
        are one analysis) and values equal to the documented default left out."""
        if self._analysed is not None:
            return self._analysed
        values: dict[str, Any] = {}
        for name, value in self._values.items():
            opt = _TABLE[name]
            if opt.kind == "seconds":
                value = float(value)
            if opt.default is not None and value == opt.default:
                continue
            values[name] = value
        same = _text(values) == _text(self._values)  # 1 == 1.0, but not as JSON
        self._analysed = self if same else DetectOptions(values, self._extra)
        return self._analysed

    @property
    def single_only(self) -> tuple[str, ...]:
        """The options in use (not no-ops) that ``/detect/batch`` cannot take, sorted."""
        return tuple(n for n in self.analysis() if n in SINGLE_ONLY_OPTIONS)

    @property
    def key(self) -> str:
        """A short stable key for *what is analysed*: equal options give equal keys.

        Delivery options (:data:`TRANSPORT_OPTIONS`) and no-ops do not change it, so the
        same item with the same analysis is recognised as done across runs and spellings.
        """
        relevant = {k: v for k, v in self.analysis().items() if k not in TRANSPORT_OPTIONS}
        return hashlib.sha256(_text(relevant).encode()).hexdigest()[:16]

    def key_for(self, media_type: str | None) -> str:
        """:attr:`key` counting only the options that change this media type's analysis.

        ``use_reverse_search`` changes nothing about an audio file, ``face_only`` nothing
        about an image: re-reviewing a folder with one of them added is a new analysis
        only for the items it applies to (nothing else is sent, or billed, again).

        >>> a = DetectOptions.build(intelligence=True)
        >>> b = DetectOptions.build(intelligence=True, use_reverse_search=True)
        >>> a.key_for("audio") == b.key_for("audio"), a.key_for("image") == b.key_for("image")
        (True, False)
        """
        if media_type not in ("audio", "video", "image"):
            return self.key
        relevant = {
            k: v
            for k, v in self.analysis().items()
            if k not in TRANSPORT_OPTIONS and media_type in _TABLE[k].media
        }
        return hashlib.sha256(_text(relevant).encode()).hexdigest()[:16]

    def detection_key_for(self, media_type: str | None) -> str:
        """A key for *how this media type is detected*: the options in
        :data:`DETECTION_OPTIONS` that apply to it. Two requests with equal keys can be
        answered by one detect; what they add beside it is :meth:`analyses_for`.

        >>> a = DetectOptions.build(intelligence=True)
        >>> a.detection_key_for("audio") == DetectOptions.build().detection_key_for("audio")
        True
        >>> DetectOptions.build(frame_length=1).detection_key_for("audio") == (
        ...     a.detection_key_for("audio"))
        False
        """
        relevant = {
            k: v
            for k, v in self.analysis().items()
            if k in DETECTION_OPTIONS and (media_type is None or media_type in _TABLE[k].media)
        }
        return hashlib.sha256(_text(relevant).encode()).hexdigest()[:16]

    def analyses_for(self, media_type: str | None) -> frozenset[str]:
        """The analyses asked for beside the detection that apply to this media type.

        >>> sorted(DetectOptions.build(intelligence=True, use_reverse_search=True)
        ...        .analyses_for("audio"))
        ['intelligence']
        """
        return frozenset(
            ANALYSIS_OPTIONS[k]
            for k, v in self.analysis().items()
            if k in ANALYSIS_OPTIONS and v and (media_type is None or media_type in _TABLE[k].media)
        )

    def single_fields(self) -> dict[str, Any]:
        """The fields of a ``POST /detect`` (JSON body or form), extra fields included."""
        return {**self._values, **self._extra}

    def batch_fields(self) -> dict[str, Any]:
        """The fields of a ``POST /detect/batch`` form under their batch names.

        Raises:
            ValueError: a single-only option is set (send such items single instead).
        """
        blocked = self.single_only
        if blocked:
            raise ValueError(
                "POST /detect/batch does not take " + ", ".join(blocked) + " (only "
                "documented for POST /detect); send these items single"
            )
        fields = {BATCH_FIELD_NAMES[n]: v for n, v in self.items() if n in BATCH_FIELD_NAMES}
        return {**fields, **self._extra}


def _text(values: Mapping[str, Any]) -> str:
    return json.dumps(dict(values), sort_keys=True, separators=(",", ":"))


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def form_fields(options: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """Options as multipart form fields: booleans as ``true``/``false``, lists repeated."""
    fields: dict[str, str | list[str]] = {}
    for name, value in options.items():
        if isinstance(value, (list, tuple)):
            fields[name] = [_form_value(v) for v in value]
        else:
            fields[name] = _form_value(value)
    return fields
