"""The vectorized row checks reach jsonschema's verdict, error for error, on generated rows of every table.

Rows are drawn from each table's own JSON Schema: valid values, near misses (a trailing newline, a wrong
digit, 29 February, an empty list, a repeated item, NaN and infinities), nulls, text beyond the BMP, columns
of the wrong type, evidence items missing a key, columns missing and extra. The reference engine
(jsonschema, ``rows.py``) and the compiled engine must report the same records: row, id, field, code,
message and value, in the same order.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from stancetrack.frames import records_from_arrow, records_from_frame
from stancetrack.schemas import TABLES, table_schema
from stancetrack.validation import _row_layer
from stancetrack.validation.compiler import compile_schema, compiled, re2_pattern
from stancetrack.validation.formats import FORMAT_CHECKER
from stancetrack.validation.rows import column_errors, row_errors, validator

ARROW_EXAMPLES = 90  # per table: with the frames, ~900 generated tables, ~3,000 rows in all
FRAME_EXAMPLES = 22

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
TRICKY = st.sampled_from(["", " ", "\n", "a\n", "\U0001F600", "é", "e\u0301", "Q0", "Q12\n", "Q٣", "st-0001",
                          "st-001", "st-0001\n", "pr-12345", "part-1.2", "part-0", "front\n", "fr-FR", "x" * 65,
                          "2025-02-29", "2024-02-29", "0000-01-01", "0001-01-01", "9999-12-31", "2025-13-01",
                          "2025-00-10", "2025-04-31", "2025-1-01", "٢٠٢٥-٠١-٠١", "2025-01-01\n",
                          "2025-01-01T00:00",
                          "20250101", "seeds/a.txt", "seeds/a/b.txt", "seeds/\n.txt", "https://example.org", "trump"])


def _valid_string(prop: dict[str, Any]) -> st.SearchStrategy:
    if "enum" in prop:
        return st.sampled_from(prop["enum"])
    if prop.get("format") == "date":
        return st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat)
    if "pattern" in prop:
        return st.from_regex(prop["pattern"], fullmatch=True)
    return TEXT


def _kind(prop: dict[str, Any]) -> str:
    kinds = [prop["type"]] if isinstance(prop["type"], str) else prop["type"]
    return next(k for k in kinds if k != "null")


def right_type(prop: dict[str, Any]) -> st.SearchStrategy:
    """Values of the property's own JSON type, valid or not, and nulls."""
    kind = _kind(prop)
    if kind == "string":
        base = st.one_of(_valid_string(prop), _valid_string(prop), TRICKY, TEXT)
    elif kind == "integer":
        base = st.one_of(st.integers(-2, 5), st.integers(-(2**40), 2**40))
    elif kind == "number":
        base = st.one_of(st.floats(-0.5, 1.5), st.sampled_from([0, 1, 0.0, 1.0, -0.0, 1 + 1e-12, math.inf, -math.inf,
                                                                math.nan]))
    elif kind == "boolean":
        base = st.booleans()
    elif kind == "array":
        base = st.lists(right_type(prop["items"]), max_size=4)
        if "enum" not in prop["items"] and prop["items"].get("type") == "string":
            base = st.one_of(base, st.lists(st.sampled_from(["a", "b", "trump"]), max_size=4))
    else:
        base = st.fixed_dictionaries({k: right_type(v) for k, v in prop["properties"].items()})
    return st.one_of(st.none(), base, base, base)


WRONG = {"string": st.integers(-3, 3), "integer": TEXT, "number": TEXT, "boolean": st.integers(0, 2),
         "array": TEXT, "object": st.integers(-3, 3)}
OTHER = {"string": st.booleans(), "integer": st.booleans(), "number": st.booleans(), "boolean": TEXT,
         "array": st.lists(st.integers(0, 3), max_size=3), "object": TEXT}


@lru_cache(maxsize=None)
def column_strategies(name: str) -> dict[str, dict[str, st.SearchStrategy]]:
    """Per column: values of the right type, of a wrong type, of another wrong type (built once per table)."""
    return {col: {"right": right_type(prop), "wrong": st.one_of(st.none(), WRONG[_kind(prop)]),
                  "other": st.one_of(st.none(), OTHER[_kind(prop)])}
            for col, prop in table_schema(name).json_schema["properties"].items()}


