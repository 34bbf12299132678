"""The one way data gets into a dataset: validate everything, then write atomically under the lock.

    with stancetrack.writer.transaction("dataset") as tx:
        tx.append("outcomes", [record])

On leaving the block the whole resulting dataset is validated (layers 1–4); only when it is valid are the
changed tables, the manifest and the folder's derived metadata (:mod:`stancetrack.metadata`) committed, all or
nothing (:mod:`stancetrack.storage`). Any exception inside the block, any validation error, or a crash at any
instant leaves the files exactly as they were (or, past the commit point, exactly the new version).

A writer changes an existing dataset; ``transaction(folder, create=True)`` makes a new one in a missing or
empty folder.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Iterable, Iterator

import pandas as pd
import pyarrow as pa

from .errors import InvalidData
from .frames import arrow_from_records, frame_from_arrow, records_from_arrow, records_from_frame
from .metadata import derived_files
from .schemas import TABLES, table_schema
from .storage import Snapshot, commit_tables, writing
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

    def __init__(self, dataset_dir: Path, base: Snapshot | None = None):
        self.dataset_dir = Path(dataset_dir)
        self._base = base
        self._current: dict[str, pa.Table] = {}
        self._changed: dict[str, pa.Table] = {}
        self.manifest = base.manifest if base is not None else {"tables": {}}
        self.dataset_version: str | None = None

    def arrow(self, name: str) -> pa.Table:
        """The table as it stands in this transaction (pending changes included)."""
        if name in self._changed:
            return self._changed[name]
        if name not in self._current:
            self._current[name] = (self._base.table(name) if self._base is not None
                                   else table_schema(name).arrow_schema().empty_table())
        return self._current[name]

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
        report = validate_tables(tables, self.dataset_dir)
        if not report.valid:
            raise InvalidData(report.errors, f"the change to {self.dataset_dir} would make it invalid")
        changed = dict(self._changed) if self._changed else {n: tables[n] for n in TABLES}
        # croissant.json, datapackage.json and README.md of the new version are part of the same commit
        commit_tables(self.dataset_dir, changed, self.dataset_version, derived_files(self.dataset_dir), self._base)


@contextlib.contextmanager
def transaction(dataset_dir: str | Path, timeout: float = 30.0, create: bool = False) -> Iterator[Transaction]:
    """Change a dataset under its lock; everything is validated and written on a clean exit, nothing otherwise.

    The folder must hold a dataset whose files match its manifest; with ``create`` it may also be missing or
    empty, and a new dataset is made there.
    """
    folder = Path(dataset_dir)
    with writing(folder, create, timeout) as base:
        tx = Transaction(folder, base)
        yield tx
        tx.commit()
