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


def row_slices(table: pa.Table, rows: int = BATCH_ROWS) -> Iterator[pa.Table]:
    """A table in slices of ``rows`` rows (views, nothing copied; the checks run over a slice's chunks as they
    are, so a table made of many small chunks is checked as fast as one made of one)."""
    if table.num_rows == 0:
        yield table
        return
    for start in range(0, table.num_rows, rows):
        yield table.slice(start, rows)


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
    _encoded: tuple = field(default=None, repr=False)  # plain text: (values, codes) once encoded, () if not worth it

    def value(self, i: int) -> Any:
        if self.value_of is not None:
            return self.value_of(i)
        if self.codes is not None:
            return self.arr[int(self.codes[i])].as_py() if self.valid[i] else None
        return jsonable(self.arr[i].as_py())

    def per_value(self, check: Callable[[pa.Array], np.ndarray], costly: bool = False) -> np.ndarray:
        """``check`` (a mask over an array of values) for every element: once per distinct value if encoded.

        A ``costly`` check (a regular expression, a date) on a long plain text column whose values repeat
        encodes the column first (once, kept for the next costly check); a cheap one (a set lookup, a length)
        costs less than the encoding and runs on the column as it is.
        """
        values, codes = self.arr, self.codes
        if codes is None and costly and self.kind == "string":
            if self._encoded is None:
                self._encoded = _split(pc.dictionary_encode(self.arr)) if _few_distinct(self.arr) else ()
            if self._encoded:
                values, codes = self._encoded
        if costly and isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        mask = check(values)
        if codes is None:
            return mask
        return mask[codes] if len(mask) else np.zeros(self.n, dtype=mask.dtype)  # no value: all null


def _split(encoded: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """A dictionary array (its chunks sharing one dictionary) as its distinct values and each element's code."""
    if not isinstance(encoded, pa.ChunkedArray):
        return encoded.dictionary, pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False)
    indices = pa.chunked_array([c.indices for c in encoded.chunks], encoded.type.index_type)
    return encoded.chunk(0).dictionary, pc.fill_null(indices, 0).to_numpy(zero_copy_only=False)


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


def _flat(typ: pa.DataType) -> bool:
    return is_text(typ) or pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_boolean(typ)


def normalize(arr: pa.Array | pa.ChunkedArray, keep_text_dictionary: bool = False,
              keep_chunks: bool = False) -> pa.Array | pa.ChunkedArray:
    """One array in a type :func:`_kind_of` knows: dictionaries decoded, dates as ISO strings.

    With ``keep_chunks``, a column of several chunks stays as it is when its values are text, numbers or booleans
    (the checks run over the chunks without copying them; a text dictionary gets one dictionary for all its
    chunks); any other column becomes one contiguous array.
    """
    if isinstance(arr, pa.ChunkedArray):
        if arr.num_chunks > 1 and keep_chunks:
            if _text_dictionary(arr.type) and keep_text_dictionary:
                return arr.unify_dictionaries()
            if pa.types.is_dictionary(arr.type):
                arr = pa.chunked_array([c.dictionary_decode() for c in arr.chunks], arr.type.value_type)
            if _flat(arr.type) and not pa.types.is_float16(arr.type):
                return arr
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


#: Text columns longer than this are sampled before a costly check: when few distinct values repeat (ids of
#: actors, documents), the column is dictionary-encoded once and costly checks run per distinct value.
ENCODE_ROWS = 16 * 1024
_SAMPLE = 2048


def _few_distinct(arr: pa.Array | pa.ChunkedArray) -> bool:
    if len(arr) < ENCODE_ROWS or not pa.types.is_string(arr.type):
        return False
    if isinstance(arr, pa.ChunkedArray):  # a take across many chunks is slow: runs of rows spread evenly
        run = 64
        starts = range(0, len(arr) - run + 1, max(1, (len(arr) - run) // (_SAMPLE // run - 1)))
        sample = pa.chunked_array([c for s in starts for c in arr.slice(s, run).chunks], arr.type)
    else:
        sample = arr.take(np.arange(0, len(arr), max(1, len(arr) // _SAMPLE)))
    return len(pc.unique(sample)) * 8 <= len(sample)


def instance(arr: pa.Array | pa.ChunkedArray, value_of: Callable[[int], Any] | None = None) -> Inst:
    arr = normalize(arr, keep_text_dictionary=True, keep_chunks=True)
    if _text_dictionary(arr.type):  # Parquet's dictionary pages as they are: checks run per distinct value
        dictionary, codes = _split(arr)
        return Inst("string", len(arr), _valid(arr), normalize(dictionary), value_of=value_of, codes=codes)
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
