"""Conversions between the three forms a table takes: JSON-ready records, Arrow tables and pandas frames.

Records are what the JSON Schemas judge (dates as ISO strings, lists as lists, null as None). Arrow tables are
what Parquet stores, typed by the schema. Frames are what researchers get: enumerations as categoricals,
dates as datetime64, nullable integers and booleans, lists as Python lists.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .schemas import table_schema


def jsonable(value: Any) -> Any:
    """A value as JSON would hold it: dates as ISO strings, numpy scalars and arrays as Python ones, NA as None."""
    if value is None:
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        if pd.isna(value):
            return None
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):  # numpy scalar or array
        return jsonable(value.tolist())
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def records_from_frame(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready records from a DataFrame, one per row, with every column the frame has."""
    columns = list(frame.columns)
    return [dict(zip(columns, (jsonable(v) for v in row))) for row in frame.itertuples(index=False, name=None)]


def records_from_arrow(table: pa.Table) -> list[dict[str, Any]]:
    return [jsonable(r) for r in table.to_pylist()]


class NotTyped(Exception):
    """Records that the schema's Arrow types cannot hold as they are (a wrong JSON type, a missing or extra field)."""


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _from_json(value: Any, typ: pa.DataType) -> Any:
    """A JSON-ready value in the Python form pyarrow expects for ``typ``; :class:`NotTyped` when it does not fit.

    Strict, so that a table built this way holds exactly what jsonschema would judge: no bool taken for an
    integer, no number for a text, no object with other keys than the schema's.
    """
    if value is None:
        return None
    if pa.types.is_dictionary(typ):
        typ = typ.value_type
    if pa.types.is_string(typ):
        ok = isinstance(value, str)
    elif pa.types.is_date32(typ):
        if isinstance(value, str) and _ISO_DAY.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        ok = False
    elif pa.types.is_integer(typ):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif pa.types.is_floating(typ):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif pa.types.is_boolean(typ):
        ok = isinstance(value, bool)
    elif pa.types.is_list(typ):
        if isinstance(value, list):
            return [_from_json(v, typ.value_type) for v in value]
        ok = False
    elif pa.types.is_struct(typ):
        if isinstance(value, dict) and set(value) == {f.name for f in typ}:
            return {f.name: _from_json(value[f.name], f.type) for f in typ}
        ok = False
    else:
        ok = False
    if not ok:
        raise NotTyped(f"{value!r} is not a {typ}")
    return value


def arrow_from_records(name: str, records: Iterable[dict[str, Any]]) -> pa.Table:
    """An Arrow table typed by the table's schema, from JSON-ready records.

    :class:`NotTyped` when a record lacks a column or has another one, or a value has the wrong JSON type: such
    records are judged by the reference validator instead (they are invalid, or need its reading).
    """
    schema = table_schema(name).arrow_schema()
    rows = list(records)
    names = set(schema.names)
    if any(len(r) != len(names) or not names.issuperset(r) for r in rows):
        raise NotTyped("a record's fields differ from the schema's columns")
    try:
        arrays = [pa.array([_from_json(r[f.name], f.type) for r in rows], type=f.type) for f in schema]
    except (pa.ArrowException, OverflowError) as exc:
        raise NotTyped(str(exc)) from exc
    return pa.Table.from_arrays(arrays, schema=schema)


def _series(values: pa.ChunkedArray, enum: list[str] | None) -> Any:
    """One column in its pandas form, converted by Arrow (no Python object per value, except lists and objects)."""
    typ = values.type
    if enum is not None:  # codes into the schema's values, whatever the dictionary the file happened to hold
        plain = values.cast(typ.value_type) if pa.types.is_dictionary(typ) else values
        codes = pc.fill_null(pc.index_in(plain, value_set=pa.array(enum, pa.string())), -1)
        return pd.Categorical.from_codes(codes.to_numpy(), categories=enum)
    if pa.types.is_date32(typ):
        return values.cast(pa.timestamp("ns")).to_pandas()
    if pa.types.is_int64(typ) or pa.types.is_boolean(typ) or pa.types.is_string(typ) or pa.types.is_float64(typ):
        return values.to_pandas(types_mapper=_PANDAS_TYPES.get)
    return pd.Series(values.to_pylist(), dtype="object")  # lists and structs: plain Python objects


_PANDAS_TYPES = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(), pa.string(): pd.StringDtype()}


def frame_from_arrow(name: str, table: pa.Table) -> pd.DataFrame:
    """The researcher's DataFrame of a table: schema-typed columns with pandas' own dtypes.

    Enumerations are categoricals over every allowed value (in the schema's order), dates ``datetime64[ns]``,
    integers and booleans nullable (``Int64``, ``boolean``), text ``string``, lists and objects Python ones.
    """
    ts = table_schema(name)
    columns = {col: _series(table.column(col), ts.enum(col)) for col in ts.columns}
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))
