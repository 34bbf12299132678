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
    whole = manifest_errors + validate_tables(tables, folder).errors
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