@st.composite
def tables(draw, name: str) -> tuple[pa.Table, list[dict[str, Any]]]:
    """An Arrow table for ``name`` (each column of one Arrow type) and the rows it was made from."""
    ts = table_schema(name)
    n = draw(st.integers(0, 6))
    columns: dict[str, list[Any]] = {}
    for col, strategies in column_strategies(name).items():
        mode = draw(st.sampled_from(["right"] * 8 + ["wrong", "other", "absent"]))
        if mode == "absent":
            continue
        columns[col] = draw(st.lists(strategies[mode], min_size=n, max_size=n))
    if draw(st.integers(0, 9)) == 0:
        columns["extra"] = draw(st.lists(st.one_of(st.none(), st.integers(-9, 9)), min_size=n, max_size=n))
    evidence = columns.get("evidence")
    if evidence and draw(st.booleans()):  # every evidence item without one key: a struct lacking a field
        gone = draw(st.sampled_from(list(ts.property("evidence")["items"]["properties"])))
        for items in evidence:
            for item in items or []:
                if isinstance(item, dict):
                    item.pop(gone, None)
    arrays = {}
    for col, values in columns.items():
        prop = ts.json_schema["properties"].get(col, {})
        dates = prop.get("format") == "date" and draw(st.booleans())
        if dates and all(v is None or (isinstance(v, str) and _is_date(v)) for v in values):
            arrays[col] = pa.array([None if v is None else dt.date.fromisoformat(v) for v in values], pa.date32())
        else:
            arrays[col] = pa.array(values)
        if pa.types.is_string(arrays[col].type) and draw(st.booleans()):  # as Parquet's dictionary pages read
            arrays[col] = arrays[col].dictionary_encode()
    table = pa.table(arrays) if arrays else pa.table({"_": pa.nulls(n)}).drop(["_"])
    if arrays and n > 1 and draw(st.booleans()):  # in chunks, as a table read from several row groups
        cuts = [0, *sorted(draw(st.sets(st.integers(1, n - 1), min_size=1, max_size=4))), n]
        table = pa.concat_tables([table.slice(a, b - a) for a, b in zip(cuts, cuts[1:])])
    return table, [dict(zip(columns, row)) for row in zip(*columns.values())] if columns else [{}] * n


def _is_date(text: str) -> bool:
    try:
        return FORMAT_CHECKER.conforms(text, "date") and len(text) == 10
    except ValueError:
        return False


def _tuples(errors) -> list[tuple]:
    return [(e.row, e.id, e.field, e.code, e.message, e.value) for e in errors]


def _missing(name: str, columns) -> list[str]:
    return [e.field for e in column_errors(name, columns) if e.code == "column-missing"]


def _same(actual, expected) -> None:
    assert _tuples(actual) == _tuples(expected)


@pytest.mark.parametrize("name", TABLES)
@settings(max_examples=ARROW_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_compiled_checks_agree_with_jsonschema_on_arrow(name, data):
    table, _ = data.draw(tables(name))
    skip = _missing(name, table.column_names)
    expected = row_errors(name, records_from_arrow(table), skip_fields=skip)
    _same(compiled(name).errors(table, skip=skip), expected)


@pytest.mark.parametrize("name", TABLES)
@settings(max_examples=FRAME_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_compiled_checks_agree_with_jsonschema_on_frames(name, data):
    _, rows = data.draw(tables(name))
    if data.draw(st.booleans()) and rows:  # a column mixing types: the frame falls back, same verdict
        col = data.draw(st.sampled_from(sorted(rows[0]) or ["x"]))
        rows[0] = {**rows[0], col: data.draw(st.one_of(st.integers(), TEXT, st.booleans()))}
    frame = pd.DataFrame(rows)
    skip = _missing(name, frame.columns)
    expected = row_errors(name, records_from_frame(frame), skip_fields=skip)
    _same(_row_layer(name, frame, skip)[0], expected)


@pytest.mark.parametrize("name", TABLES)
def test_batches_number_rows_globally(name):
    """A table checked in slices reports the rows it reports whole, numbered from the table's start."""
    rows = [{c: None for c in table_schema(name).columns} for _ in range(5)]
    table = pa.Table.from_pylist(rows)
    whole = compiled(name).errors(table)
    sliced = [e for start in range(0, 5, 2) for e in compiled(name).errors(table.slice(start, 2), offset=start)]
    assert _tuples(sliced) == _tuples(whole)


def test_no_rule_of_the_tables_falls_back_to_jsonschema():
    """Every keyword the schemas use is vectorized; a new one that is not shows up here."""
    assert {name: compiled(name).fallbacks for name in TABLES} == {name: [] for name in TABLES}


FALLBACK_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "pattern": r"^\d+(?=x)"},  # Unicode \d and a look-ahead: not RE2's meaning
        "word": {"type": "string", "pattern": r"^\w+$"},
        "count": {"type": "integer", "multipleOf": 3},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 2}, "maxItems": 2},
    },
    "required": ["code", "word", "count", "tags"],
    "additionalProperties": False,
}


