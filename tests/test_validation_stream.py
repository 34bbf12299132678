"""Validation streamed from Parquet in record batches reports what the checks of whole tables report."""

from __future__ import annotations

import pyarrow as pa
import pytest

from conftest import FIXTURES
from stancetrack.cli.dataset import validation_progress
from stancetrack.validation import read_checked, validate, validate_tables
from stancetrack.validation import stream


def _tuples(errors):
    return [(e.table, e.code, e.row, e.id, e.field, e.message, e.value) for e in errors]


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_small_batches_report_what_whole_tables_report(name, fixture_copy, monkeypatch):
    folder = fixture_copy(name)
    tables, manifest_errors = read_checked(folder)
    whole = manifest_errors + validate_tables(tables).errors
    monkeypatch.setattr(stream, "BATCH_ROWS", 7)  # every table in several batches, rows numbered globally
    assert _tuples(validate(folder).errors) == _tuples(whole)


def test_progress_is_reported_per_batch_up_to_the_row_count(release_dir, monkeypatch):
    monkeypatch.setattr(stream, "BATCH_ROWS", 10)
    calls: list[tuple[str, int, int]] = []
    report = validate(release_dir, progress=lambda table, done, total: calls.append((table, done, total)))
    assert report.valid
    last = {table: (done, total) for table, done, total in calls}
    assert all(done == total for done, total in last.values())
    assert len(calls) > len(last)  # more than one batch for the larger tables


def test_no_progress_bar_off_a_terminal():
    with validation_progress() as progress:  # pytest's standard error is not a terminal
        assert progress is None


def test_text_with_few_distinct_values_is_checked_per_value_with_the_same_verdict(release_dir, monkeypatch):
    """Long text columns whose values repeat are dictionary-encoded before the checks: same errors as row by row."""
    import pyarrow.compute as pc

    import stancetrack.validation.arrays as arrays
    from stancetrack.storage import read_table
    from stancetrack.validation import validate_table

    stances = read_table(release_dir, "stances")
    copies = arrays.ENCODE_ROWS // stances.num_rows + 1
    table = pa.concat_tables([stances] * copies).combine_chunks()
    n = table.num_rows
    ids = pc.binary_join_element_wise("st-", pc.utf8_lpad(pc.cast(pa.array(range(1, n + 1)), pa.string()), 6, "0"), "")
    holders = table.column("holder_id").to_pylist()
    holders[n // 2] = "Not An Id"
    table = table.set_column(0, "stance_id", ids).set_column(table.schema.get_field_index("holder_id"), "holder_id",
                                                             pa.array(holders))
    encoded = [(e.row, e.field, e.code, e.message) for e in validate_table("stances", table).errors]
    monkeypatch.setattr(arrays, "ENCODE_ROWS", 10 * n)
    plain = [(e.row, e.field, e.code, e.message) for e in validate_table("stances", table).errors]
    assert encoded == plain
    assert [(row, field, code) for row, field, code, _ in encoded] == [(n // 2, "holder_id", "pattern")]


def test_a_table_of_many_small_chunks_gets_the_errors_of_the_same_rows_in_one_chunk(release_dir):
    """Columns of many chunks (plain text, numbers, text dictionaries with their own dictionary per chunk) are
    checked over their chunks as they are: the same errors, messages and values as one chunk, and as jsonschema."""
    import pyarrow.compute as pc

    import stancetrack.validation.arrays as arrays
    from stancetrack.frames import records_from_arrow
    from stancetrack.storage import read_table
    from stancetrack.validation import validate_table
    from stancetrack.validation.rows import row_errors

    stances = read_table(release_dir, "stances")
    table = pa.concat_tables([stances] * (arrays.ENCODE_ROWS // stances.num_rows + 1)).combine_chunks()
    n = table.num_rows
    ids = pc.binary_join_element_wise("st-", pc.utf8_lpad(pc.cast(pa.array(range(1, n + 1)), pa.string()), 6, "0"), "")
    table = table.set_column(0, "stance_id", ids)
    broken = {"holder_id": (n // 3, "Not An Id"), "polarity": (n // 2, "pro"), "quote": (n - 5, ""),
              "intensity": (7, 9), "stance_id": (n - 1, "st-1")}
    for field, (row, value) in broken.items():
        index = table.schema.get_field_index(field)
        values = table.column(field).to_pylist()
        values[row] = value
        table = table.set_column(index, field, pa.array(values, table.schema.field(field).type))
    whole = [(e.row, e.field, e.code, e.message, e.value) for e in validate_table("stances", table).errors]

    def piece(part: pa.Table) -> pa.Table:  # a dictionary of its own, as each row group of a Parquet file has
        return pa.table({c: (col.combine_chunks().dictionary_decode().dictionary_encode()
                             if pa.types.is_dictionary(col.type) else col) for c, col in zip(part.column_names,
                                                                                             part.columns)})

    pieces = pa.concat_tables([piece(table.slice(start, 997)) for start in range(0, n, 997)])
    assert pieces.column("polarity").num_chunks > 1 and pieces.column("quote").num_chunks > 1
    chunked = [(e.row, e.field, e.code, e.message, e.value) for e in validate_table("stances", pieces).errors]
    assert chunked == whole
    reference = [(e.row, e.field, e.code, e.message, e.value) for e in row_errors("stances", records_from_arrow(table))]
    assert [e for e in whole if e[2] != "unsorted"] == reference
    assert {(row, field) for row, field, *_ in whole} >= {(row, field) for field, (row, _) in broken.items()}
