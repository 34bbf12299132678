"""The text rules hold for every way a text reaches a dataset: records, frames and Arrow tables given to the
writer, and Parquet files written by another tool, checked by ``validate``."""

from __future__ import annotations

import math
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stancetrack.errors import InvalidData
from stancetrack.textcheck import MAX_TEXT, text_problem
from stancetrack.validation import validate_table
from stancetrack.validation.textrules import _suspects, arrow_text_errors
from stancetrack.writer import transaction

from conftest import REPO, file_bytes

CODE_POINTS = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]


def test_the_vectorized_pass_flags_every_code_point_that_breaks_a_rule():
    """Both rules are about single characters (one forbidden, or every one invisible), so a pass that flags
    every offending character, alone or after a visible one, flags every offending text."""
    for prefix in ("", "a"):
        texts = [prefix + c for c in CODE_POINTS]
        flagged = set(_suspects(pa.array(texts), MAX_TEXT).tolist())
        missed = [f"U+{ord(t[-1]):04X}" for i, t in enumerate(texts) if text_problem(t) and i not in flagged]
        assert missed == []
        assert len(flagged) < 100  # a prefilter: a few separators more than Python's rules, not whole scripts


@pytest.mark.parametrize("texts, limit", [
    (["ok", None, "\x00", "", "fine", "x" * 12, "\u2028", None, "é\ufffe"], 10),
    ([None, None], 10), ([], 10), (["", ""], 10), (["\u200b"] * 3 + ["ok"], math.inf)])
def test_the_vectorized_pass_on_nulls_empties_and_slices(texts, limit):
    array = pa.array(texts, type=pa.string())
    for start in range(len(texts) + 1):
        part = array.slice(start)
        expected = [i for i, t in enumerate(texts[start:]) if t is not None and text_problem(t, limit)]
        assert set(expected) <= set(_suspects(part, limit).tolist())
        assert set(_suspects(part, limit).tolist()) <= {i for i, t in enumerate(texts[start:]) if t is not None}


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=12))
def test_arrow_reaches_the_verdict_of_the_records(text):
    table = pa.table({"topic_id": ["alpha"], "label": [text], "label_fr": ["ok"], "description": ["ok"]})
    expected = text_problem(text)
    found = [(e.code, e.field) for e in arrow_text_errors("topics", table)]
    assert found == ([] if expected is None else [(expected[0], "label")])


def _with(table: pa.Table, column: str, values: list) -> pa.Table:
    return table.set_column(table.schema.get_field_index(column), column,
                            pa.array(values, type=table.schema.field(column).type))


@pytest.mark.parametrize("table, column, row, value, code", [
    ("stances", "quote", 3, "abc\x07", "text-control"),
    ("stances", "gloss_en", 5, "\u200b \ufeff", "text-invisible"),
    ("stances", "gloss_en", 6, "x" * (MAX_TEXT + 1), "text-too-long"),
    ("actors", "aliases", 4, ["ok", "\x0b"], "text-control"),  # in a list
])
def test_an_arrow_table_given_to_the_writer_is_held_to_the_text_rules(dataset_copy, table, column, row, value,
                                                                       code):
    before = file_bytes(dataset_copy)
    original = pq.read_table(dataset_copy / f"{table}.parquet")
    values = original.column(column).to_pylist()
    values[row] = value
    with pytest.raises(InvalidData) as info:
        with transaction(dataset_copy) as tx:
            tx.replace(table, _with(original, column, values))
    found = [(e.table, e.code, e.field, e.row) for e in info.value.errors if e.code.startswith("text-")]
    assert found == [(table, code, column, row)]
    assert file_bytes(dataset_copy) == before


def test_a_dictionary_column_is_checked_once_per_distinct_text():
    stances = pq.read_table(REPO / "dataset" / "stances.parquet")
    annotators = stances.column("annotator").to_pylist()
    annotators[2] = "gold\x00"
    table = stances.set_column(stances.schema.get_field_index("annotator"), "annotator",
                               pa.array(annotators).dictionary_encode())
    assert [(e.code, e.field, e.row) for e in arrow_text_errors("stances", table)] == [("text-control", "annotator", 2)]


def test_closed_patterns_and_enumerations_are_left_to_the_schema_check():
    """An id with a control character breaks its pattern, a polarity its enumeration: one error each, from the
    schema check, and the text rules add none; an id's length is still held to the limit."""
    stances = pq.read_table(REPO / "dataset" / "stances.parquet")
    ids, polarities = stances.column("stance_id").to_pylist(), stances.column("polarity").to_pylist()
    ids[1], polarities[2] = "st-\x000002", "favor\x00"
    ids[3] = "st-" + "1" * MAX_TEXT
    table = _with(_with(stances, "stance_id", ids), "polarity", polarities)
    assert [(e.code, e.row) for e in arrow_text_errors("stances", table)] == [("text-too-long", 3)]
    codes = {(e.code, e.field, e.row) for e in validate_table("stances", table).errors}
    assert {("pattern", "stance_id", 1), ("enum", "polarity", 2)} <= codes


def test_text_nested_in_evidence_is_checked(dataset_copy):
    outcomes = pq.read_table(dataset_copy / "outcomes.parquet")
    evidence = outcomes.column("evidence").to_pylist()
    row = next(i for i, items in enumerate(evidence) if items)
    evidence[row][0]["summary"] = "bad\x01"
    errors = validate_table("outcomes", _with(outcomes, "evidence", evidence)).errors
    assert [(e.code, e.field, e.row) for e in errors] == [("text-control", "evidence", row)]


def test_validate_finds_a_control_character_another_tool_wrote(dataset_copy, run_cli):
    topics = pq.read_table(dataset_copy / "topics.parquet")
    labels = topics.column("label").to_pylist()
    labels[1] = labels[1] + "\x1b[31m"
    pq.write_table(_with(topics, "label", labels), dataset_copy / "topics.parquet")
    code, out, err = run_cli("validate", str(dataset_copy))
    assert code == 1
    topic_id = topics.column("topic_id")[1].as_py()
    assert any(line.split()[:5] == ["topics", "1", topic_id, "label", "text-control"] for line in out.splitlines())


def test_valid_texts_cost_no_python_reading(monkeypatch, release_dir):
    """Rows that break no rule are never turned into Python records (the vectorized pass clears them)."""
    import stancetrack.validation.textrules as textrules

    def refuse(*args, **kwargs):
        raise AssertionError("a valid table was read row by row")
    monkeypatch.setattr(textrules, "records_from_arrow", refuse)
    for name in ("stances", "predictions", "outcomes", "actors", "documents"):
        assert arrow_text_errors(name, pq.read_table(release_dir / f"{name}.parquet")) == []
