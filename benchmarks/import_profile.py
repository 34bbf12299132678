"""Profile of one Label Studio import: the release's tasks, one stance gloss edited, imported into a copy.

    python benchmarks/import_profile.py

Prints how many times a table was read from Parquet, how many times the dataset was validated as a whole, how
many rows were checked against the JSON Schemas (the compiled checks, all tables together),
and the wall time of the import (best of seven runs, each into a fresh copy of the release; CPU-bound, so noisy on a shared machine).
"""

from __future__ import annotations

import copy
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import stancetrack.validation as validation
from stancetrack.annotate.importer import import_export
from stancetrack.annotate.tasks import build_tasks
from stancetrack.resources import release_dataset_dir, release_root


RUNS = 7


def edited_export(folder: Path) -> list[dict]:
    """The release's tasks as one annotation each, the first stance's gloss changed."""
    tasks = build_tasks(folder)
    export = []
    edited = False
    for number, task in enumerate(tasks, start=1):
        result = copy.deepcopy(task.get("predictions", [{}])[0].get("result", []))
        for item in result:
            if not edited and item["from_name"] == "gloss":
                item["value"]["text"] = [item["value"]["text"][0] + " (edited)"]
                edited = True
        export.append({"id": number, "data": task["data"], "annotations": [
            {"id": number, "completed_by": 1, "result": result, "updated_at": "2026-01-01T00:00:00Z"}]})
    return export


def main() -> None:
    from stancetrack.validation.compiler import CompiledSchema

    reads = {"parquet": 0, "whole-dataset validations": 0, "rows": 0}
    real_errors = CompiledSchema.errors

    def counting_errors(self, batch, *args, **kwargs):
        if not (isinstance(batch, pa.Table) and any(c.num_chunks > 1 for c in batch.columns)):
            reads["rows"] += batch.num_rows  # a chunked table is counted by the slices it is checked in
        return real_errors(self, batch, *args, **kwargs)

    real_read, real_validate = pq.read_table, validation.validate_tables
    real_file_init = pq.ParquetFile.__init__

    def counting_read(*args, **kwargs):
        reads["parquet"] += 1
        return real_read(*args, **kwargs)

    def counting_file_init(self, *args, **kwargs):  # streamed reads open a ParquetFile
        reads["parquet"] += 1
        return real_file_init(self, *args, **kwargs)

    def counting_validate(*args, **kwargs):
        reads["whole-dataset validations"] += 1
        return real_validate(*args, **kwargs)

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(RUNS):
            root = Path(tmp) / f"run{run}"
            shutil.copytree(release_root() / "seeds", root / "seeds")
            shutil.copytree(release_dataset_dir(), root / "dataset")
            export = edited_export(root / "dataset")
            pq.read_table, validation.validate_tables = counting_read, counting_validate
            pq.ParquetFile.__init__ = counting_file_init
            CompiledSchema.errors = counting_errors
            for module in list(sys.modules.values()):  # names imported with `from ... import`
                if getattr(module, "validate_tables", None) is real_validate:
                    module.validate_tables = counting_validate
            reads.update({"parquet": 0, "whole-dataset validations": 0, "rows": 0})
            started = time.perf_counter()
            result = import_export(export, root / "dataset")
            times.append(time.perf_counter() - started)
            pq.read_table, pq.ParquetFile.__init__ = real_read, real_file_init
            CompiledSchema.errors = real_errors
            for module in list(sys.modules.values()):
                if getattr(module, "validate_tables", None) is counting_validate:
                    module.validate_tables = real_validate
            assert result.written and {c.id for c in result.changes} == {"st-0001"}, result.changes
    print(f"one edited gloss imported: {len(result.changes)} column(s) of st-0001 changed, written={result.written}")
    print(f"  Parquet table reads:        {reads['parquet']}")
    print(f"  whole-dataset validations:  {reads['whole-dataset validations']}")
    print(f"  rows checked (JSON Schema): {reads['rows']}")
    print(f"  wall time (best of {RUNS}):      {min(times):.3f} s")


if __name__ == "__main__":
    main()
