"""Validation streamed from Parquet in record batches reports what the checks of whole tables report."""

from __future__ import annotations

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
