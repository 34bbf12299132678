"""Layer 2: within a table, every key is unique and rows stand in key order.

Both checks are vectorized: duplicates come from one stable sort of the key column, the order from comparing
each key with the one before it, split into its text prefix and trailing number where it has that shape
(``st-0042``, ``trump``); only pairs of keys of another shape are compared in Python.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ErrorRecord
from ..schemas import table_schema
from .compiler import Unvectorizable, is_text, normalize

_DIGITS = re.compile(r"(\d+)")


def natural_key(value: str) -> tuple:
    """Sort key that orders `st-9999` before `st-10000`."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(value))


def key_errors(name: str, table: pa.Table) -> list[ErrorRecord]:
    key = table_schema(name).key
    if key not in table.column_names:
        return []
    return key_column_errors(name, key, table.column(key))


#: Keys compared per slice of this many rows, so the temporaries stay small whatever the table's size.
SLICE_ROWS = 1 << 20


def key_column_errors(name: str, key: str, keys: pa.Array | pa.ChunkedArray) -> list[ErrorRecord]:
    """Repeated keys (every occurrence after the first) and the first row out of key order."""
    chunks = keys.chunks if isinstance(keys, pa.ChunkedArray) else [keys]
    try:
        chunks = [normalize(c) for c in chunks if len(c)]
    except Unvectorizable:
        pass
    if not chunks or pa.types.is_null(chunks[0].type):
        return []
    if len(chunks) > 1 and len({c.type for c in chunks}) == 1:
        chunks = [pa.concat_arrays(chunks)]  # one copy of the keys, not one pass of every check per small chunk
    row, ascending = _order(chunks) if is_text(chunks[0].type) else (None, False)  # not text: layer 1 says
    keys = pa.chunked_array(chunks)
    repeats = [] if ascending else _repeats(keys.combine_chunks())  # strictly ascending keys cannot repeat
    errors = [ErrorRecord(name, "duplicate-key", f"{key} {value!r} is used by an earlier row",
                          row=row, id=value, field=key, value=value) for row, value in repeats]
    if row is not None:
        a, b = keys[row - 1].as_py(), keys[row].as_py()
        errors.append(ErrorRecord(name, "unsorted", f"rows are not in {key} order: {b!r} comes after {a!r}",
                                  row=row, id=b, field=key, value=b))
    return errors


def _order(chunks: list[pa.Array]) -> tuple[int | None, bool]:
    """:func:`_first_unsorted` slice by slice (no copy of the column), each with the key before it."""
    ascending, start, before = True, 0, None
    for chunk in chunks:
        for at in range(0, len(chunk), SLICE_ROWS):
            part = chunk.slice(at, SLICE_ROWS)
            window = part if before is None else pa.concat_arrays([before, part])
            row, strictly = _first_unsorted(window)
            ascending = ascending and strictly
            if row is not None:
                return start + row - (0 if before is None else 1), False
            before, start = part.slice(len(part) - 1), start + len(part)
    return None, ascending


def _repeats(keys: pa.Array) -> list[tuple[int, str]]:
    order = pc.array_sort_indices(keys)  # stable: equal keys keep their row order; nulls last
    ranked = keys.take(order)
    same = pc.fill_null(pc.equal(ranked[1:], ranked[:-1]), False)
    if not pc.any(same).as_py():
        return []
    rows = np.sort(order.to_numpy()[1:][_np(same)])
    return [(int(r), keys[int(r)].as_py()) for r in rows]


def _np(mask) -> np.ndarray:
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


def _shapes(keys: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per key: whether it is ASCII text then trailing digits only, the rank of its text prefix among the distinct
    prefixes (in string order), and its number of trailing digits.

    The prefixes (the text before the trailing digits) repeat, so whether one holds a digit or other than ASCII,
    and how it sorts, is decided once per distinct prefix; the keys then compare as numbers.
    """
    prefix = pc.utf8_rtrim(keys, characters="0123456789")
    digits = _sizes(keys) - _sizes(prefix)  # ASCII digits: as many bytes as characters
    encoded = pc.dictionary_encode(prefix)
    distinct = encoded.dictionary
    plain = _np(pc.string_is_ascii(distinct)) & ~_np(pc.match_substring_regex(distinct, "[0-9]"))
    rank = np.empty(len(distinct) + 1, dtype=np.int64)
    rank[pc.array_sort_indices(distinct).to_numpy()] = np.arange(len(distinct))
    rank[-1] = -1  # null keys
    indices = pc.fill_null(encoded.indices, len(distinct)).to_numpy()
    return np.append(plain, False)[indices], rank[indices], digits


def _sizes(arr: pa.Array) -> np.ndarray:
    return pc.fill_null(pc.binary_length(arr), 0).to_numpy()


def _first_unsorted(keys: pa.Array) -> tuple[int | None, bool]:
    """The first row whose key sorts (naturally) before the previous one, and whether keys strictly ascend.

    Two keys of the shape text-then-digits with different texts compare as their texts; with the same text and
    as many digits, as strings. Other pairs (another shape, or 9 before 10) are compared with ``natural_key``.
    """
    if len(keys) < 2:
        return None, True
    fits, prefix, digits = _shapes(keys)
    a, b = slice(None, -1), slice(1, None)
    same_prefix = prefix[b] == prefix[a]
    plain = fits[a] & fits[b] & (~same_prefix | (digits[a] == digits[b]))
    valid = _np(keys.is_valid())
    both_valid = valid[a] & valid[b]
    same = plain & same_prefix
    not_after = same & _np(pc.less_equal(keys[b], keys[a]))  # descending or equal: rare, told apart below
    descending = plain & (prefix[b] < prefix[a])
    ascending = bool(np.all(both_valid) and not np.any(descending | not_after))
    if not_after.any():
        descending |= same & _np(pc.less(keys[b], keys[a]))
    first = np.flatnonzero(descending)
    candidates = [int(first[0])] if len(first) else []
    for p in np.flatnonzero(both_valid & ~plain).tolist():
        if candidates and p >= min(candidates) and not ascending:
            break
        before, after = natural_key(keys[p].as_py()), natural_key(keys[p + 1].as_py())
        ascending = ascending and before < after
        if after < before:
            candidates.append(p)
    return (min(candidates) + 1 if candidates else None), ascending
