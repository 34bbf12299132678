"""Export one table as CSV or JSON Lines, for review and for tools that do not read Parquet."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

from .errors import UnknownFormat, UnsafeOutput
from .schemas import table_schema

#: The formats, read by the CLI's help without importing pandas or pyarrow (imported when a table is exported).
FORMATS = ("csv", "jsonl")


def export_text(dataset: str | Path, name: str, fmt: str) -> str:
    """The table as CSV (lists and objects JSON-encoded in their cells) or JSON Lines, from one committed version."""
    if fmt not in FORMATS:
        raise UnknownFormat(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    from .frames import records_from_arrow
    from .storage import sound_snapshot

    records = records_from_arrow(sound_snapshot(Path(dataset), (name,)).table(name))
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=table_schema(name).columns, lineterminator="\n")
    writer.writeheader()
    for r in records:
        writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                         for k, v in r.items()})
    return buffer.getvalue()


def check_output(output: str | Path, dataset: str | Path) -> Path:
    """``output`` if an export may write it: a new path or a regular file, in an existing folder, outside the
    dataset folder; else :class:`UnsafeOutput` saying why (a symlink, FIFO or device is never replaced)."""
    path = Path(output)
    folder = path.parent
    if not folder.is_dir():
        raise UnsafeOutput(f"{output}: the folder {folder} does not exist")
    if folder.resolve() == Path(dataset).resolve():
        raise UnsafeOutput(f"{output} is inside the dataset folder {dataset}; write the export elsewhere")
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return path
    if stat.S_ISLNK(mode):
        raise UnsafeOutput(f"{output} is a symbolic link; give the path of a new or regular file")
    if not stat.S_ISREG(mode):
        raise UnsafeOutput(f"{output} is not a regular file (a folder, FIFO, socket or device); give the path of "
                           "a new or regular file")
    return path


def export_table(dataset: str | Path, name: str, fmt: str, output: str | Path) -> None:
    """Write the export to ``output`` atomically (see :func:`check_output` for what is refused)."""
    from .storage import atomic_write_bytes

    path = check_output(output, dataset)
    data = export_text(dataset, name, fmt).encode("utf-8")
    atomic_write_bytes(check_output(path, dataset), data)
