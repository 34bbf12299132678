"""Layers 1–4 over record batches: a table never has to be in memory whole.

A :class:`DatasetCheck` is given what the checks of one table need from the others first (the key columns that
references point to, the documents and their texts), then each table as a stream of record batches. Every
batch is checked in every layer at once, with rows numbered globally; only the key column of a table is kept
until its end (for duplicates and order). The errors come out in the order of the layers, as
``validate_tables`` has always reported them.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import ErrorRecord
from ..frames import records_from_arrow
from ..schemas import TABLES, cast_to_schema, table_schema
from ..storage import READ_ERRORS, Snapshot, UnreadableTable, table_path
from .compiler import BATCH_ROWS, Unvectorizable, compiled, is_text, row_slices
from .keys import key_column_errors
from .references import authorial_errors, condition_errors, foreign_key_errors
from .rows import column_errors, row_errors
from ..texts import load_texts
from .spans import date_window_errors, table_span_errors
from .textrules import arrow_text_errors

#: ``progress(table, rows_done, rows_total)``, called after every batch.
Progress = Callable[[str, int, int], None]


def batch_row_errors(name: str, batch: pa.Table | pa.RecordBatch, offset: int = 0,
                     skip: Iterable[str] = ()) -> list[ErrorRecord]:
    """Layer 1 for one batch: the compiled checks, or the reference engine where a column's type has none; then
    the text rules (:mod:`.textrules`)."""
    batch = coalesced(batch)
    try:
        errors = compiled(name).errors(batch, offset, skip)
    except Unvectorizable:
        table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
        errors = [ErrorRecord(e.table, e.code, e.message, e.row + offset, e.id, e.field, e.value)
                  for e in row_errors(name, records_from_arrow(table), skip_fields=skip)]
    return errors + arrow_text_errors(name, batch, offset)


def coalesced(batch: pa.Table | pa.RecordBatch) -> pa.Table | pa.RecordBatch:
    """A table of many small chunks (``pa.concat_tables`` of per-document tables) as one chunk: one copy costs
    less than the calls of every check over every chunk; other batches as they are."""
    if isinstance(batch, pa.Table) and any(c.num_chunks > 1 and len(c) < 65_536 * c.num_chunks
                                           for c in batch.columns):
        return batch.combine_chunks()
    return batch


class DatasetCheck:
    """Collects every error of a dataset checked table by table, batch by batch."""

    def __init__(self, targets: dict[str, pa.Table], texts: dict[str, str] | None = None):
        #: tables (or just their key columns) that references point to, and the documents
        self.targets = targets
        self.texts = texts or {}
        self._errors: dict[tuple, list[ErrorRecord]] = defaultdict(list)

    def add(self, layer: tuple, errors: list[ErrorRecord]) -> None:
        self._errors[layer].extend(errors)

    def check_table(self, name: str, columns: list[str], batches: Iterable[pa.RecordBatch | pa.Table],
                    total: int = 0, progress: Progress | None = None, rows: bool = True) -> None:
        """Layers 1–4 for one table (``rows=False``: 3–4, its rows and keys already checked); ``batches`` may
        raise, and then nothing of this table is kept."""
        ts = table_schema(name)
        found: dict[tuple, list[ErrorRecord]] = defaultdict(list)
        table_errors = column_errors(name, columns) if rows else []
        missing = [e.field for e in table_errors if e.code == "column-missing"]
        found[("rows", name)] += table_errors
        keys: list[pa.Array] = []
        offset = 0
        for batch in batches:
            if rows:
                found[("rows", name)] += batch_row_errors(name, batch, offset, missing)
            if rows and ts.key in columns:
                keys.append(batch.column(columns.index(ts.key)))
            for index, fk in enumerate(ts.foreign_keys):
                target = self.targets.get(fk.table)
                if target is not None and fk.ref in target.column_names:
                    found[("refs", name, index)] += foreign_key_errors(name, batch, fk, target.column(fk.ref),
                                                                       offset)
            if name == "stances" and "documents" in self.targets:
                found[("authorial",)] += authorial_errors(batch, self.targets["documents"], offset)
            if name == "outcomes" and "predictions" in self.targets:
                found[("conditions",)] += condition_errors(batch, self.targets["predictions"], offset)
            found[("spans", name)] += table_span_errors(name, batch, self.texts, offset)
            offset += batch.num_rows
            if progress is not None:
                progress(name, offset, max(total, offset))
        if keys:
            found[("rows", name)] += key_column_errors(name, ts.key, pa.chunked_array(keys))
        for layer, errors in found.items():
            self.add(layer, errors)

    def errors(self) -> list[ErrorRecord]:
        """Layer by layer: rows and keys, references, sources, dates, spans; tables in dependency order."""
        order = [("rows", n) for n in TABLES]
        order += [("refs", n, i) for n in TABLES for i in range(len(table_schema(n).foreign_keys))]
        order += [("authorial",), ("conditions",), ("sources",), ("dates",)] + [("spans", n) for n in TABLES]
        return [e for layer in order for e in self._errors.get(layer, [])]


def check_tables(tables: dict[str, pa.Table],
                 progress: Progress | None = None, rows_checked: Iterable[str] = ()) -> DatasetCheck:
    """Layers 1–4 over tables in memory (fed to the checks in slices of :data:`BATCH_ROWS` rows); the tables in
    ``rows_checked`` had their rows and keys checked already and get layers 3–4 only."""
    texts: dict[str, str] = {}
    check = DatasetCheck(tables)
    if "documents" in tables:
        texts, source_errors = load_texts(tables["documents"])
        check.add(("sources",), source_errors)
        check.add(("dates",), date_window_errors(tables["documents"]))
    check.texts = texts
    for name in TABLES:
        if name in tables:
            table = tables[name]
            check.check_table(name, table.column_names, row_slices(table), table.num_rows, progress,
                              rows=name not in set(rows_checked))
    return check


def cast_batch(name: str, batch: pa.RecordBatch) -> pa.RecordBatch:
    """A batch with its columns cast to the schema's types (text read as a dictionary is kept so)."""
    expected = table_schema(name).arrow_schema()
    kept = [f.name for f in batch.schema if pa.types.is_dictionary(f.type) and f.name in expected.names
            and f.type.value_type.equals(_plain(expected.field(f.name).type))]
    rest = batch.drop_columns(kept) if kept else batch
    cast = cast_to_schema(name, rest, f"{name}.parquet")
    if not kept:
        return cast
    arrays = [batch.column(n) if n in kept else cast.column(n) for n in batch.schema.names]
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def _plain(typ: pa.DataType) -> pa.DataType:
    return typ.value_type if pa.types.is_dictionary(typ) else typ


