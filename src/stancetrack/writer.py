"""The one way data gets into a dataset: validate everything, then write atomically under the lock.

    with stancetrack.writer.transaction("dataset") as tx:
        tx.append("outcomes", [record])

On leaving the block the whole resulting dataset is validated (layers 1–4); only when it is valid are the
changed tables written, the manifest last, then the folder's derived metadata (:mod:`stancetrack.metadata`).
Any exception inside the block, or any validation error, leaves the files exactly as they were.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Iterable, Iterator

import pandas as pd
import pyarrow as pa

from .errors import DatasetNotFound, InvalidData
from .ids import IdAllocator
from .frames import arrow_from_records, frame_from_arrow, records_from_arrow, records_from_frame
from .metadata import write_dataset_files
from .schemas import TABLES, table_schema
from .storage import locked, read_manifest, read_table, table_path, write_tables
from .validation import validate_table, validate_tables
from .validation.keys import natural_key

TableLike = pd.DataFrame | pa.Table | Iterable[dict[str, Any]]


def to_records(data: TableLike) -> list[dict[str, Any]]:
    if isinstance(data, pd.DataFrame):
        return records_from_frame(data)
    if isinstance(data, pa.Table):
        return records_from_arrow(data)
    return [dict(r) for r in data]


def checked_arrow(name: str, data: TableLike) -> pa.Table:
    """An Arrow table of valid rows in key order, or :class:`InvalidData` naming every row problem."""
    key = table_schema(name).key
    records = sorted(to_records(data), key=lambda r: natural_key(r[key]) if isinstance(r.get(key), str) else ())
    report = validate_table(name, pd.DataFrame(records, columns=_columns(name, records)))
    if not report.valid:
        raise InvalidData(report.errors, f"the {name} rows are invalid")
    return arrow_from_records(name, records)


def _columns(name: str, records: list[dict[str, Any]]) -> list[str]:
    columns = list(table_schema(name).columns)
    for record in records:
        columns += [k for k in record if k not in columns]
    return columns


class Transaction:
    """Pending changes to a dataset folder; see :func:`transaction`."""

    def __init__(self, dataset: Path):
        self.dataset = Path(dataset)
        self._current: dict[str, pa.Table] = {}
        self._changed: dict[str, pa.Table] = {}
        try:
            self.manifest = read_manifest(self.dataset)
        except DatasetNotFound:
            self.manifest = {"tables": {}}
        self.dataset_version: str | None = None
        self._allocators: dict[str, IdAllocator] = {}

    def arrow(self, name: str) -> pa.Table:
        """The table as it stands in this transaction (pending changes included)."""
        if name in self._changed:
            return self._changed[name]
        if name not in self._current:
            path = table_path(self.dataset, name)
            self._current[name] = (read_table(self.dataset, name) if path.exists()
                                   else table_schema(name).arrow_schema().empty_table())
        return self._current[name]

    def new_id(self, name: str) -> str:
        """A new record id for table ``name``: never one the table holds or ever held (:mod:`stancetrack.ids`)."""
        if name not in self._allocators:
            ids = self.arrow(name).column(table_schema(name).key).to_pylist()
            self._allocators[name] = IdAllocator(name, ids, self.manifest.get("id_high_water"))
        return self._allocators[name]()

    def table(self, name: str) -> pd.DataFrame:
        return frame_from_arrow(name, self.arrow(name))

    def records(self, name: str) -> list[dict[str, Any]]:
        return records_from_arrow(self.arrow(name))

    def replace(self, name: str, data: TableLike) -> None:
        """Replace a whole table (rows are validated now; the dataset as a whole on commit)."""
        self._changed[name] = checked_arrow(name, data)

    def append(self, name: str, records: Iterable[dict[str, Any]]) -> None:
        self.replace(name, self.records(name) + [dict(r) for r in records])

    def commit(self) -> None:
        if not self._changed and self.dataset_version is None:
            return
        tables = {name: self.arrow(name) for name in TABLES}
        report = validate_tables(tables, self.dataset)
        if not report.valid:
            raise InvalidData(report.errors, f"the change to {self.dataset} would make it invalid")
        changed = dict(self._changed) if self._changed else {n: tables[n] for n in TABLES}
        write_tables(self.dataset, changed, self.dataset_version)
        write_dataset_files(self.dataset)  # croissant.json, datapackage.json, README.md: after the manifest


@contextlib.contextmanager
def transaction(dataset: str | Path, timeout: float = 30.0) -> Iterator[Transaction]:
    """Change a dataset under its lock; everything is validated and written on a clean exit, nothing otherwise."""
    folder = Path(dataset)
    with locked(folder, timeout):
        tx = Transaction(folder)
        yield tx
        tx.commit()
