"""What every derived metadata file is made from: the dataset-level record, the table schemas, the manifest, the data.

Gathered once into a :class:`Sources`, so that each output format (Croissant, Frictionless, the cards) is a pure
function of it and a regeneration at any time gives the same bytes for the same inputs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..resources import schema_dir
from ..schemas import TABLES, TableSchema, table_schema
from ..storage import Snapshot, parse_table, snapshot

DATASET_RECORD = "dataset.json"


def dataset_record() -> dict[str, Any]:
    """schema/dataset.json: name, description, license, creators, citation and date of the release."""
    return json.loads((schema_dir() / DATASET_RECORD).read_text(encoding="utf-8"))


@dataclass
class Sources:
    """The inputs of every derived file: one committed version of a dataset folder, or the version a writer is
    committing (the tables it holds, ``given``; its manifest, ``pending_manifest``; the Parquet file of each
    table, ``pending_files``)."""

    dataset_dir: Path
    given: dict[str, pa.Table] | None = None
    pending_manifest: dict[str, Any] | None = None
    pending_files: dict[str, Path] | None = None

    @cached_property
    def record(self) -> dict[str, Any]:
        return dataset_record()

    @cached_property
    def _snapshot(self) -> Snapshot:
        return snapshot(self.dataset_dir)

    @cached_property
    def manifest(self) -> dict[str, Any]:
        if self.pending_manifest is not None:
            return self.pending_manifest
        if self._snapshot.manifest_error:
            raise ValueError(self._snapshot.manifest_error)
        return self._snapshot.manifest

    @property
    def version(self) -> str:
        return self.manifest.get("dataset_version", "0.0.0")

    @property
    def schema_version(self) -> str:
        return self.manifest.get("schema_version", "")

    @cached_property
    def tables(self) -> dict[str, pa.Table]:
        given = self.given or {}
        return {name: given[name] if name in given else self._table(name) for name in TABLES}

    def _table(self, name: str) -> pa.Table:
        if self.pending_files is not None:
            return parse_table(name, self.pending_files[name], self.pending_files[name].name)
        return self._snapshot.table(name)

    def schema(self, name: str) -> TableSchema:
        return table_schema(name)

    def entry(self, name: str) -> dict[str, Any]:
        """The manifest's record of a table's file (name, sha256, rows)."""
        return self.manifest["tables"][name]

    def file_size(self, name: str) -> int:
        if self.pending_files is not None:
            return self.pending_files[name].stat().st_size
        return self._snapshot.buffers[name].size if self._snapshot.exists(name) else 0

    def rows(self, name: str) -> int:
        return self.tables[name].num_rows

    def label_counts(self, name: str, column: str) -> list[tuple[str, int]]:
        """Rows per allowed value of an enumerated column, in the schema's order (zeros included)."""
        counted = pc.value_counts(self.tables[name].column(column)).to_pylist() if self.rows(name) else []
        found = {c["values"]: c["counts"] for c in counted}
        return [(value, found.get(value, 0)) for value in self.schema(name).enum(column)]

    @cached_property
    def documents(self) -> list[dict[str, Any]]:
        return self.tables["documents"].to_pylist()
