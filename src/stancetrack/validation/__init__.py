"""Validation in layers: rows against the JSON Schemas, keys, references, spans against the text, manifest.

``validate`` checks a dataset folder, ``validate_tables`` tables in memory (what the writer checks before it
writes), ``validate_table`` one table (rows and keys). All of them collect every problem as error records.

Rows are checked by the JSON Schemas compiled to vectorized Arrow checks (:mod:`.compiler`), which reach the
same error records as jsonschema (:mod:`.rows`, the reference engine and the oracle of the tests). A pandas
frame is first turned into Arrow columns through its records; where that cannot keep jsonschema's view of the
values (a column mixing types, say), the frame is checked by the reference engine instead, with the same
result, only slower. ``validate`` reads Parquet in record batches, so a table never has to fit in memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd
import pyarrow as pa

import pyarrow.parquet as pq

from ..errors import DatasetNotFound, ErrorRecord
from ..frames import records_from_frame
from ..resources import dataset_path
from ..schemas import TABLES, schema_version, table_schema
from ..storage import (MANIFEST, Snapshot, UnreadableTable, read_manifest, settled, snapshot, table_path,
                       writers_here)
from .compiler import Unvectorizable, compiled, table_from_records
from .keys import key_errors
from .report import Report
from .rows import column_errors, row_errors
from ..texts import load_texts
from .spans import date_window_errors
from .textrules import record_text_errors
from .stream import (DatasetCheck, Progress, batch_row_errors, cast_batch, check_tables, coalesced, iter_batches,
                     read_columns)

__all__ = ["Report", "validate", "validate_table", "validate_tables"]


def _row_layer(name: str, table: pa.Table | pd.DataFrame, skip: list[str],
               records: list[dict] | None = None) -> tuple[list[ErrorRecord], pa.Table]:
    """Layer 1 for one table, and what layer 2 checks (a frame: its keys that are text, the others null).
    ``records``: a frame's rows as :func:`~stancetrack.frames.records_from_frame` gives them, if already made."""
    if not isinstance(table, pd.DataFrame):
        table = coalesced(table)  # the row and key checks then share one copy
        return batch_row_errors(name, table, 0, skip), table
    records = records_from_frame(table) if records is None else records
    key = table_schema(name).key
    keys = pa.table({key: pa.array([k if isinstance(k, str) else None for k in (r.get(key) for r in records)],
                                   type=pa.string())})
    try:
        arrow = table_from_records(records, list(table.columns))
        return compiled(name).errors(arrow, skip=skip, records=records), keys
    except Unvectorizable:
        return row_errors(name, records, skip_fields=skip), keys


def _table_errors(name: str, table: pa.Table | pd.DataFrame) -> list[ErrorRecord]:
    """Layers 1 and 2 for one table (a table of many small chunks is made contiguous once, see ``coalesced``)."""
    columns = list(table.columns) if isinstance(table, pd.DataFrame) else table.column_names
    errors = column_errors(name, columns)
    missing = [e.field for e in errors if e.code == "column-missing"]
    if not isinstance(table, pd.DataFrame):  # its texts are checked with its rows
        row_level, arrow = _row_layer(name, table, missing)
        return errors + row_level + key_errors(name, arrow)
    records = records_from_frame(table)
    row_level, keys = _row_layer(name, table, missing, records)
    row_level += record_text_errors(name, records, schema_lengths=False)
    return errors + row_level + key_errors(name, keys)


def validate_table(name: str, table: pa.Table | pd.DataFrame) -> Report:
    """Check one table's rows against its JSON Schema and its keys for uniqueness and order."""
    report = Report(tables_checked=[name])
    table_schema(name)  # unknown names raise UnknownTable
    report.extend(_table_errors(name, table))
    return report


def validate_tables(tables: Mapping[str, pa.Table], progress: Progress | None = None,
                    rows_checked: Iterable[str] = ()) -> Report:
    """Layers 1–4 over tables in memory; spans are checked against the texts in the ``documents`` table.

    ``rows_checked`` names tables whose rows and keys were already checked (by :func:`validate_table`): they get
    layers 3–4 only.
    """
    report = Report(tables_checked=[n for n in TABLES if n in tables])
    report.extend(check_tables(dict(tables), progress, rows_checked).errors())
    return report


def derived_errors(snap: Snapshot) -> list[ErrorRecord]:
    """Layer 5: croissant.json and datapackage.json must record the manifest's hash of every table file."""
    from ..metadata import recorded_hashes

    if snap.manifest_error:
        return []
    errors = _stale_metadata(snap.folder, snap.manifest, recorded_hashes)
    if not errors or not writers_here(snap.folder):
        return errors

    def attempt() -> tuple[list[ErrorRecord], bool]:  # maybe read while a commit renamed them: check again
        try:
            found = _stale_metadata(snap.folder, read_manifest(snap.folder, settle=False), recorded_hashes)
        except DatasetNotFound:
            return [], False  # the manifest's problems are reported as such
        return found, not found

    return settled(snap.folder, attempt)


def _stale_metadata(folder: Path, manifest: dict, recorded_hashes) -> list[ErrorRecord]:
    errors = []
    expected = {entry["file"]: entry["sha256"] for entry in manifest["tables"].values()}
    for name, recorded in recorded_hashes(folder).items():
        if isinstance(recorded, str) or recorded != expected:
            why = recorded if isinstance(recorded, str) else (
                f"{name} records other SHA-256 hashes than the manifest (files: "
                f"{', '.join(sorted(f for f in expected.keys() | recorded.keys() if expected.get(f) != recorded.get(f)))})")
            errors.append(ErrorRecord("manifest", "metadata-stale", f"{why}; run `stancetrack metadata --dataset "
                                      f"{folder}`", value=name))
    return errors


