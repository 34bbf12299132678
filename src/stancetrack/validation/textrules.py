"""The text rules of :mod:`stancetrack.textcheck` as error records, for records and for Arrow tables.

The writer checks records before they become Arrow (a lone surrogate cannot); ``validate`` and the writer's
Arrow path check Arrow columns, text nested in lists and structs included. On Arrow, a vectorized pass picks
the values that may break a rule and only those are read in Python, where :func:`~stancetrack.textcheck.text_problem`
decides: one rule, one place, at Arrow speed for the valid rows.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ErrorRecord
from ..frames import records_from_arrow
from ..schemas import table_schema
from ..textcheck import MAX_TEXT, SUSPECT_INVISIBLE, text_problem, unicode_problem


def _limits(name: str, schema_lengths: bool) -> dict[str, float]:
    """Each column's length limit: its schema's ``maxLength`` (or no limit, where the schema check reports it)."""
    ts = table_schema(name)
    return {c: (ts.property(c)["maxLength"] if schema_lengths else math.inf)
            for c in ts.columns if "maxLength" in ts.property(c)}


#: A pattern that admits only visible ASCII: anchored at both ends, with no negated class, no unescaped dot and
#: no class escape (\s, \w, \p{…}) that reaches beyond it. A value it admits breaks no character rule.
_OPEN_PATTERN = re.compile(r"\[\^|(?<!\\)\.|\\[sSwWdDpP]")


def _scope(name: str, column: str) -> str:
    """What the text rules must look at in a column: ``all`` of it, only the ``length`` of its texts (a closed
    pattern: the schema check refuses any other character), or ``none`` (an enumeration of the schema's own
    values; anything else is the schema check's error)."""
    prop = table_schema(name).property(column) if column in table_schema(name).columns else {}
    if "enum" in prop or "const" in prop:
        return "none"
    pattern = prop.get("pattern")
    if pattern and pattern.startswith("^") and pattern.endswith("$") and not _OPEN_PATTERN.search(pattern):
        return "length"
    return "all"


def record_text_errors(name: str, records: list[dict[str, Any]], rows: list[int] | None = None,
                       schema_lengths: bool = True) -> list[ErrorRecord]:
    """One error per value (or field name) that breaks a text rule; ``rows`` numbers the records (default 0…).

    ``schema_lengths``: a column with a ``maxLength`` is held to it (the writer, before the schema check);
    False leaves its length to the schema check, which reports it (``validate``).
    """
    key = table_schema(name).key
    limits = _limits(name, schema_lengths)
    rows = list(range(len(records))) if rows is None else rows
    errors = []
    for row, record in zip(rows, records):
        record_id = record.get(key)
        record_id = record_id if isinstance(record_id, str) and not unicode_problem(record_id) else None
        for column, value in record.items():
            problem = text_problem(value, limits.get(column, MAX_TEXT)) or text_problem(column)
            if problem:
                errors.append(ErrorRecord(name, problem[0], problem[1], row=row, id=record_id,
                                          field=column if not unicode_problem(column) else None))
    return errors


def _is_text(typ: pa.DataType) -> bool:
    return pa.types.is_string(typ) or pa.types.is_large_string(typ)


def _suspects(texts: pa.Array, limit: float, characters: bool = True) -> np.ndarray:
    """Positions of the texts that may break a rule (a superset of those that do), read from the UTF-8 bytes.

    A forbidden character is found byte for byte (below U+0080 a UTF-8 byte is the character itself; U+FFFE and
    U+FFFF are EF BF BE and EF BF BF). A text longer than ``limit`` characters has more bytes than that. An
    invisible text cannot start with a visible ASCII character; the others go through :data:`SUSPECT_INVISIBLE`.
    """
    if not len(texts):
        return np.empty(0, dtype=np.int64)
    _, offset_buffer, data_buffer = texts.buffers()
    width = np.int64 if pa.types.is_large_string(texts.type) else np.int32
    offsets = np.frombuffer(offset_buffer, dtype=width)[texts.offset:texts.offset + len(texts) + 1]
    sizes = np.diff(offsets)
    found = [np.flatnonzero(sizes > limit)] if limit != math.inf and sizes.max() > limit else []
    if not characters:
        return _valid_only(texts, np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64))
    data = np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0]:offsets[-1]] if data_buffer else \
        np.empty(0, dtype=np.uint8)
    starts = offsets[:-1] - offsets[0]
    control = _control_bytes(data)
    if len(control):
        found.append(np.searchsorted(starts, control, side="right") - 1)
    first = np.take(data, starts, mode="clip") if len(data) else np.zeros(len(starts), np.uint8)
    maybe_invisible = np.flatnonzero((sizes > 0) & ((first < 0x21) | (first > 0x7E)))
    if len(maybe_invisible):
        matched = pc.match_substring_regex(texts.take(pa.array(maybe_invisible)), SUSPECT_INVISIBLE)
        found.append(maybe_invisible[matched.fill_null(False).to_numpy(zero_copy_only=False)])
    return _valid_only(texts, np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64))


