"""Record ids: the one allocator every writer of new records uses.

A table whose key pattern in its JSON Schema reads ``^PREFIX-[0-9]{N,}$`` (mentions ``mn-``, stances ``st-``,
outcomes ``oc-``, ...) numbers its records; the prefix and the minimum number of digits are read from that
pattern. Ids are never reused: the manifest keeps each table's ``id_high_water`` (the highest number it ever
used), and a new id is numbered above both that mark and every id the table has now. Tables with free-form ids
(documents, actors, topics) have no allocator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from .schemas import TABLES, table_schema

_NUMBERED = re.compile(r"^\^([a-z]+)-\[0-9\]\{([0-9]+),\}\$$")


@dataclass(frozen=True)
class IdFormat:
    """How a numbered table writes its ids: ``prefix-`` and at least ``digits`` digits."""

    prefix: str
    digits: int

    def format(self, number: int) -> str:
        return f"{self.prefix}-{number:0{self.digits}d}"

    def number(self, value: Any) -> int | None:
        """The number of an id of this table (None for anything else)."""
        if isinstance(value, str) and value.startswith(self.prefix + "-") and value[len(self.prefix) + 1:].isdigit():
            return int(value[len(self.prefix) + 1:])
        return None


@lru_cache(maxsize=None)
def id_format(table: str) -> IdFormat | None:
    """The id format of a table, read from its key's ``pattern``; None when the ids are not numbered."""
    schema = table_schema(table)
    match = _NUMBERED.match(schema.property(schema.key).get("pattern", ""))
    return IdFormat(match.group(1), int(match.group(2))) if match else None


def max_id_number(table: str, ids: Iterable[Any]) -> int:
    """The largest number among ``ids`` of a numbered table (0 when there is none)."""
    fmt = id_format(table)
    if fmt is None:
        return 0
    return max((n for n in map(fmt.number, ids) if n is not None), default=0)


def id_high_water(previous: dict[str, int], tables: dict[str, Any]) -> dict[str, int]:
    """The manifest's new ``id_high_water``: the previous marks raised to the largest id each table holds now.

    ``tables`` maps table names to Arrow tables; only numbered tables have a mark.
    """
    high = {name: int(n) for name, n in previous.items()}
    for name, table in tables.items():
        number = max_id_number(name, table.column(table_schema(name).key).to_pylist())
        if number:
            high[name] = max(high.get(name, 0), number)
    return {name: high[name] for name in TABLES if name in high}


class IdAllocator:
    """New ids of one table, numbered above its high-water mark and every id it holds; each one is handed out once.

        allocate = IdAllocator("outcomes", existing_ids, manifest.get("id_high_water", {}))
        allocate()  # 'oc-0035'
    """

    def __init__(self, table: str, existing: Iterable[Any] = (), high_water: dict[str, int] | None = None):
        fmt = id_format(table)
        if fmt is None:
            raise ValueError(f"the {table} table has no numbered ids: its records are named, not allocated")
        self.table = table
        self.format = fmt
        self.last = max(max_id_number(table, existing), int((high_water or {}).get(table, 0)))

    def __call__(self) -> str:
        self.last += 1
        return self.format.format(self.last)