def _file_errors(snap: Snapshot, name: str, listed: bool) -> tuple[list[ErrorRecord], pq.ParquetFile | None]:
    """Layer 5 for one table's file, and the file opened for reading (None when it cannot be read)."""
    path = table_path(snap.folder, name)
    entry = snap.manifest["tables"].get(name)
    if not snap.exists(name):
        if path.exists():
            return [ErrorRecord(name, "parquet-unreadable", snap.problems.get(name, f"{path.name} cannot be read"),
                                value=path.name)], None
        return [ErrorRecord(name, "file-missing", f"{path.name} is missing", value=path.name)], None
    errors = []
    if entry is None and listed:
        errors.append(ErrorRecord(name, "file-unlisted", f"{path.name} is not in {snap.folder.name}/manifest.json"))
    elif entry is not None and entry["sha256"] != snap.hashes[name]:
        errors.append(ErrorRecord(name, "checksum", f"{path.name} differs from the manifest's SHA-256",
                                  field="sha256", value=entry["sha256"]))
    try:
        parquet = snap.parquet(name)
        cast_batch(name, pa.RecordBatch.from_pylist([], schema=parquet.schema_arrow))  # types that cannot cast
    except UnreadableTable as exc:
        return errors + [ErrorRecord(name, "parquet-unreadable", str(exc), value=path.name)], None
    rows = parquet.metadata.num_rows
    if entry is not None and entry["rows"] != rows:
        errors.append(ErrorRecord(name, "row-count", f"{rows} rows, the manifest says {entry['rows']}",
                                  field="rows", value=entry["rows"]))
    return errors, parquet


def _files(folder: Path) -> tuple[Snapshot, list[ErrorRecord], dict[str, list[ErrorRecord]], dict[str, pq.ParquetFile]]:
    """Layer 5 over one committed version: the manifest's problems, each table's, and the files that can be read."""
    snap = snapshot(folder)
    manifest_errors: list[ErrorRecord] = []
    if snap.manifest_error:
        if not snap.buffers and not any(table_path(folder, n).exists() for n in TABLES):
            raise DatasetNotFound(snap.manifest_error)
        code = "manifest-missing" if not (folder / MANIFEST).is_file() else "manifest-malformed"
        manifest_errors.append(ErrorRecord("manifest", code, snap.manifest_error))
    manifest = snap.manifest
    if manifest.get("schema_version") not in (None, schema_version()):
        manifest_errors.append(ErrorRecord(
            "manifest", "schema-version", f"written under schema {manifest['schema_version']}, this package reads "
            f"{schema_version()}", field="schema_version", value=manifest["schema_version"]))
    manifest_errors += derived_errors(snap)
    listed = snap.manifest_error is None
    files: dict[str, pq.ParquetFile] = {}
    file_errors: dict[str, list[ErrorRecord]] = {}
    for name in TABLES:
        file_errors[name], parquet = _file_errors(snap, name, listed)
        if parquet is not None:
            files[name] = parquet
    return snap, manifest_errors, file_errors, files


def read_checked(dataset: Path) -> tuple[dict[str, pa.Table], list[ErrorRecord]]:
    """Every readable table of a dataset folder, read whole, and the manifest problems (layer 5) found on the way."""
    folder = Path(dataset)
    snap, manifest_errors, file_errors, files = _files(folder)
    tables: dict[str, pa.Table] = {}
    for name in files:
        try:
            tables[name] = snap.table(name, strict=False)
        except UnreadableTable as exc:
            file_errors[name].append(ErrorRecord(name, "parquet-unreadable", str(exc),
                                                 value=table_path(folder, name).name))
    return tables, manifest_errors + [e for n in TABLES for e in file_errors[n]]


#: Columns read with a referenced table's key, for the cross-table checks beyond the keys themselves.
_CHECKED_WITH = {"predictions": ["condition"]}


def validate(dataset: str | Path | None = None, progress: Progress | None = None) -> Report:
    """Check a dataset folder in every layer (default: the current checkout's dataset, else the release).

    Tables are read in record batches and checked batch by batch; only key columns, the documents and their
    texts are held whole. ``progress(table, rows_done, rows_total)`` is called after every batch.
    """
    folder = dataset_path(dataset)
    snap, manifest_errors, file_errors, files = _files(folder)
    targets: dict[str, pa.Table] = {}
    for name in {fk.table for n in TABLES for fk in table_schema(n).foreign_keys} & set(files):
        try:
            targets[name] = (read_columns(snap, name, table_schema(name).columns) if name == "documents"
                             else read_columns(snap, name, [table_schema(name).key, *_CHECKED_WITH.get(name, [])]))
        except UnreadableTable:
            pass  # reported when the table itself is read
    check = DatasetCheck(targets)
    if "documents" in targets:
        check.texts, source_errors = load_texts(targets["documents"])
        check.add(("sources",), source_errors)
        check.add(("dates",), date_window_errors(targets["documents"]))
    checked = []
    for name, parquet in files.items():
        try:
            check.check_table(name, parquet.schema_arrow.names, iter_batches(snap, name),
                              parquet.metadata.num_rows, progress)
            checked.append(name)
        except UnreadableTable as exc:
            file_errors[name].append(ErrorRecord(name, "parquet-unreadable", str(exc),
                                                 value=table_path(folder, name).name))
    report = Report(manifest_errors + [e for n in TABLES for e in file_errors[n]] + check.errors(),
                    tables_checked=checked)
    return report
