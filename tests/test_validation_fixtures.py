"""Each broken fixture dataset yields exactly the errors listed in its expected.json."""

from __future__ import annotations

import json

import pytest

import stancetrack
from conftest import FIXTURES

CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.json").exists())


def test_valid_fixture_is_valid():
    report = stancetrack.validate(FIXTURES / "valid")
    assert report.valid, str(report)


@pytest.mark.parametrize("case", CASES)
def test_broken_fixture_reports_exactly_its_errors(case):
    expected = json.loads((FIXTURES / case / "expected.json").read_text())
    report = stancetrack.validate(FIXTURES / case)
    found = [[e.table, e.row, e.id, e.field, e.code] for e in report.errors]
    assert sorted(found, key=repr) == sorted(expected, key=repr)
    assert not report.valid


def test_every_code_reported_is_documented():
    from stancetrack.errors import CODES

    for case in CASES:
        for error in stancetrack.validate(FIXTURES / case).errors:
            assert error.code in CODES, error


def test_report_frame_has_one_row_per_error():
    report = stancetrack.validate(FIXTURES / "bad-references")
    frame = report.to_frame()
    assert list(frame.columns) == ["table", "row", "id", "field", "code", "message", "value"]
    assert len(frame) == len(report.errors) == 4
    assert set(frame["code"]) == {"foreign-key"}
    assert "nobody" in frame["value"].tolist()


def test_release_is_valid(release_dir):
    report = stancetrack.validate(release_dir)
    assert report.valid, str(report)
