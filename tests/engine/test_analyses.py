"""Analyses that lag their detect: an item is stored only once each it asked for is done.

Over HTTP against a sandbox whose intelligence and watermark analyses finish some reads
after their detect (contract §11), and fail when told to: the item still completes, and
each analysis is stored completed, or failed with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from resemble_nb.case import Case
from resemble_nb.sandbox import Sandbox

from .helpers import FAST, client_for, write_wavs


def _analyses(case: Case) -> list[dict[str, Any]]:
    rows = case.ledger.analyses_rows()
    return [dict(zip(rows.columns, row, strict=True)) for row in rows.rows]


@pytest.mark.parametrize("strategy", ["single", "batch"])
def test_lagging_analyses_are_waited_for_and_a_failed_one_keeps_its_reason(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox], strategy: str
) -> None:
    sandbox = sandbox_factory(
        intelligence_lag="polls:3", intelligence_fail=0.5, watermark_lag="polls:2",
        watermark_fail=1.0, list_order="oldest",
    )  # fmt: skip
    write_wavs(tmp_path / "evidence", 6)
    options: dict[str, Any] = {"intelligence": True}
    if strategy == "single":
        options["detect_watermark"] = True  # a single-detect option
    with Case(tmp_path / "case") as case:
        run = case.review(
            tmp_path / "evidence",
            client=client_for(sandbox),
            strategy=strategy,
            display=False,
            poll_interval=FAST,
            **options,
        ).wait(60)
        assert run.progress.counts == {"completed": 6}  # a failed analysis fails no item
        rows = _analyses(case)
        wanted = {"intelligence", "watermark"} if strategy == "single" else {"intelligence"}
        assert {(r["sha256"], r["analysis"]) for r in rows} == {
            (i.key, a) for i in run.items() for a in wanted
        }
        for row in rows:
            assert row["status"] in ("completed", "failed"), row
            assert (row["status"] == "failed") == bool(row["reason"]), row
            if row["analysis"] == "watermark":
                assert row["status"] == "failed" and "Watermark" in row["reason"]
        statuses = {r["status"] for r in rows if r["analysis"] == "intelligence"}
        assert statuses == {"completed", "failed"}  # half of the contents fail, by hash
        for job_id in {r["job_id"] for r in rows}:  # what was stored is what was finished
            result = case.ledger.result_for(job_id)
            assert result is not None
            block = result.raw["intelligence"]
            assert block["status"] == result.analyses["intelligence"]["status"]
            assert bool(block.get("description")) == (block["status"] == "completed")
