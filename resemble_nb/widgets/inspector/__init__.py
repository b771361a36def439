"""The media inspector at the heart of the triage board.

Waveform and spectrogram with the scored windows over them, a playhead, key frames of
a video at its scored timestamps, an image with its heatmap; click to seek and play.
Data is computed with PyAV and numpy (``_data``), cached in the case, and sent as small
traits; the media itself plays from the Jupyter server by URL (``_server``).
"""

from __future__ import annotations

from ._data import AudioOverview, audio_overview, cache_dir
from ._frames import KeyFrame, key_frames
from ._item import DEFAULT_EMBED_MAX_BYTES, item_view, local_file
from ._server import MEDIA_ROUTE, media_route
from ._widget import MediaInspector

__all__ = [
    "DEFAULT_EMBED_MAX_BYTES",
    "MEDIA_ROUTE",
    "AudioOverview",
    "KeyFrame",
    "MediaInspector",
    "audio_overview",
    "cache_dir",
    "item_view",
    "key_frames",
    "local_file",
    "media_route",
]