def small_dictionaries(parquet: pq.ParquetFile, limit: int = 64 * 1024) -> list[str]:
    """Text columns stored with a small dictionary page in every row group (few distinct values).

    Read as Arrow dictionaries they skip decoding into one string per row, and the row checks run once per
    distinct value. A large dictionary page may mean the writer fell back to plain pages, which Arrow would
    then have to hash back into a dictionary: those columns are read as plain strings.
    """
    meta, schema = parquet.metadata, parquet.schema_arrow
    names = []
    for index, field in enumerate(schema):
        if not is_text(field.type):
            continue
        chunks = [meta.row_group(g).column(index) for g in range(meta.num_row_groups)]
        if chunks and all(c.has_dictionary_page and c.dictionary_page_offset is not None
                          and 0 < c.data_page_offset - c.dictionary_page_offset < limit for c in chunks):
            names.append(field.name)
    return names


def _parquet(source: Path | Snapshot, name: str, **options) -> pq.ParquetFile:
    if isinstance(source, Snapshot):
        return source.parquet(name, **options)
    return pq.ParquetFile(table_path(source, name), **options)


def iter_batches(source: Path | Snapshot, name: str, columns: list[str] | None = None,
                 batch_rows: int | None = None) -> Iterator[pa.RecordBatch]:
    """A table's Parquet file (in a folder, or in a :class:`Snapshot` of one) as record batches cast to the
    schema's types, each checked whole (offsets, UTF-8); raises :class:`UnreadableTable`.

    Text columns with few distinct values come as dictionary arrays (see :func:`small_dictionaries`).
    """
    shown = f"{name}.parquet"
    try:
        probe = _parquet(source, name)
        reader = _parquet(source, name, read_dictionary=small_dictionaries(probe))
        for batch in reader.iter_batches(batch_size=batch_rows or BATCH_ROWS, columns=columns):
            batch.validate(full=True)
            yield cast_batch(name, batch)
    except READ_ERRORS as exc:
        raise UnreadableTable(f"{shown} cannot be read as Parquet: {' '.join(str(exc).split())}") from None


def read_columns(source: Path | Snapshot, name: str, columns: list[str]) -> pa.Table:
    """Some columns of a table, read whole (the key columns references point to, the documents)."""
    try:
        names = _parquet(source, name).schema_arrow.names
    except READ_ERRORS as exc:
        raise UnreadableTable(f"{name}.parquet cannot be read as Parquet: {' '.join(str(exc).split())}") from None
    present = [c for c in columns if c in names]
    batches = list(iter_batches(source, name, present))
    if batches:
        return pa.Table.from_batches(batches)
    return pa.schema([table_schema(name).arrow_schema().field(c) for c in present]).empty_table()
