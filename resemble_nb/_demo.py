"""``resemble-nb demo``: the bundled sample media through the sandbox, end to end.

Starts the local sandbox, sends every sample file through the documented flow
(secure upload, detect by ``media_token``, poll to a terminal state) and prints a
table a person can read. Nothing leaves 127.0.0.1 and no key is printed.
"""

from __future__ import annotations

from pathlib import Path

from resemble_nb.api import Client, Detection, ResembleError

__all__ = ["run_demo", "sample_folder"]


def sample_folder() -> Path:
    """The folder of bundled sample media."""
    return Path(__file__).resolve().parent / "samples"


def _row(name: str, detection: Detection | None, problem: str | None) -> str:
    if detection is None:
        return f"{name:16} {'-':7} {'-':11} {'-':>6}  {problem}"
    label = detection.label.value if detection.label is not None else "-"
    score = f"{detection.score:.2f}" if detection.score is not None else "-"
    note = detection.error_message or ""
    return f"{name:16} {detection.media_type or '-':7} {label:11} {score:>6}  {note}"


def run_demo(out: str | Path = "build") -> int:
    """Run the demo; return the process exit code."""
    from resemble_nb.sandbox import Sandbox

    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in sample_folder().iterdir() if p.is_file())
    print(f"Starting the local sandbox (synthetic scores) for {len(files)} sample files...")
    with (
        Sandbox(port=0) as sandbox,
        Client(api_key=sandbox.api_key, base_url=sandbox.base_url) as c,
    ):
        print(f"Sandbox API at {sandbox.base_url}\n")
        print(f"{'file':16} {'type':7} {'label':11} {'score':>6}  note")
        print("-" * 60)
        for path in files:
            try:
                token = c.secure_upload(path)
                detection = c.wait_for(c.detect(media_token=token), timeout=60)
            except (ResembleError, ValueError, OSError) as exc:
                print(_row(path.name, None, str(exc)))
                continue
            assert isinstance(detection, Detection)
            print(_row(path.name, detection, None))
    print("\nAll results above are synthetic (sandbox), not real detections.")
    return 0
