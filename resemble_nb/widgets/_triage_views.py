"""The inspector's view of each item, kept in memory and computed in the background.

A small item is computed at once (the case's cache makes a second time instant). A big
file not yet in the cache is first shown "light" (player, scores, windows) and its
waveform, spectrogram and key frames are computed on one worker thread; ``on_ready`` is
called with the full view when it arrives, so the board can show it if the reviewer is
still there.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any

import pandas as pd

from .._core.markup import image_uri
from ._protocols import CaseLike
from .inspector import cache_dir, item_view, local_file
from .inspector._item import is_cached

__all__ = ["BACKGROUND_BYTES", "ItemViews", "ledger_heatmap"]

#: Files bigger than this are first shown without their waveform, drawn in the background.
BACKGROUND_BYTES = 16 * 1024**2
_KEPT = 16

View = dict[str, Any]


#: Heatmaps over this size are not sent to the browser (they would be most of a message).
_HEATMAP_MAX_BYTES = 512 * 1024
_HEATMAP_NAMES = ("image_heatmap", "ifl_heatmap")


def ledger_heatmap(case: Any, sha256: str) -> str:
    """The item's heatmap stored with its latest completed job, as a ``data:`` URI.

    Read from the case's ledger when it keeps analysis artifacts; ``""`` when there is
    none (or the case is not a ledger-backed one).
    """
    ledger: Any = getattr(case, "ledger", None)
    try:
        jobs = [j for j in ledger.jobs_for_item(sha256) if j.state == "completed"]
        artifacts = {a.name: a for a in ledger.artifacts_for(jobs[-1].id)} if jobs else {}
    except Exception:  # no ledger, or one without artifacts: no heatmap
        return ""
    for name in _HEATMAP_NAMES:
        art = artifacts.get(name)
        if art and len(art.data) <= _HEATMAP_MAX_BYTES:
            uri = image_uri(art.data)  # rebuilt from the sniffed bytes, never as stored
            if uri is not None:
                return uri
    return ""


class ItemViews:
    """``views.get(item)``: the view to show now; ``on_ready(sha, view)`` for late ones."""

    def __init__(
        self,
        case: CaseLike,
        on_ready: Callable[[str, View], None],
        on_error: Callable[[str, BaseException], None],
        *,
        background_bytes: int = BACKGROUND_BYTES,
    ) -> None:
        self.case = case
        self.background_bytes = background_bytes
        self._on_ready = on_ready
        self._on_error = on_error
        self._views: OrderedDict[str, View] = OrderedDict()
        self._segments: pd.DataFrame | None = None
        self._worker: ThreadPoolExecutor | None = None
        self._computing: dict[str, Future[View]] = {}

    def get(self, item: dict[str, Any]) -> View:
        sha = str(item["sha256"])
        if sha in self._views:
            self._views.move_to_end(sha)
            return self._views[sha]
        segments = self._all_segments()
        cache = cache_dir(self.case.folder)
        path = local_file(item)
        big = path is not None and path.stat().st_size > self.background_bytes
        if big and item.get("media_type") != "image" and not is_cached(item, cache):
            if sha not in self._computing:
                if self._worker is None:
                    self._worker = ThreadPoolExecutor(1, thread_name_prefix="resemble_nb-views")
                future = self._worker.submit(
                    item_view, item, segments, case_folder=self.case.folder, cache=cache
                )
                self._computing[sha] = future
                future.add_done_callback(partial(self._arrived, sha))
            return item_view(item, segments, case_folder=self.case.folder, cache=cache, light=True)
        heat = ledger_heatmap(self.case, sha) if item.get("media_type") == "image" else ""
        view = item_view(item, segments, case_folder=self.case.folder, cache=cache, heatmap=heat)
        self._keep(sha, view)
        return view

    def wait(self, timeout: float | None = None) -> None:
        """Block until every view being computed has arrived (and was handed over)."""
        for sha, future in list(self._computing.items()):
            future.result(timeout)
            self._arrived(sha, future)  # the callback may still be on its way

    def clear(self) -> None:
        """Forget views and segments (after the case's results changed)."""
        self._views.clear()
        self._segments = None

    def _all_segments(self) -> pd.DataFrame:
        if self._segments is None:
            self._segments = self.case.segments()
        return self._segments

    def _arrived(self, sha: str, future: Future[View]) -> None:
        self._computing.pop(sha, None)
        try:
            view = future.result()
        except Exception as exc:
            self._on_error(sha, exc)
            return
        self._keep(sha, view)
        self._on_ready(sha, view)

    def _keep(self, sha: str, view: View) -> None:
        self._views[sha] = view
        while len(self._views) > _KEPT:
            self._views.popitem(last=False)