def test_rules_the_compiler_cannot_vectorize_fall_back_and_agree():
    schema = compile_schema(FALLBACK_SCHEMA, "demo")
    assert schema.fallbacks == ["properties/code/pattern", "properties/word/pattern", "properties/count/multipleOf"]
    rows = [{"code": "12x", "word": "été", "count": 9, "tags": ["ab"]},
            {"code": "١٢x", "word": "a b", "count": 4, "tags": ["abc", "a", "b"]},
            {"code": "12", "word": "ok\n", "count": None, "tags": []}]
    check = Draft202012Validator(FALLBACK_SCHEMA, format_checker=FORMAT_CHECKER)
    expected = sorted((i, e.validator, e.message) for i, r in enumerate(rows) for e in check.iter_errors(r))
    actual = sorted((e.row, e.code, e.message) for e in schema.errors(pa.Table.from_pylist(rows)))
    assert actual == expected


@pytest.mark.parametrize("pattern, text", [(r"^[a-z]+$", "abc\n"), (r"^[a-z]+$", "abc\n\n"), (r"^a$", "a\n"),
                                           (r"^seeds/[^/]+\.txt$", "seeds/\n.txt"), (r"^Q[1-9][0-9]*$", "Q1\n")])
def test_patterns_keep_pythons_meaning_of_dollar(pattern, text):
    import re

    import pyarrow.compute as pc

    translated = re2_pattern(pattern)
    assert pc.match_substring_regex(pa.array([text]), translated)[0].as_py() == bool(re.search(pattern, text))


def test_formats_checked_do_not_depend_on_installed_libraries():
    """Only ``date`` is checked, whatever is installed: ``uri`` is an annotation in both engines."""
    assert set(FORMAT_CHECKER.checkers) == {"date"}
    assert validator("documents").format_checker is FORMAT_CHECKER
    item = {"brief": "b.md", "item": None, "url": "not a uri at all", "title": "t", "publisher": "p",
            "published": "2025-02-30", "quote": "q", "summary": None}
    schema = table_schema("outcomes").json_schema["properties"]["evidence"]["items"]
    errors = list(Draft202012Validator(schema, format_checker=FORMAT_CHECKER).iter_errors(item))
    assert [(e.validator, e.instance) for e in errors] == [("format", "2025-02-30")]


def test_contains_agrees_with_jsonschema():
    """A list with no matching item fails ``contains`` (an empty one too), in both engines, in a ``then``."""
    schema = {"type": "object", "properties": {
        "kind": {"type": "string"},
        "items": {"type": "array", "items": {"type": "object", "properties": {"q": {"type": ["string", "null"]}}}}},
        "if": {"properties": {"kind": {"const": "settled"}}},
        "then": {"properties": {"items": {"contains": {"properties": {"q": {"type": "string"}}, "required": ["q"]}}}}}
    rows = [{"kind": "settled", "items": [{"q": None}, {"q": "x"}]}, {"kind": "settled", "items": [{"q": None}]},
            {"kind": "settled", "items": []}, {"kind": "open", "items": [{"q": None}]}]
    table = pa.table({"kind": [r["kind"] for r in rows],
                      "items": pa.array([r["items"] for r in rows], pa.list_(pa.struct([("q", pa.string())])))})
    compiled_schema = compile_schema(schema, "t")
    assert compiled_schema.fallbacks == []
    reference = Draft202012Validator(schema)
    expected = [i for i, r in enumerate(rows) if any(True for _ in reference.iter_errors(r))]
    found = compiled_schema.errors(table)
    assert [e.row for e in found] == expected == [1, 2]
    assert {(e.field, e.code) for e in found} == {("items", "conditional")}
    assert found[1].message == "[] does not contain items matching the given schema"
