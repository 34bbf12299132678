"""The one way data gets into a dataset: validate everything, then write atomically under the lock.

    with stancetrack.transaction("dataset") as tx:
        tx.append("outcomes", [{"outcome_id": tx.new_id("outcomes"), ...}])

Rows become a schema-typed Arrow table once, when they enter the transaction, and the compiled validator
checks that table (rows and keys). On leaving the block the rest of the resulting dataset is validated
(references, spans against the source texts, and the rows of the tables not changed); only when it is all valid
are the changed tables, the manifest and the folder's derived metadata (:mod:`stancetrack.metadata`, made from
the same tables) committed, all or nothing (:mod:`stancetrack.storage`). Any exception inside the block, any
validation error, or a crash at any instant leaves the files exactly as they were (or, past the commit point,
exactly the new version). ``transaction(dataset, dry_run=True)`` does every check and writes nothing (it needs
no lock, so it works on a read-only folder too).

A writer changes an existing dataset whose files match its manifest; ``transaction(folder, create=True)`` makes
a new one in a missing or empty folder.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Iterable, Iterator

import pandas as pd
import pyarrow as pa

from .errors import ErrorRecord, InvalidData
from .frames import NotTyped, arrow_from_records, frame_from_arrow, records_from_arrow, records_from_frame
from .ids import IdAllocator
from .metadata import derived_files
from .schemas import TABLES, cast_to_schema, table_schema
from .storage import Snapshot, check_writable, commit_tables, is_dataset, sound_snapshot, writing
from .validation import validate_table, validate_tables
from .validation.keys import natural_key
from .validation.textrules import record_text_errors

TableLike = pd.DataFrame | pa.Table | Iterable[dict[str, Any]]


def to_records(data: TableLike) -> list[dict[str, Any]]:
    if isinstance(data, pd.DataFrame):
        return records_from_frame(data)
    if isinstance(data, pa.Table):
        return records_from_arrow(data)
    return [dict(r) for r in data]


def _in_key_order(name: str, table: pa.Table) -> pa.Table:
    key = table_schema(name).key
    if key not in table.column_names:
        return table
    keys = [natural_key(k) if isinstance(k, str) else () for k in table.column(key).to_pylist()]
    if all(a < b for a, b in zip(keys, keys[1:])):
        return table
    return table.take(sorted(range(len(keys)), key=keys.__getitem__))


def _checked(name: str, table: pa.Table | pd.DataFrame) -> None:
    report = validate_table(name, table)
    if not report.valid:
        raise InvalidData(report.errors, f"the {name} rows are invalid")


def _check_text(name: str, records: list[dict[str, Any]], first_row: int = 0) -> None:
    """:class:`InvalidData` for a text the dataset refuses (see :mod:`stancetrack.textcheck`)."""
    errors = record_text_errors(name, records, list(range(first_row, first_row + len(records))))
    if errors:
        raise InvalidData(errors, f"the {name} rows are invalid")


def typed_records(name: str, records: list[dict[str, Any]]) -> pa.Table:
    """JSON-ready records as a schema-typed Arrow table, or :class:`InvalidData` naming every row problem.

    Records that the schema's types cannot hold as they are (a wrong JSON type, a missing or extra field) are
    judged by the reference validator, which names every problem.
    """
    _check_text(name, records)
    try:
        return arrow_from_records(name, records)
    except NotTyped:
        frame = pd.DataFrame(records, columns=_columns(name, records))
        _checked(name, frame)  # raises: typing failed, so some value breaks the schema
        raise AssertionError(f"{name} records pass the schema but do not fit its Arrow types")  # pragma: no cover


def checked_arrow(name: str, data: TableLike) -> pa.Table:
    """An Arrow table of valid rows in key order, or :class:`InvalidData` naming every row problem."""
    if isinstance(data, pa.Table):
        table = _in_key_order(name, data)
        _checked(name, table)
        return cast_to_schema(name, table)
    records = to_records(data)
    key = table_schema(name).key
    records.sort(key=lambda r: natural_key(r[key]) if isinstance(r.get(key), str) else ())
    table = typed_records(name, records)
    _checked(name, table)
    return table


def _columns(name: str, records: list[dict[str, Any]]) -> list[str]:
    columns = list(table_schema(name).columns)
    for record in records:
        columns += [k for k in record if k not in columns]
    return columns


class Transaction:
    """Pending changes to a dataset folder; see :func:`transaction`."""

    def __init__(self, dataset: Path, base: Snapshot | None = None, dry_run: bool = False):
        self.dataset = Path(dataset)
        self.dry_run = dry_run
        self._base = base
        self._current: dict[str, pa.Table] = {}
        self._changed: dict[str, pa.Table] = {}
        self.manifest = base.manifest if base is not None else {"tables": {}}
        self.dataset_version: str | None = None
        self._allocators: dict[str, IdAllocator] = {}

    def arrow(self, name: str) -> pa.Table:
        """The table as it stands in this transaction (pending changes included)."""
        if name in self._changed:
            return self._changed[name]
        if name not in self._current:
            self._current[name] = (self._base.table(name) if self._base is not None
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

    @property
    def changed(self) -> dict[str, pa.Table]:
        """The tables this transaction replaces, as they will be written."""
        return dict(self._changed)

    def replace(self, name: str, data: TableLike) -> None:
        """Replace a whole table (its rows and keys are validated now, the dataset as a whole on commit)."""
        self._changed[name] = checked_arrow(name, data)

    def append(self, name: str, records: Iterable[dict[str, Any]]) -> None:
        """Add records to a table (validated with the table's other rows now, the dataset on commit)."""
        new = [dict(r) for r in records]
        _check_text(name, new, self.arrow(name).num_rows)
        try:
            added = arrow_from_records(name, new)
        except NotTyped:  # the reference validator names the problems, rows numbered in the whole table
            self.replace(name, self.records(name) + new)
            return
        current = cast_to_schema(name, self.arrow(name))
        self.replace(name, pa.concat_tables([current, added], promote_options="default"))

    def check(self) -> dict[str, pa.Table]:
        """Every table as the commit would leave it, or :class:`InvalidData` naming every problem."""
        tables = {name: self.arrow(name) for name in TABLES}
        report = validate_tables(tables, rows_checked=set(self._changed))
        if not report.valid:
            raise InvalidData(report.errors, f"the change to {self.dataset} would make it invalid")
        return tables

    def commit(self) -> None:
        if not self._changed and self.dataset_version is None:
            return
        tables = self.check()
        if self.dry_run:
            return
        changed = dict(self._changed) if self._changed else tables
        # croissant.json, datapackage.json and README.md of the new version are part of the same commit
        commit_tables(self.dataset, changed, self.dataset_version, derived_files(self.dataset, tables), self._base)


@contextlib.contextmanager
def transaction(dataset: str | Path, timeout: float = 30.0, dry_run: bool = False,
                create: bool = False) -> Iterator[Transaction]:
    """Change a dataset under its lock; everything is validated and written on a clean exit, nothing otherwise.

    The folder must hold a dataset whose files match its manifest; with ``create`` it may also be missing or
    empty, and a new dataset is made there. With ``dry_run`` everything is validated
    (:class:`~stancetrack.errors.InvalidData` as for a real commit) and nothing is written; no lock is taken.
    """
    folder = Path(dataset)
    if dry_run:
        base = sound_snapshot(folder) if is_dataset(folder) else None
        if base is None:
            check_writable(folder, create)  # not a dataset: refused unless one is to be made
        tx = Transaction(folder, base, dry_run)
        yield tx
        tx.commit()
        return
    with writing(folder, create, timeout) as base:
        tx = Transaction(folder, base)
        yield tx
        tx.commit()
