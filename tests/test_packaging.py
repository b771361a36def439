"""The project's packaging stays coherent: environment.yml agrees with pyproject.toml."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs.extend(extra)
    pinned: dict[str, str] = {}
    for text in reqs:
        req = Requirement(text)
        if _canonical(req.name) == "resemble-nb":
            continue  # the dev extra pulls in the other extras
        pinned[_canonical(req.name)] = str(req.specifier)
    return pinned


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pinned: dict[str, str] = {}
    for entry in env["dependencies"]:
        if not isinstance(entry, str) or entry == "pip" or re.match(r"python\s*[<>=]", entry):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", entry)
        assert match, entry
        pinned[_canonical(match.group(1))] = match.group(2).replace(" ", "")
    return pinned


def test_every_requirement_is_pinned_with_a_lower_bound() -> None:
    for name, spec in _pyproject_requirements().items():
        assert spec.startswith(">="), f"{name} in pyproject.toml needs a lower bound, got {spec!r}"


def test_environment_yml_matches_pyproject() -> None:
    pyproject = _pyproject_requirements()
    conda = _conda_requirements()
    assert conda == pyproject, (
        "environment.yml and pyproject.toml disagree:\n"
        f"  only in pyproject: {sorted(set(pyproject) - set(conda))}\n"
        f"  only in environment.yml: {sorted(set(conda) - set(pyproject))}\n"
        f"  different bounds: "
        f"{sorted(n for n in set(pyproject) & set(conda) if pyproject[n] != conda[n])}"
    )


def test_python_floor_matches() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(
        e for e in env["dependencies"] if isinstance(e, str) and re.match(r"python\s*[<>=]", e)
    )
    assert python.replace("python", "") == project["requires-python"]


def test_sample_media_is_small_and_complete() -> None:
    samples = ROOT / "resemble_nb" / "samples"
    names = {p.name for p in samples.iterdir()}
    assert {"speech.wav", "voicemail.mp3", "portrait.png", "street.jpg", "interview.mp4"} <= names
    assert {"damaged.wav", "notes.txt"} <= names
    assert sum(p.stat().st_size for p in samples.iterdir()) < 3 * 1024 * 1024
