"""Without the media route for a file, the board still shows an image (issue 20 item 1):
it comes through the kernel (images are small), and the board says so."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from .lab import open_notebook, put_notebook, run_all, wait_until_all_ran

CELL = """\
import tempfile
from pathlib import Path
import pandas as pd
import resemble_nb as rnb
from resemble_nb.widgets.inspector import MediaInspector, item_view
image = rnb.sample_media() / "portrait.png"
folder = Path(tempfile.mkdtemp(prefix="rnb-noserver-"))  # no ledger: the route serves nothing
item = {"sha256": "0" * 64, "name": image.name, "path": str(image), "media_type": "image"}
segments = pd.DataFrame(columns=["sha256", "track", "kind", "start_s", "end_s", "score", "label"])
inspector = MediaInspector()
inspector.show(item_view(item, segments, case_folder=folder, cache=folder / "cache"), image)
inspector"""


def test_an_image_the_server_does_not_serve_is_shown_through_the_kernel(
    lab_page: Page, lab_url: str, artifacts: Path
) -> None:
    page = lab_page
    put_notebook(lab_url, "no_server_image.ipynb", CELL)
    open_notebook(page, lab_url, "no_server_image.ipynb")
    run_all(page)
    wait_until_all_ran(page, timeout_s=60)
    insp = page.locator(".rnb-insp")
    expect(insp).to_have_attribute("data-kind", "image")
    page.wait_for_function(
        "() => { const i = document.querySelector('.rnb-insp-imginner img');"
        " return i && i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0; }",
        timeout=30_000,
    )
    expect(insp.locator(".rnb-insp-notice")).to_contain_text("sent through the kernel")
    insp.screenshot(path=str(artifacts / "inspector-image-no-server.png"))