def _valid_only(texts: pa.Array, rows: np.ndarray) -> np.ndarray:
    return rows[texts.is_valid().to_numpy(zero_copy_only=False)[rows]] if texts.null_count and len(rows) else rows


def _control_bytes(data: np.ndarray) -> np.ndarray:
    """Positions in UTF-8 bytes where a forbidden character starts (one pass per kind, few temporaries)."""
    low = np.flatnonzero(data < 0x20) if len(data) and data.min() < 0x20 else np.empty(0, dtype=np.int64)
    low = low[(data[low] != 0x09) & (data[low] != 0x0A) & (data[low] != 0x0D)]
    lead = np.flatnonzero(data[:-2] == 0xEF) if len(data) > 2 and data.max() >= 0xEF else np.empty(0, np.int64)
    lead = lead[(data[lead + 1] == 0xBF) & ((data[lead + 2] == 0xBE) | (data[lead + 2] == 0xBF))]
    return np.concatenate([low, lead])


def _suspect_rows(arr: pa.Array, limit: float, characters: bool = True) -> np.ndarray:
    """Positions of the values of ``arr`` holding a text that may break a rule, nested texts included."""
    typ = arr.type
    if _is_text(typ):
        return _suspects(arr, limit, characters)
    if pa.types.is_dictionary(typ):  # the distinct texts once, then the rows that use a suspect one
        found = _suspect_rows(arr.dictionary, limit, characters)
        if not len(found):
            return found
        return np.flatnonzero(np.isin(arr.indices.fill_null(-1).to_numpy(zero_copy_only=False), found))
    if pa.types.is_list(typ) or pa.types.is_large_list(typ):
        found = _suspect_rows(arr.flatten(), limit, characters)
        if not len(found):
            return found
        return np.unique(pc.list_parent_indices(arr).to_numpy(zero_copy_only=False)[found])
    if pa.types.is_struct(typ):
        return np.unique(np.concatenate([_suspect_rows(child, limit, characters) for child in arr.flatten()] or [[]])
                         ).astype(np.int64)
    return np.empty(0, dtype=np.int64)


def arrow_text_errors(name: str, batch: pa.Table | pa.RecordBatch, offset: int = 0,
                      schema_lengths: bool = False) -> list[ErrorRecord]:
    """:func:`record_text_errors` for an Arrow batch whose rows are numbered from ``offset``."""
    limits = _limits(name, schema_lengths)
    rows: set[int] = set()
    for column_name in batch.schema.names:
        scope = _scope(name, column_name)
        if scope == "none":
            continue
        column = batch.column(column_name)
        if isinstance(column, pa.ChunkedArray):  # many small chunks cost more in calls than one copy does
            chunks = column.chunks if len(column) >= 65_536 * column.num_chunks else [column.combine_chunks()]
        else:
            chunks = [column]
        start = 0
        for chunk in chunks:
            found = _suspect_rows(chunk, limits.get(column_name, MAX_TEXT), scope == "all")
            rows.update((found + start).tolist())
            start += len(chunk)
    if not rows:
        return []
    picked = sorted(rows)
    table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
    records = records_from_arrow(table.take(picked))
    return record_text_errors(name, records, [offset + r for r in picked], schema_lengths)
