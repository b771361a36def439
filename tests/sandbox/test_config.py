"""``SandboxConfig``: checked settings, secret keys."""

from __future__ import annotations

import pytest

from resemble_nb.sandbox import SandboxConfig
from resemble_nb.sandbox.config import parse_progress


def test_generated_key_when_none_given() -> None:
    a, b = SandboxConfig(), SandboxConfig()
    assert a.api_keys[0].startswith("sandbox_") and a.api_keys != b.api_keys


@pytest.mark.parametrize(
    "kwargs",
    [
        {"progress": "soon"},
        {"progress": "polls:x"},
        {"progress": "polls:-1"},
        {"latency": -1.0},
        {"rate_limit": -5.0},
        {"api_keys": ("k", "k")},
    ],
)
def test_bad_settings(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        SandboxConfig(**kwargs)  # type: ignore[arg-type]


def test_parse_progress() -> None:
    assert parse_progress("Polls:4") == ("polls", 4)
    assert parse_progress("time") == ("time", 0)


def test_repr_hides_keys() -> None:
    cfg = SandboxConfig(api_keys=("secret_one", "secret_two"))
    assert "secret" not in repr(cfg) and "teams=2" in repr(cfg)
