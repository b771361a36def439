"""Label and score normalisation over every form the contract notes list (§3.4-3.6)."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from resemble_nb.api import Label, parse_label, parse_percent, parse_score
from resemble_nb.api._labels import parse_certainty

# Every wording seen in the contract: docs, specs, and observed responses.
CONTRACT_FORMS = {
    "fake": Label.FAKE,
    "Fake": Label.FAKE,
    "Likely fake": Label.LIKELY_FAKE,
    "Likely Fake": Label.LIKELY_FAKE,
    "Neutral/Uncertain": Label.UNCERTAIN,
    "uncertain": Label.UNCERTAIN,
    "neutral": Label.UNCERTAIN,
    "Likely real": Label.LIKELY_REAL,
    "real": Label.REAL,
    "Real": Label.REAL,
    "likely_fake": Label.LIKELY_FAKE,
    "likely_real": Label.LIKELY_REAL,
}


@pytest.mark.parametrize(("text", "expected"), sorted(CONTRACT_FORMS.items()))
def test_every_contract_wording_maps_onto_the_scale(text: str, expected: Label) -> None:
    assert parse_label(text) is expected


def test_scale_is_ordered_from_real_to_fake() -> None:
    assert Label.REAL < Label.LIKELY_REAL < Label.UNCERTAIN < Label.LIKELY_FAKE < Label.FAKE
    assert max(Label) is Label.FAKE and min(Label) is Label.REAL
    assert sorted([Label.FAKE, Label.REAL, Label.UNCERTAIN]) == [
        Label.REAL,
        Label.UNCERTAIN,
        Label.FAKE,
    ]
    assert [member.rank for member in Label] == [0, 1, 2, 3, 4]


def test_order_gives_an_ordered_pandas_categorical() -> None:
    assert Label.order() == ["real", "likely_real", "uncertain", "likely_fake", "fake"]
    column = pd.Series([Label.LIKELY_FAKE, Label.REAL, "fake"]).astype(
        pd.CategoricalDtype(Label.order(), ordered=True)
    )
    assert column.max() == "fake"
    assert list(column.sort_values()) == ["real", "likely_fake", "fake"]


def test_members_behave_as_their_string_values() -> None:
    assert Label.FAKE == "fake"
    assert str(Label.LIKELY_REAL) == "likely_real"
    assert {"fake": 1}[Label.FAKE] == 1
    assert Label("uncertain") is Label.UNCERTAIN


@pytest.mark.parametrize(
    "value", [None, "", "   ", True, False, 1, 0.5, [], {}, "maybe", "realish"]
)
def test_missing_or_unknown_labels_are_never_real(value: object) -> None:
    assert parse_label(value) is None


def _mangle(text: str, flips: list[bool], sep: str, pad: str) -> str:
    """Random case, another separator between words, whitespace around."""
    chars = [
        c.swapcase() if flip else c
        for c, flip in zip(text, flips + [False] * len(text), strict=False)
    ]
    return pad + re.sub(r"[ /_]", sep, "".join(chars)) + pad


@given(
    form=st.sampled_from(sorted(CONTRACT_FORMS)),
    flips=st.lists(st.booleans(), max_size=20),
    sep=st.sampled_from([" ", "_", "-", "/", "  ", " / "]),
    pad=st.sampled_from(["", " ", "\t", "\n "]),
)
def test_case_and_separators_do_not_matter(
    form: str, flips: list[bool], sep: str, pad: str
) -> None:
    assert parse_label(_mangle(form, flips, sep, pad)) is CONTRACT_FORMS[form]


_KNOWN_KEYS = {"".join(re.split(r"[\s_/\-]+", k.lower())) for k in CONTRACT_FORMS} | {
    "neutraluncertain",
    "uncertainneutral",
}


@given(st.text(max_size=30))
@example("Real ")
@example("not real")
def test_arbitrary_text_is_either_a_known_wording_or_none(text: str) -> None:
    result = parse_label(text)
    squashed = "".join(re.split(r"[\s_/\-]+", text.lower()))
    if squashed not in _KNOWN_KEYS:
        assert result is None
    else:
        assert result is None or isinstance(result, Label)


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@given(finite)
def test_numbers_parse_to_themselves(value: float) -> None:
    assert parse_score(value) == value
    if value.is_integer() and abs(value) < 2**53:
        assert parse_score(int(value)) == value


@given(finite, st.integers(min_value=0, max_value=6), st.sampled_from(["", " ", "\t"]))
def test_numeric_strings_parse_like_numbers(value: float, places: int, pad: str) -> None:
    assert parse_score(repr(value)) == value
    fixed = f"{value:.{places}f}"
    assert parse_score(pad + fixed + pad) == float(fixed)


@given(st.floats(min_value=0, max_value=100, allow_nan=False), st.sampled_from(["", " "]))
def test_percent_strings_become_fractions(percent: float, space: str) -> None:
    text = f"{percent}{space}%"
    assert parse_score(text) == pytest.approx(percent / 100)
    assert parse_percent(text) == pytest.approx(percent / 100)
    assert parse_percent(f"{percent}") == pytest.approx(percent / 100)
    assert parse_percent(percent) == pytest.approx(percent / 100)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.80", 0.8),
        (0.8, 0.8),
        ("0.566", 0.566),
        (1, 1.0),
        ("90%", 0.9),
        ("0", 0.0),
        (None, None),
        ("", None),
        ("n/a", None),
        (True, None),
        ("nan", None),
        (float("inf"), None),
        ([0.5], None),
    ],
)
def test_score_forms_from_the_contract(value: object, expected: float | None) -> None:
    assert parse_score(value) == expected


@given(st.one_of(st.text(max_size=20), st.none(), st.booleans(), st.lists(st.integers())))
def test_parse_score_never_raises_and_is_finite(value: object) -> None:
    result = parse_score(value)
    assert result is None or math.isfinite(result)


@pytest.mark.parametrize(
    ("certainty", "percent", "expected"),
    [
        (0.93, None, 0.93),  # documented fraction
        ("0.95", "95.0", 0.95),  # fraction wins over the percent field
        (None, "90.0", 0.9),  # docs: "certainty (%)": "90.0"
        (None, "90%", 0.9),  # spec-A: "90%"
        (None, 99.5, 0.995),
        (90, None, 0.9),  # a certainty above 1 can only be a percentage
        (None, None, None),
    ],
)
def test_certainty_from_either_field(
    certainty: object, percent: object, expected: float | None
) -> None:
    result = parse_certainty(certainty, percent)
    assert result == (pytest.approx(expected) if expected is not None else None)
