"""The vectorized key checks (layer 2) report what a loop over the rows with ``natural_key`` reports."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stancetrack.validation.keys as keys_module
from stancetrack.validation.keys import key_column_errors

PARTS = ["st-", "st-0", "st-1", "st-01", "a", "a1", "a1b", "ab", "", "9", "09", "é1", "x٣", "st-9",
         "st-99999999999999999999"]
KEYS = st.one_of(st.none(), st.builds(lambda a, b: a + b, st.sampled_from(PARTS),
                                      st.sampled_from(["", "1", "2", "10", "02"])))


def oracle_key(value: str) -> tuple:
    """Natural order, written independently of the implementation: runs of digits compare as numbers."""
    parts = re.split(r"(\d+)", value)  # text, digits, text, ...: the same shape for every key
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


def test_oracle_orders_numbers_by_value():
    assert sorted(["st-10", "st-9", "st-0100", "a", "st-"], key=oracle_key) == ["a", "st-", "st-9", "st-10",
                                                                                "st-0100"]


def reference(keys: list[str | None]) -> list[tuple[str, int]]:
    """The foundation's loop: every repeat after the first, then the first row out of natural order."""
    errors, seen = [], set()
    repeated = {k for k in keys if k is not None and keys.count(k) > 1}
    for row, key in enumerate(keys):
        if key in repeated:
            if key in seen:
                errors.append(("duplicate-key", row))
            seen.add(key)
    for row in range(1, len(keys)):
        a, b = keys[row - 1], keys[row]
        if isinstance(a, str) and isinstance(b, str) and oracle_key(b) < oracle_key(a):
            errors.append(("unsorted", row))
            break
    return errors


@settings(max_examples=500, deadline=None)
@given(st.lists(KEYS, max_size=8))
def test_key_checks_match_the_row_loop(keys):
    found = [(e.code, e.row) for e in key_column_errors("stances", "stance_id", pa.array(keys, pa.string()))]
    assert found == reference(keys)


def test_sorted_unique_keys_skip_the_sort(monkeypatch):
    keys = pa.array([f"st-{i:07d}" for i in range(1, 1000)] + ["st-0001000x"])

    def no_sort(*args, **kwargs):
        raise AssertionError("strictly ascending keys cannot repeat: the duplicate search must not sort them")

    monkeypatch.setattr(keys_module, "_repeats", no_sort)
    assert key_column_errors("stances", "stance_id", keys) == []
    with pytest.raises(AssertionError, match="must not sort"):  # keys that do not ascend do go through it
        key_column_errors("stances", "stance_id", pa.array(["st-0002", "st-0001"]))
