"""Python (code point) offsets <-> Label Studio (UTF-16) offsets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stancetrack.annotate.offsets import OffsetError, OffsetMap, utf16_len

# text that mixes ASCII, accented Latin, and characters beyond the BMP (emoji, mathematical letters)
texts = st.text(alphabet=st.sampled_from(list("ab é’\n") + ["😀", "𝒜", "🇺", "🏔", "\u0301"]), max_size=60)


def js_index(text: str, index: int) -> int:
    """What JavaScript's String indices say: UTF-16 code units before code point ``index``."""
    return len(text[:index].encode("utf-16-le")) // 2


@given(texts, st.data())
def test_round_trip(text, data):
    offsets = OffsetMap(text)
    index = data.draw(st.integers(0, len(text)))
    unit = offsets.to_utf16(index)
    assert unit == js_index(text, index)
    assert offsets.to_codepoint(unit) == index
    assert offsets.utf16_length == utf16_len(text) == len(text.encode("utf-16-le")) // 2


def test_emoji_counts_two_units():
    offsets = OffsetMap("a😀b")
    assert [offsets.to_utf16(i) for i in range(4)] == [0, 1, 3, 4]
    assert offsets.to_codepoint(3) == 2


@pytest.mark.parametrize("unit, message", [(2, "surrogate pair"), (5, "outside"), (-1, "outside"), ("1", "integer")])
def test_refuses_offsets_that_are_not_character_boundaries(unit, message):
    with pytest.raises(OffsetError, match=message):
        OffsetMap("a😀b").to_codepoint(unit)
