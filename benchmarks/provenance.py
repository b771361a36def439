"""What reading each item's own C2PA manifest costs at intake.

    .venv/bin/python benchmarks/provenance.py [--files 200] [--rounds 3]

``--files`` small files (half one-second WAV tones, half 64x64 PNGs, none with a C2PA
manifest) go through the engine's intake step as a review runs it: find and inspect
(``engine._intake.intake``), record the items (``ledger.add_items``), then, when asked,
read and record their provenance (``engine._provenance.record_provenance``). Three
variants, alternating, best of ``--rounds``, each on a fresh case:

* **none**: no provenance step (what intake cost before);
* **library missing**: the step runs without c2pa-python (every item ``Unavailable``);
* **c2pa-python**: the step as shipped.

Then the c2pa read alone: per plain file, and per file signed with a test certificate.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))
from throughput import make_files

from resemble_nb.engine._intake import intake
from resemble_nb.engine._provenance import record_provenance
from resemble_nb.engine._state import Tracker
from resemble_nb.ledger import Ledger
from resemble_nb.media import provenance as media_provenance
from resemble_nb.media.provenance import read_provenance


def make_pngs(folder: Path, count: int) -> list[Path]:
    from tests._c2pa_factory import png_bytes

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"still{i:04d}.png"
        path.write_bytes(png_bytes(size=64, tint=i % 256) + bytes([i // 256]))
        paths.append(path)
    return paths


async def _intake(evidence: Path, folder: Path, variant: str) -> tuple[float, float]:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ledger = Ledger(folder / "case.db")
    cpu, wall = time.process_time(), time.perf_counter()
    found = await intake([evidence], Tracker())
    ledger.add_items(found.items)
    if variant != "none":
        await record_provenance(ledger, found.items)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    read = len(ledger.events(kind="provenance_read"))
    assert len(found.items) == len(list(evidence.iterdir())), "every file is an item"
    assert read == (0 if variant == "none" else len(found.items)), read
    ledger.close()
    return wall, cpu


def _without_library(run: bool) -> None:
    media_provenance._c2pa = (lambda: None) if run else _REAL  # type: ignore[assignment]


_REAL = media_provenance._c2pa


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="rnb-provenance-"))
    try:
        evidence = root / "evidence"
        make_files(evidence, args.files // 2)
        pngs = make_pngs(evidence, args.files - args.files // 2)
        started = time.perf_counter()
        tool = media_provenance.provenance_tool()  # the first use loads the library
        print(f"{args.files} files; loading {tool}: {time.perf_counter() - started:.3f} s")
        best: dict[str, tuple[float, float]] = {}
        for _ in range(args.rounds):
            for variant in ("none", "library missing", "c2pa-python"):
                _without_library(variant == "library missing")
                wall, cpu = asyncio.run(_intake(evidence, root / "case", variant))
                _without_library(False)
                print(f"  {variant:16s} wall {wall:6.3f} s  cpu {cpu:6.3f} s")
                old = best.get(variant)
                best[variant] = (wall, cpu) if old is None or wall < old[0] else old
        base = best["none"][0]
        for variant, (wall, cpu) in best.items():
            extra = f" ({100 * (wall - base) / base:+.1f} %)" if variant != "none" else ""
            print(f"best {variant:16s} wall {wall:6.3f} s{extra}  cpu {cpu:6.3f} s")
        wavs = sorted(evidence.glob("*.wav"))
        started = time.perf_counter()
        for path in [*wavs, *pngs]:
            read_provenance(path)
        plain = (time.perf_counter() - started) / args.files
        print(f"c2pa read, plain file: {1000 * plain:.2f} ms each")
        from tests._c2pa_factory import make_signer

        signer, signed = make_signer(), []
        for i, path in enumerate(pngs[:20]):
            signed.append(signer.sign(path, root / f"signed{i}.png", "image/png", "bench"))
        started = time.perf_counter()
        states = {read_provenance(path).state for path in signed}
        each = (time.perf_counter() - started) / len(signed)
        print(f"c2pa read, signed PNG: {1000 * each:.2f} ms each ({', '.join(states)})")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
