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
from .compiler import Unvectorizable, normalize

_DIGITS = re.compile(r"(\d+)")


def natural_key(value: str) -> tuple:
    """Sort key that orders `st-9999` before `st-10000`."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(value))


def key_errors(name: str, table: pa.Table) -> list[ErrorRecord]:
    key = table_schema(name).key
    if key not in table.column_names:
        return []
    return key_column_errors(name, key, table.column(key))


def key_column_errors(name: str, key: str, keys: pa.Array | pa.ChunkedArray) -> list[ErrorRecord]:
    """Repeated keys (every occurrence after the first) and the first row out of key order."""
    try:
        keys = normalize(keys)
    except Unvectorizable:
        keys = keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys
    if pa.types.is_null(keys.type) or len(keys) == 0:
        return []
    text = pa.types.is_string(keys.type) or pa.types.is_large_string(keys.type)
    row, ascending = _first_unsorted(keys) if text else (None, False)  # not text: layer 1 reports them
    repeats = [] if ascending else _repeats(keys)  # strictly ascending keys cannot repeat
    errors = [ErrorRecord(name, "duplicate-key", f"{key} {value!r} is used by an earlier row",
                          row=row, id=value, field=key, value=value) for row, value in repeats]
    if row is not None:
        a, b = keys[row - 1].as_py(), keys[row].as_py()
        errors.append(ErrorRecord(name, "unsorted", f"rows are not in {key} order: {b!r} comes after {a!r}",
                                  row=row, id=b, field=key, value=b))
    return errors


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


def _shapes(keys: pa.Array) -> tuple[np.ndarray, pa.Array, np.ndarray, np.ndarray]:
    """Per key: whether it is ASCII text then at most 18 trailing digits, its text prefix, has digits, number."""
    keys = keys.cast(pa.large_string())
    prefix = pc.utf8_rtrim(keys, characters="0123456789")
    digits = (pc.fill_null(pc.utf8_length(keys), 0).to_numpy() - pc.fill_null(pc.utf8_length(prefix), 0).to_numpy())
    _, offsets_buf, data_buf = keys.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[keys.offset:keys.offset + len(keys) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    counted = np.concatenate([[0], np.cumsum((data - 48) < 10, dtype=np.int32)])  # ASCII digits so far
    fits = (_np(pc.string_is_ascii(keys)) & (counted[offsets[1:]] - counted[offsets[:-1]] == digits)
            & (digits <= 18))
    width = np.where(fits, digits, 0)
    number = np.zeros(len(keys), dtype=np.int64)
    for place in range(int(width.max(initial=0))):  # one pass per decimal place, at most 18
        rows = np.flatnonzero(width > place)
        number[rows] += (data[offsets[rows + 1] - 1 - place].astype(np.int64) - 48) * 10 ** place
    return fits, prefix, digits > 0, number


def _first_unsorted(keys: pa.Array) -> tuple[int | None, bool]:
    """The first row whose key sorts (naturally) before the previous one, and whether keys strictly ascend."""
    if len(keys) < 2:
        return None, True
    fits, prefix, has_number, number = _shapes(keys)
    a, b = slice(None, -1), slice(1, None)
    prefix_less = _np(pc.less(prefix[b], prefix[a]))
    prefix_same = _np(pc.equal(prefix[b], prefix[a]))
    number_less = (~has_number[b] & has_number[a]) | (has_number[b] & has_number[a] & (number[b] < number[a]))
    number_same = (has_number[b] == has_number[a]) & (number[b] == number[a])
    both_fit = fits[a] & fits[b]
    valid = _np(keys.is_valid())
    both_valid = valid[a] & valid[b]
    descending = both_fit & (prefix_less | (prefix_same & number_less))
    ascending = bool(np.all(both_valid) and not np.any(both_fit & (descending | (prefix_same & number_same))))
    first = np.flatnonzero(descending)
    candidates = [int(first[0])] if len(first) else []
    for p in np.flatnonzero(both_valid & ~both_fit).tolist():  # keys of another shape: compared in Python
        if candidates and p >= min(candidates) and not ascending:
            break
        before, after = natural_key(keys[p].as_py()), natural_key(keys[p + 1].as_py())
        ascending = ascending and before < after
        if after < before:
            candidates.append(p)
    return (min(candidates) + 1 if candidates else None), ascending
