"""Offsets at the Label Studio boundary: UTF-16 code units (JavaScript string indices) <-> code points.

The dataset counts Unicode code points (Python string indices); Label Studio's text regions count UTF-16 code
units, in which a character beyond the Basic Multilingual Plane (an emoji, say) takes two. Every conversion
happens here, against the text the offsets index.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate

from ..errors import OffsetError


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class OffsetMap:
    """Offsets of one text in both units; built once per text, each conversion is a lookup."""

    def __init__(self, text: str):
        self.text = text
        # _units[i] = UTF-16 offset of code point i; one entry past the end
        self._units = [0, *accumulate(2 if ord(ch) > 0xFFFF else 1 for ch in text)]

    @property
    def utf16_length(self) -> int:
        return self._units[-1]

    def to_utf16(self, index: int) -> int:
        """The UTF-16 offset of code-point offset ``index`` (0 ≤ index ≤ len(text))."""
        if not 0 <= index <= len(self.text):
            raise OffsetError(f"code-point offset {index} is outside the text (0..{len(self.text)})")
        return self._units[index]

    def to_codepoint(self, unit: int) -> int:
        """The code-point offset of UTF-16 offset ``unit``; refuses offsets outside the text or inside a pair."""
        if not isinstance(unit, int) or isinstance(unit, bool):
            raise OffsetError(f"offset {unit!r} is not an integer")
        if not 0 <= unit <= self.utf16_length:
            raise OffsetError(f"UTF-16 offset {unit} is outside the paragraph (0..{self.utf16_length})")
        index = bisect_left(self._units, unit)
        if self._units[index] != unit:
            raise OffsetError(f"UTF-16 offset {unit} falls inside a surrogate pair (the middle of one character)")
        return index


def to_utf16(text: str, index: int) -> int:
    return OffsetMap(text).to_utf16(index)


def to_codepoint(text: str, unit: int) -> int:
    return OffsetMap(text).to_codepoint(unit)
