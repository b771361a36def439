"""``case.plan(...)``: find and inspect the files, decide, count; send nothing, write nothing."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from ..api import MAX_DIRECT_UPLOAD_BYTES, DetectOptions
from ..ledger import Ledger
from ..media import Include, check_strategy, route
from ._intake import Inputs, case_files, intake
from ._plan import ReviewPlan, classify, summarize
from ._state import Tracker

__all__ = ["plan_review"]


def plan_review(
    ledger: Ledger,
    inputs: Inputs,
    *,
    strategy: str = "auto",
    force: bool = False,
    include: Include = None,
    recursive: bool = True,
    **detect_options: Any,
) -> ReviewPlan:
    """What ``case.review(inputs, ...)`` started now would do (see :class:`ReviewPlan`).

    The files are found and hashed as a review would; the ledger is only read and no
    request is sent.
    """
    options = DetectOptions.build(detect_options).analysis()
    check_strategy(strategy, options)
    found: list[Any] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            found.append(
                asyncio.run(
                    intake(
                        inputs,
                        Tracker(),
                        include=include,
                        recursive=recursive,
                        leave_out=case_files(ledger.path),
                    )
                )
            )
        except BaseException as exc:  # handed back to the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=work, name="resemble_nb-plan", daemon=True)
    thread.start()  # its own event loop: a notebook's running loop is left alone
    thread.join()
    if failure:
        raise failure[0]
    got = found[0]
    routes = [
        route(item, options, strategy, batch_file_max_bytes=MAX_DIRECT_UPLOAD_BYTES)  # type: ignore[arg-type]
        for item in got.items
    ]
    return summarize(classify(ledger, options, got.items, routes, got.damaged, force=force))
