"""Export one table as CSV or JSON Lines, for review and for tools that do not read Parquet."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .errors import UnknownFormat
from .schemas import table_schema

#: The formats, read by the CLI's help without importing pandas or pyarrow (imported when a table is exported).
FORMATS = ("csv", "jsonl")


def export_text(dataset: str | Path, name: str, fmt: str) -> str:
    """The table as CSV (lists and objects JSON-encoded in their cells) or JSON Lines."""
    if fmt not in FORMATS:
        raise UnknownFormat(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    from .frames import records_from_arrow
    from .storage import read_table

    records = records_from_arrow(read_table(Path(dataset), name))
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=table_schema(name).columns, lineterminator="\n")
    writer.writeheader()
    for r in records:
        writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                         for k, v in r.items()})
    return buffer.getvalue()


def export_table(dataset: str | Path, name: str, fmt: str, output: str | Path) -> None:
    from .storage import atomic_write_bytes

    atomic_write_bytes(Path(output), export_text(dataset, name, fmt).encode("utf-8"))
