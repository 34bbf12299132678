"""Validation in layers: rows against the JSON Schemas, keys, references, spans against the text, manifest.

``validate`` checks a dataset folder, ``validate_tables`` tables in memory (what the writer checks before it
writes), ``validate_table`` one table (rows and keys). All of them collect every problem as error records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pandas as pd
import pyarrow as pa

from ..errors import DatasetNotFound, ErrorRecord
from ..frames import records_from_arrow, records_from_frame
from ..resources import default_dataset_dir
from ..schemas import TABLES, schema_version, table_schema
from ..storage import UnreadableTable, read_manifest, read_table, sha256_file, table_path
from .keys import key_errors
from .references import reference_errors
from .report import Report
from .rows import column_errors, row_errors
from .spans import load_texts, span_errors

__all__ = ["Report", "validate", "validate_table", "validate_tables"]


def _table_errors(name: str, table: pa.Table | pd.DataFrame) -> list[ErrorRecord]:
    """Layers 1 and 2 for one table."""
    columns = list(table.columns) if isinstance(table, pd.DataFrame) else table.column_names
    errors = column_errors(name, columns)
    missing = [e.field for e in errors if e.code == "column-missing"]
    records = records_from_frame(table) if isinstance(table, pd.DataFrame) else records_from_arrow(table)
    errors += row_errors(name, records, skip_fields=missing)
    if isinstance(table, pd.DataFrame):
        key = table_schema(name).key
        keys = [r.get(key) for r in records]
        table = pa.table({key: pa.array([k if isinstance(k, str) else None for k in keys], type=pa.string())})
    errors += key_errors(name, table)
    return errors


def validate_table(name: str, table: pa.Table | pd.DataFrame) -> Report:
    """Check one table's rows against its JSON Schema and its keys for uniqueness and order."""
    report = Report(tables_checked=[name])
    table_schema(name)  # unknown names raise UnknownTable
    report.extend(_table_errors(name, table))
    return report


def validate_tables(tables: Mapping[str, pa.Table], dataset_dir: Path | None = None) -> Report:
    """Layers 1–4 over tables in memory; source texts are looked up relative to ``dataset_dir``."""
    report = Report(tables_checked=[n for n in TABLES if n in tables])
    for name in TABLES:
        if name in tables:
            report.extend(_table_errors(name, tables[name]))
    report.extend(reference_errors(dict(tables)))
    texts: dict[str, str] = {}
    if "documents" in tables:
        texts, source_errors = load_texts(tables["documents"], dataset_dir)
        report.extend(source_errors)
    report.extend(span_errors(dict(tables), texts))
    return report


def read_checked(dataset_dir: Path) -> tuple[dict[str, pa.Table], list[ErrorRecord]]:
    """Every readable table of a dataset folder, and the manifest problems (layer 5) found on the way."""
    folder = Path(dataset_dir)
    errors: list[ErrorRecord] = []
    try:
        manifest = read_manifest(folder)
    except DatasetNotFound as exc:
        if not any(table_path(folder, n).exists() for n in TABLES):
            raise
        manifest = {"tables": {}}
        errors.append(ErrorRecord("manifest", "manifest-missing", str(exc)))
    if manifest.get("schema_version") not in (None, schema_version()):
        errors.append(ErrorRecord("manifest", "schema-version",
                                  f"written under schema {manifest['schema_version']}, this package reads "
                                  f"{schema_version()}", field="schema_version", value=manifest["schema_version"]))
    tables: dict[str, pa.Table] = {}
    for name in TABLES:
        path = table_path(folder, name)
        entry = manifest["tables"].get(name)
        if not path.exists():
            errors.append(ErrorRecord(name, "file-missing", f"{path.name} is missing", value=path.name))
            continue
        if entry is None and "manifest-missing" not in {e.code for e in errors}:
            errors.append(ErrorRecord(name, "file-unlisted", f"{path.name} is not in {folder.name}/manifest.json"))
        elif entry is not None and entry.get("sha256") != sha256_file(path):
            errors.append(ErrorRecord(name, "checksum", f"{path.name} differs from the manifest's SHA-256",
                                      field="sha256", value=entry.get("sha256")))
        try:
            tables[name] = read_table(folder, name)
        except UnreadableTable as exc:
            errors.append(ErrorRecord(name, "parquet-unreadable", str(exc), value=path.name))
            continue
        if entry is not None and entry.get("rows") != tables[name].num_rows:
            errors.append(ErrorRecord(name, "row-count", f"{tables[name].num_rows} rows, the manifest says "
                                      f"{entry.get('rows')}", field="rows", value=entry.get("rows")))
    return tables, errors


def validate(path: str | Path | None = None) -> Report:
    """Check a dataset folder in every layer (default: the current checkout's dataset, else the release)."""
    folder = Path(path) if path is not None else default_dataset_dir()
    tables, manifest_errors = read_checked(folder)
    report = validate_tables(tables, folder)
    report.errors[:0] = manifest_errors
    report.tables_checked = [n for n in TABLES if n in tables]
    return report
