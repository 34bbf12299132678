"""Properties over generated rows: Parquet round trips, and every single-field break is reported exactly."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stancetrack
from stancetrack.frames import arrow_from_records, frame_from_arrow, records_from_arrow, records_from_frame
from stancetrack.schemas import TABLES, table_schema
from stancetrack.validation.keys import natural_key
from strategies import rows

# Fields tied by the schemas' if/then/else rules: breaking one may also break the rule on another.
LINKED = {"predictions": {"modality", "cue", "condition"}, "outcomes": {"status", "evidence", "condition_met"}}


def allowed_fields(name: str, field: str) -> set[str]:
    linked = LINKED.get(name, set())
    return {field} | (linked if field in linked else set())


SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", TABLES)
@SETTINGS
@given(data=st.data())
def test_valid_rows_survive_parquet_round_trip(name, data, tmp_path_factory):
    key = table_schema(name).key
    records = data.draw(st.lists(rows(name), min_size=1, max_size=5, unique_by=lambda r: r[key]))
    records.sort(key=lambda r: natural_key(r[key]))
    assert stancetrack.validate_table(name, pd.DataFrame(records)).valid
    path = tmp_path_factory.mktemp("rt") / f"{name}.parquet"
    pq.write_table(arrow_from_records(name, records), path)
    back = records_from_arrow(pq.read_table(path))
    assert back == records
    assert records_from_frame(frame_from_arrow(name, pq.read_table(path))) == records


def _mutations(name: str, row: dict) -> list[tuple[str, object, str]]:
    """(field, bad value, expected code) for every rule a single field can break."""
    out = []
    for field, prop in table_schema(name).json_schema["properties"].items():
        kinds = [prop["type"]] if isinstance(prop["type"], str) else prop["type"]
        nullable = "null" in kinds
        if not nullable:
            out.append((field, None, "type"))
        if "enum" in prop:
            out.append((field, "no-such-value", "enum"))
        elif prop.get("format") == "date":
            out.append((field, "2025-02-30", "format"))
        elif "pattern" in prop:
            out.append((field, "Not A Valid Id!", "pattern"))
        elif "string" in kinds and prop.get("minLength") and "format" not in prop:
            out.append((field, "", "minLength"))
        if "integer" in kinds or "number" in kinds:
            out.append((field, "seven", "type"))
            if "minimum" in prop:
                out.append((field, prop["minimum"] - 1, "minimum"))
            if "maximum" in prop:
                out.append((field, prop["maximum"] + 1, "maximum"))
        if "array" in kinds and prop.get("minItems"):
            out.append((field, [], "minItems"))
        if "array" in kinds and prop.get("uniqueItems") and row.get(field):
            out.append((field, [row[field][0], row[field][0]], "uniqueItems"))
    return out


@pytest.mark.parametrize("name", TABLES)
@SETTINGS
@given(data=st.data())
def test_every_single_field_break_is_reported(name, data):
    row = data.draw(rows(name))
    key = table_schema(name).key
    for field, bad, code in _mutations(name, row):
        broken = {**row, field: bad}
        report = stancetrack.validate_table(name, pd.DataFrame([broken], dtype=object))
        found = {(e.table, e.id, e.field, e.code) for e in report.errors}
        row_id = broken[key] if isinstance(broken[key], str) else None
        assert (name, row_id, field, code) in found, (field, bad, report.errors)
        assert {e.field for e in report.errors} <= allowed_fields(name, field), report.errors


@pytest.mark.parametrize("name", TABLES)
@SETTINGS
@given(data=st.data())
def test_missing_and_extra_fields_are_reported(name, data):
    row = data.draw(rows(name))
    field = data.draw(st.sampled_from(table_schema(name).columns))
    missing = {k: v for k, v in row.items() if k != field}
    report = stancetrack.validate_table(name, pd.DataFrame([missing], dtype=object))
    assert (field, "column-missing") in [(e.field, e.code) for e in report.errors]
    assert {e.field for e in report.errors} <= allowed_fields(name, field), report.errors
    extra = stancetrack.validate_table(name, pd.DataFrame([{**row, "surplus": 1}], dtype=object))
    assert ("surplus", "column-extra") in [(e.field, e.code) for e in extra.errors]
