"""route() and plan_batches(): the cheapest path that fits, and batches within limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resemble_nb.media import (
    BATCH_MAX_BYTES,
    BATCH_MAX_FILES,
    DIRECT_UPLOAD_MAX_BYTES,
    MB,
    WATERMARK_MAX_BYTES,
    MediaItem,
    check_strategy,
    plan_batches,
    route,
)


def item(size: int, n: int = 0) -> MediaItem:
    return MediaItem(
        sha256=f"{n:064x}",
        size=size,
        media_type="audio",
        mime="audio/wav",
        extension=".wav",
        duration=None,
        paths=(Path(f"/evidence/{n}.wav"),),
    )


# -- route --------------------------------------------------------------------------------


def test_auto_sends_small_items_by_batch() -> None:
    assert route(item(10 * MB), {"intelligence": True}).strategy == "batch"
    assert route(item(DIRECT_UPLOAD_MAX_BYTES)).strategy == "batch"  # exactly at the cap


def test_auto_sends_large_items_single() -> None:
    chosen = route(item(DIRECT_UPLOAD_MAX_BYTES + 1))
    assert chosen.strategy == "single" and "150 MB" in chosen.reason


@pytest.mark.parametrize(
    "option",
    [
        {"detect_watermark": True},
        {"signal": True},
        {"use_reverse_search": True},
        {"use_ood_detector": True},
        {"modality": "audio"},
        {"max_video_fps": 5},
        {"model_types": "talking_head"},
    ],
)
def test_auto_sends_single_only_options_single(option: dict) -> None:
    chosen = route(item(MB), option)
    assert chosen.strategy == "single"
    assert next(iter(option)) in chosen.reason


def test_forced_strategies() -> None:
    assert route(item(MB), strategy="single").strategy == "single"
    assert route(item(MB), strategy="batch").strategy == "batch"
    refused = route(item(DIRECT_UPLOAD_MAX_BYTES + 1), strategy="batch")
    assert refused.strategy is None and not refused.ok
    assert "/evidence/0.wav" in refused.reason and "strategy='auto'" in refused.reason


def test_batch_strategy_with_a_single_only_option_is_refused_up_front() -> None:
    with pytest.raises(ValueError, match="detect_watermark"):
        check_strategy("batch", {"detect_watermark": True})
    with pytest.raises(ValueError, match="strategy must be"):
        check_strategy("fast")
    with pytest.raises(ValueError):
        route(item(MB), {"signal": True}, strategy="batch")


def test_watermark_over_its_limit_fits_no_path() -> None:
    chosen = route(item(WATERMARK_MAX_BYTES + 1), {"detect_watermark": True})
    assert chosen.strategy is None and "detect_watermark" in chosen.reason
    assert route(item(WATERMARK_MAX_BYTES), {"detect_watermark": True}).strategy == "single"


# -- plan_batches -------------------------------------------------------------------------


def test_exactly_fifty_files_make_one_batch_and_fifty_one_make_two() -> None:
    fifty = [item(1000, n) for n in range(BATCH_MAX_FILES)]
    assert [len(b) for b in plan_batches(fifty)] == [50]
    fifty_one = [item(1000, n) for n in range(51)]
    assert [len(b) for b in plan_batches(fifty_one)] == [50, 1]
    assert plan_batches(fifty_one)[1][0].sha256 == fifty_one[50].sha256


def test_500_mb_boundary() -> None:
    exact = [item(100 * MB, n) for n in range(5)]
    assert [len(b) for b in plan_batches(exact)] == [5]
    over = [*exact, item(1, 5)]
    assert [len(b) for b in plan_batches(over)] == [5, 1]
    assert [len(b) for b in plan_batches([item(BATCH_MAX_BYTES, 0)])] == [1]


def test_first_fit_keeps_order_and_fills_gaps() -> None:
    sizes = [300 * MB, 300 * MB, 150 * MB, 100 * MB]
    batches = plan_batches([item(s, n) for n, s in enumerate(sizes)])
    assert [[i.size // MB for i in b] for b in batches] == [[300, 150], [300, 100]]


def test_an_item_too_large_for_any_batch_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match=r"/evidence/7\.wav.*route it single"):
        plan_batches([item(BATCH_MAX_BYTES + 1, 7)])


def test_sparse_files_on_disk_plan_by_their_real_size(tmp_path: Path) -> None:
    """Sizes read from the file system (sparse files: no disk used)."""
    items = []
    for n in range(3):
        path = tmp_path / f"{n}.wav"
        with open(path, "wb") as out:
            out.truncate(200 * MB)
        items.append(
            MediaItem(f"{n:064x}", path.stat().st_size, "audio", "audio/wav", ".wav", None, (path,))
        )
    assert [len(b) for b in plan_batches(items)] == [2, 1]


def test_empty_input_and_bad_limits() -> None:
    assert plan_batches([]) == []
    with pytest.raises(ValueError):
        plan_batches([item(1)], max_files=0)


@given(
    sizes=st.lists(st.integers(min_value=0, max_value=400), max_size=300),
    max_files=st.integers(min_value=1, max_value=60),
    max_bytes=st.integers(min_value=400, max_value=2000),
)
def test_every_item_planned_exactly_once_within_limits(
    sizes: list[int], max_files: int, max_bytes: int
) -> None:
    items = [item(size, n) for n, size in enumerate(sizes)]
    batches = plan_batches(items, max_files=max_files, max_bytes=max_bytes)
    planned = [i.sha256 for b in batches for i in b]
    assert sorted(planned) == sorted(i.sha256 for i in items)  # each exactly once
    for batch in batches:
        assert 1 <= len(batch) <= max_files
        assert sum(i.size for i in batch) <= max_bytes
        order = [int(i.sha256, 16) for i in batch]
        assert order == sorted(order)  # input order kept inside a batch
    # no batch count blow-up: never more than twice the lower bound (+1)
    lower = max(-(-len(items) // max_files), -(-sum(sizes) // max_bytes))
    assert len(batches) <= 2 * lower + 1
