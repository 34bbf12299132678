"""Layer 2: within a table, every key is unique and rows stand in key order."""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ErrorRecord
from ..schemas import table_schema

_DIGITS = re.compile(r"(\d+)")


def natural_key(value: str) -> tuple:
    """Sort key that orders `st-9999` before `st-10000`."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(value))


def key_errors(name: str, table: pa.Table) -> list[ErrorRecord]:
    key = table_schema(name).key
    if key not in table.column_names:
        return []
    keys = table.column(key)
    errors: list[ErrorRecord] = []
    counts = pc.value_counts(keys.drop_null())
    repeated = {item["values"].as_py() for item in counts if item["counts"].as_py() > 1}
    if repeated:
        seen: set[str] = set()
        for position, value in enumerate(keys.to_pylist()):
            if value in repeated:
                if value in seen:
                    errors.append(ErrorRecord(name, "duplicate-key", f"{key} {value!r} is used by an earlier row",
                                              row=position, id=value, field=key, value=value))
                seen.add(value)
    values = keys.to_pylist()
    for position in range(1, len(values)):
        a, b = values[position - 1], values[position]
        if isinstance(a, str) and isinstance(b, str) and natural_key(b) < natural_key(a):
            errors.append(ErrorRecord(name, "unsorted", f"rows are not in {key} order: {b!r} comes after {a!r}",
                                      row=position, id=b, field=key, value=b))
            break
    return errors
