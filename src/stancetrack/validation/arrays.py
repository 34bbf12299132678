"""Arrow columns as JSON instances: what the compiled checks (:mod:`.compiler`) evaluate, and how a failure is kept.

An :class:`Inst` is one column (or the nested values of a list or object column) with its JSON kind and which
elements are present; a :class:`Failure` is a mask of the elements that break one keyword, with the message of
each. Text columns whose values repeat are evaluated once per distinct value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..frames import jsonable

#: Rows per record batch when reading Parquet or slicing a table (bounded memory, few Python round trips).
BATCH_ROWS = 256 * 1024


def coalesced(table: pa.Table, rows: int = BATCH_ROWS) -> Iterator[pa.Table]:
    """A table in slices of ``rows`` rows, each one chunk per column: a table made of many small chunks is
    checked as fast as one made of one (a few large copies, never the whole table at once)."""
    if table.num_rows == 0:
        yield table
        return
    for start in range(0, table.num_rows, rows):
        part = table.slice(start, rows)
        yield part if all(c.num_chunks <= 1 for c in part.columns) else part.combine_chunks()


class Unvectorizable(Exception):
    """A column's Arrow type has no vectorized JSON meaning; validate the table with the reference engine."""


# --- the pieces a failure is made of ---------------------------------------------------------------------

@dataclass
class Failure:
    """One keyword failing on some elements: ``mask`` marks them, ``message(i)`` says why for element i."""

    path: tuple
    code: str
    mask: np.ndarray
    message: Callable[[int], str]
    field: str | None = None
    conditional: bool = False


@dataclass
class Inst:
    """The instances one subschema is applied to: an Arrow array (or the row object) and its JSON kind."""

    kind: str | None  # string, integer, number, boolean, array, object, null; None for the row object
    n: int
    valid: np.ndarray  # not null (and not NaN)
    arr: pa.Array | None = None
    children: Mapping[str, "Inst"] | None = None
    value_of: Callable[[int], Any] | None = None
    codes: np.ndarray | None = None  # dictionary-encoded text: ``arr`` holds the distinct values

    def value(self, i: int) -> Any:
        if self.value_of is not None:
            return self.value_of(i)
        if self.codes is not None:
            return self.arr[int(self.codes[i])].as_py() if self.valid[i] else None
        return jsonable(self.arr[i].as_py())

    def per_value(self, check: Callable[[pa.Array], np.ndarray]) -> np.ndarray:
        """``check`` (a mask over an array of values) for every element: once per distinct value if encoded."""
        mask = check(self.arr)
        if self.codes is None:
            return mask
        return mask[self.codes] if len(mask) else np.zeros(self.n, dtype=mask.dtype)  # no value: all null


def _bools(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    if arr.null_count:
        arr = pc.fill_null(arr, False)
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=bool)


def _valid(arr: pa.Array) -> np.ndarray:
    return _bools(arr.is_valid()) if arr.null_count else np.ones(len(arr), dtype=bool)


def is_text(typ: pa.DataType) -> bool:
    return pa.types.is_string(typ) or pa.types.is_large_string(typ)


#: The JSON kind of the values of each Arrow type the checks read directly.
_ARROW_KINDS: tuple[tuple[Callable[[pa.DataType], bool], str], ...] = (
    (is_text, "string"), (pa.types.is_integer, "integer"), (pa.types.is_floating, "number"),
    (pa.types.is_boolean, "boolean"), (pa.types.is_list, "array"), (pa.types.is_large_list, "array"),
    (pa.types.is_struct, "object"), (pa.types.is_null, "null"),
)


def _kind_of(typ: pa.DataType) -> str:
    for test, kind in _ARROW_KINDS:
        if test(typ):
            return kind
    raise Unvectorizable(f"no JSON meaning for Arrow type {typ}")


def _text_dictionary(typ: pa.DataType) -> bool:
    return pa.types.is_dictionary(typ) and is_text(typ.value_type)


