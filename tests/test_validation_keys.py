"""The vectorized key checks (layer 2) report what a loop over the rows with ``natural_key`` reports."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from stancetrack.validation.keys import key_column_errors, natural_key

PARTS = ["st-", "st-0", "st-1", "st-01", "a", "a1", "a1b", "ab", "", "9", "09", "é1", "x٣", "st-9",
         "st-99999999999999999999"]
KEYS = st.one_of(st.none(), st.builds(lambda a, b: a + b, st.sampled_from(PARTS),
                                      st.sampled_from(["", "1", "2", "10", "02"])))


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
        if isinstance(a, str) and isinstance(b, str) and natural_key(b) < natural_key(a):
            errors.append(("unsorted", row))
            break
    return errors


@settings(max_examples=500, deadline=None)
@given(st.lists(KEYS, max_size=8))
def test_key_checks_match_the_row_loop(keys):
    found = [(e.code, e.row) for e in key_column_errors("stances", "stance_id", pa.array(keys, pa.string()))]
    assert found == reference(keys)


def test_sorted_unique_keys_skip_the_sort():
    keys = pa.array([f"st-{i:07d}" for i in range(1, 1000)] + ["st-0001000x"])
    assert key_column_errors("stances", "stance_id", keys) == []
