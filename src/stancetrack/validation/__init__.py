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
from ..storage import UnreadableTable, read_manifest, read_table, sha256_file, table_path
from .compiler import Unvectorizable, compiled, table_from_records
from .keys import key_errors
from .report import Report
from .rows import column_errors, row_errors
from ..texts import load_texts
from .spans import date_window_errors
from .stream import (DatasetCheck, Progress, batch_row_errors, cast_batch, check_tables, iter_batches,
                     read_columns)

__all__ = ["Report", "validate", "validate_table", "validate_tables"]


def _row_layer(name: str, table: pa.Table | pd.DataFrame, skip: list[str]) -> tuple[list[ErrorRecord], pa.Table]:
    """Layer 1 for one table, and what layer 2 checks (a frame: its keys that are text, the others null)."""
    if not isinstance(table, pd.DataFrame):
        return batch_row_errors(name, table, 0, skip), table
    records = records_from_frame(table)
    key = table_schema(name).key
    keys = pa.table({key: pa.array([k if isinstance(k, str) else None for k in (r.get(key) for r in records)],
                                   type=pa.string())})
    try:
        arrow = table_from_records(records, list(table.columns))
        return compiled(name).errors(arrow, skip=skip, records=records), keys
    except Unvectorizable:
        return row_errors(name, records, skip_fields=skip), keys


def _table_errors(name: str, table: pa.Table | pd.DataFrame) -> list[ErrorRecord]:
    """Layers 1 and 2 for one table (a table of many small chunks is checked over its chunks, not copied)."""
    columns = list(table.columns) if isinstance(table, pd.DataFrame) else table.column_names
    errors = column_errors(name, columns)
    missing = [e.field for e in errors if e.code == "column-missing"]
    row_level, arrow = _row_layer(name, table, missing)
    return errors + row_level + key_errors(name, arrow)


def validate_table(name: str, table: pa.Table | pd.DataFrame) -> Report:
    """Check one table's rows against its JSON Schema and its keys for uniqueness and order."""
    report = Report(tables_checked=[name])
    table_schema(name)  # unknown names raise UnknownTable
    report.extend(_table_errors(name, table))
    return report


def validate_tables(tables: Mapping[str, pa.Table], dataset: Path | None = None,
                    progress: Progress | None = None, rows_checked: Iterable[str] = ()) -> Report:
    """Layers 1–4 over tables in memory; source texts are looked up relative to the folder ``dataset``.

    ``rows_checked`` names tables whose rows and keys were already checked (by :func:`validate_table`): they get
    layers 3–4 only.
    """
    report = Report(tables_checked=[n for n in TABLES if n in tables])
    report.extend(check_tables(dict(tables), dataset, progress, rows_checked).errors())
    return report


def _file_errors(folder: Path, name: str, entry: dict | None,
                 listed: bool) -> tuple[list[ErrorRecord], pq.ParquetFile | None]:
    """Layer 5 for one table's file, and the file opened for reading (None when it cannot be read)."""
    path = table_path(folder, name)
    if not path.exists():
        return [ErrorRecord(name, "file-missing", f"{path.name} is missing", value=path.name)], None
    errors = []
    if entry is None and listed:
        errors.append(ErrorRecord(name, "file-unlisted", f"{path.name} is not in {folder.name}/manifest.json"))
    elif entry is not None and entry.get("sha256") != sha256_file(path):
        errors.append(ErrorRecord(name, "checksum", f"{path.name} differs from the manifest's SHA-256",
                                  field="sha256", value=entry.get("sha256")))
    try:
        parquet = pq.ParquetFile(path)
        cast_batch(name, pa.RecordBatch.from_pylist([], schema=parquet.schema_arrow))  # types that cannot cast
    except UnreadableTable as exc:
        return errors + [ErrorRecord(name, "parquet-unreadable", str(exc), value=path.name)], None
    except (OSError, pa.ArrowException) as exc:
        message = f"{path.name} cannot be read as Parquet: {exc}"
        return errors + [ErrorRecord(name, "parquet-unreadable", message, value=path.name)], None
    rows = parquet.metadata.num_rows
    if entry is not None and entry.get("rows") != rows:
        errors.append(ErrorRecord(name, "row-count", f"{rows} rows, the manifest says {entry.get('rows')}",
                                  field="rows", value=entry.get("rows")))
    return errors, parquet


def _files(folder: Path) -> tuple[list[ErrorRecord], dict[str, list[ErrorRecord]], dict[str, pq.ParquetFile]]:
    """Layer 5: the manifest's problems, each table's file problems, and the files that can be read."""
    manifest_errors: list[ErrorRecord] = []
    try:
        manifest = read_manifest(folder)
    except DatasetNotFound as exc:
        if not any(table_path(folder, n).exists() for n in TABLES):
            raise
        manifest = {"tables": {}}
        manifest_errors.append(ErrorRecord("manifest", "manifest-missing", str(exc)))
    if manifest.get("schema_version") not in (None, schema_version()):
        manifest_errors.append(ErrorRecord(
            "manifest", "schema-version", f"written under schema {manifest['schema_version']}, this package reads "
            f"{schema_version()}", field="schema_version", value=manifest["schema_version"]))
    listed = not manifest_errors or manifest_errors[0].code != "manifest-missing"
    files: dict[str, pq.ParquetFile] = {}
    file_errors: dict[str, list[ErrorRecord]] = {}
    for name in TABLES:
        file_errors[name], parquet = _file_errors(folder, name, manifest["tables"].get(name), listed)
        if parquet is not None:
            files[name] = parquet
    return manifest_errors, file_errors, files


def read_checked(dataset: Path) -> tuple[dict[str, pa.Table], list[ErrorRecord]]:
    """Every readable table of a dataset folder, read whole, and the manifest problems (layer 5) found on the way."""
    folder = Path(dataset)
    manifest_errors, file_errors, files = _files(folder)
    tables: dict[str, pa.Table] = {}
    for name in files:
        try:
            tables[name] = read_table(folder, name)
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
    manifest_errors, file_errors, files = _files(folder)
    targets: dict[str, pa.Table] = {}
    for name in {fk.table for n in TABLES for fk in table_schema(n).foreign_keys} & set(files):
        try:
            targets[name] = (read_columns(folder, name, table_schema(name).columns) if name == "documents"
                             else read_columns(folder, name, [table_schema(name).key, *_CHECKED_WITH.get(name, [])]))
        except UnreadableTable:
            pass  # reported when the table itself is read
    check = DatasetCheck(targets)
    if "documents" in targets:
        check.texts, source_errors = load_texts(targets["documents"], folder)
        check.add(("sources",), source_errors)
        check.add(("dates",), date_window_errors(targets["documents"]))
    checked = []
    for name, parquet in files.items():
        try:
            check.check_table(name, parquet.schema_arrow.names, iter_batches(folder, name),
                              parquet.metadata.num_rows, progress)
            checked.append(name)
        except UnreadableTable as exc:
            file_errors[name].append(ErrorRecord(name, "parquet-unreadable", str(exc),
                                                 value=table_path(folder, name).name))
    report = Report(manifest_errors + [e for n in TABLES for e in file_errors[n]] + check.errors(),
                    tables_checked=checked)
    return report