def normalize(arr: pa.Array | pa.ChunkedArray, keep_text_dictionary: bool = False) -> pa.Array:
    """One contiguous array in a type :func:`_kind_of` knows: dictionaries decoded, dates as ISO strings."""
    if isinstance(arr, pa.ChunkedArray):
        if pa.types.is_dictionary(arr.type) and arr.num_chunks != 1:
            arr = pa.chunked_array([c.dictionary_decode() for c in arr.chunks], arr.type.value_type)
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    typ = arr.type
    if _text_dictionary(typ) and keep_text_dictionary:
        return arr
    if pa.types.is_dictionary(typ):
        return normalize(arr.dictionary_decode())
    if pa.types.is_date(typ):  # what records_from_arrow makes of a date: its isoformat()
        return pc.cast(pc.cast(arr, pa.date32()), pa.string())
    if pa.types.is_string_view(typ):
        return pc.cast(arr, pa.string())
    if pa.types.is_float16(typ):
        return pc.cast(arr, pa.float64())
    _kind_of(typ)
    return arr


#: Text columns longer than this are sampled: when few distinct values repeat (ids of actors, documents,
#: annotators), the column is dictionary-encoded once and every check runs per distinct value.
ENCODE_ROWS = 16 * 1024
_SAMPLE = 2048


def _few_distinct(arr: pa.Array) -> bool:
    if len(arr) < ENCODE_ROWS or not pa.types.is_string(arr.type):
        return False
    sample = arr.take(np.arange(0, len(arr), len(arr) // _SAMPLE))
    return len(pc.unique(sample)) * 8 <= len(sample)


def instance(arr: pa.Array | pa.ChunkedArray, value_of: Callable[[int], Any] | None = None) -> Inst:
    arr = normalize(arr, keep_text_dictionary=True)
    if _few_distinct(arr):
        arr = pc.dictionary_encode(arr)
    if _text_dictionary(arr.type):  # Parquet's dictionary pages as they are: checks run per distinct value
        valid = _valid(arr)
        codes = pc.fill_null(arr.indices, 0).to_numpy(zero_copy_only=False)
        return Inst("string", len(arr), valid, normalize(arr.dictionary), value_of=value_of, codes=codes)
    kind = _kind_of(arr.type)
    valid = _valid(arr)
    if kind == "number":
        valid &= ~_bools(pc.is_nan(arr))  # NaN is what pandas calls missing: jsonable makes it None
    children = None
    if kind == "object":
        children = {arr.type.field(i).name: instance(arr.field(i)) for i in range(arr.type.num_fields)}
    return Inst(kind, len(arr), valid, arr, children, value_of)




# --- pandas frames ---------------------------------------------------------------------------------------

def table_from_records(records: Sequence[dict[str, Any]], columns: Sequence[str]) -> pa.Table:
    """The rows of a pandas frame (as JSON-ready records) as Arrow columns with the same JSON meaning.

    Each column's Arrow type is inferred from its values; :class:`Unvectorizable` when that cannot be done
    without changing what jsonschema would see: mixed types (``1`` and ``"a"``), integers past 64 bits,
    text that is not valid Unicode, or objects that do not all have the same keys.
    """
    arrays = []
    for col in columns:
        values = [r.get(col) for r in records]
        try:
            arr = pa.array(values, from_pandas=False)
        except (pa.ArrowException, ValueError, TypeError, OverflowError, UnicodeError) as exc:
            raise Unvectorizable(f"column {col!r}: {exc}") from exc
        if _has_struct(arr.type) and not all(_same_keys(v, arr.type) for v in values):
            raise Unvectorizable(f"column {col!r}: objects with different keys")
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, names=list(columns)) if columns else pa.table({})


def _has_struct(typ: pa.DataType) -> bool:
    if pa.types.is_struct(typ):
        return True
    return (pa.types.is_list(typ) or pa.types.is_large_list(typ)) and _has_struct(typ.value_type)


def _same_keys(value: Any, typ: pa.DataType) -> bool:
    if value is None:
        return True
    if pa.types.is_struct(typ):
        names = [typ.field(i).name for i in range(typ.num_fields)]
        return set(value) == set(names) and all(_same_keys(value[k], typ.field(k).type) for k in names)
    if pa.types.is_list(typ) or pa.types.is_large_list(typ):
        return all(_same_keys(v, typ.value_type) for v in value)
    return True
