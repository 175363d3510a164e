"""emrlint.report.jsontext writes the same text as json.dumps(doc, indent=2, ensure_ascii=False)."""

from __future__ import annotations

import enum
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emrlint.report import jsontext


def _stdlib(doc):
    return json.dumps(doc, indent=2, ensure_ascii=False)


SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text()
DOCS = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5) | st.tuples(inner, inner)
                    | st.dictionaries(st.text(), inner, max_size=5), max_leaves=40)


@settings(max_examples=400, deadline=None)
@given(DOCS)
def test_same_text_as_the_standard_library(doc):
    assert jsontext.dumps(doc) == _stdlib(doc)


@pytest.mark.parametrize("doc", [
    {}, [], (), "", 0, -0.0, 1e300, 1.5e-7, 2 ** 80, -(2 ** 70), math.nan, math.inf, -math.inf,
    {"a": {}, "b": [], "c": [{}], "d": [[[]]]},
    {"message": "Line 1\nline 2\t\"quoted\" \\ back", "unicode": "café ✓ \u2028 \x00 \x1f \ud800"},
    {"findings": [{"code": "EMR101", "line": 12, "fixable": True, "fix": None}], "summary": {"errors": 1}},
])
def test_edge_values(doc):
    assert jsontext.dumps(doc) == _stdlib(doc)


class _Level(enum.IntEnum):
    HIGH = 3


class _Name(str):
    pass


@pytest.mark.parametrize("doc", [
    {1: "int key", 2.5: "float key", True: "bool key", None: "none key"},
    {"level": _Level.HIGH},
    [_Name("subclass of str")],
    {"nested": {"deeper": [_Level.HIGH, {3: "x"}]}},
])
def test_unusual_values_go_to_the_standard_library(doc):
    assert jsontext.dumps(doc) == _stdlib(doc)


def test_what_the_standard_library_refuses_is_refused_alike():
    with pytest.raises(TypeError):
        jsontext.dumps({"when": object()})
    with pytest.raises(TypeError):
        jsontext.dumps({("a", "b"): 1})
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        jsontext.dumps({"loop": loop})


def test_deep_nesting_gets_the_standard_library_answer():
    doc: list = []
    for _ in range(5000):
        doc = [doc]
    try:
        expected = _stdlib(doc)
    except RecursionError:
        with pytest.raises(RecursionError):
            jsontext.dumps(doc)
    else:
        assert jsontext.dumps(doc) == expected
