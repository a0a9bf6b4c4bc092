"""The content model and lock writer gives json.dumps' own text (msa_builder/_jsontext.py)."""

from __future__ import annotations

import enum
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from msa_builder._jsontext import dumps

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                      | st.dictionaries(st.text(), inner, max_size=4), max_leaves=30)


@settings(max_examples=300)
@given(VALUES, st.sampled_from([1, 2]))
def test_the_text_is_json_dumps_own(value, indent):
    assert dumps(value, indent=indent) == json.dumps(value, indent=indent, ensure_ascii=False)


class Tier(str, enum.Enum):
    MANAGED = "managed"


def test_values_it_does_not_copy_are_left_to_json_dumps():
    for value in ({"tier": Tier.MANAGED}, {1: "a", None: "b"}, [True, 1.5, float("nan"), -float("inf")]):
        assert dumps(value, indent=1) == json.dumps(value, indent=1, ensure_ascii=False)
