"""Hypothesis strategies that draw rows valid under a table's JSON Schema, derived from the schema itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from stancetrack.schemas import table_schema
from stancetrack.textcheck import text_problem

XML_FORBIDDEN = "".join(map(chr, [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]))

# Text a dataset can hold: no surrogates (Parquet and JSON hold UTF-8), none of the control characters XML forbids,
# not only invisible characters (stancetrack.textcheck); characters beyond the BMP included.
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=XML_FORBIDDEN), min_size=1,
               max_size=30).filter(lambda s: text_problem(s) is None)
DATES = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)).map(dt.date.isoformat)
URLS = st.from_regex(r"https://[a-z]{1,10}\.org/[a-z0-9/-]{0,20}", fullmatch=True)


def value_strategy(prop: dict[str, Any]) -> st.SearchStrategy:
    kinds = [prop["type"]] if isinstance(prop["type"], str) else list(prop["type"])
    nullable = "null" in kinds
    kind = next(k for k in kinds if k != "null")
    if "enum" in prop:
        base = st.sampled_from(prop["enum"])
    elif kind == "string" and prop.get("format") == "date":
        base = DATES
    elif kind == "string" and prop.get("format") == "uri":
        base = URLS
    elif kind == "string" and "pattern" in prop:
        base = st.from_regex(prop["pattern"], fullmatch=True).filter(lambda s: text_problem(s) is None)
    elif kind == "string":
        base = TEXT
    elif kind == "integer":
        base = st.integers(prop.get("minimum", -(2**40)), prop.get("maximum", 2**40))
    elif kind == "number":
        base = st.floats(prop.get("minimum", -1e9), prop.get("maximum", 1e9), allow_nan=False)
    elif kind == "boolean":
        base = st.booleans()
    elif kind == "array":
        base = st.lists(value_strategy(prop["items"]), min_size=prop.get("minItems", 0), max_size=4,
                        unique=prop.get("uniqueItems", False))
    elif kind == "object":
        base = st.fixed_dictionaries({k: value_strategy(v) for k, v in prop["properties"].items()})
    else:
        raise ValueError(kind)
    return st.one_of(st.none(), base) if nullable else base


def _fix_conditionals(name: str, row: dict[str, Any], draw) -> dict[str, Any]:
    """Apply the schemas' if/then rules so the row is valid."""
    if name == "predictions":
        if row["modality"] == "hedged" and row["cue"] is None:
            row["cue"] = draw(TEXT)
        if row["modality"] == "conditional" and row["condition"] is None:
            row["condition"] = draw(TEXT)
        if row["modality"] != "conditional":
            row["condition"] = None
    if name == "outcomes":
        for item in row["evidence"]:
            if item["quote"] is None and item["summary"] is None:
                item["summary"] = draw(TEXT.filter(lambda s: not s.startswith("[")))
        if row["status"] in ("true", "false", "partial") and all(i["quote"] is None for i in row["evidence"]):
            item = draw(value_strategy(table_schema(name).property("evidence")["items"]))
            row["evidence"] = [*row["evidence"], {**item, "quote": draw(TEXT.filter(lambda s: not s.startswith("[")))}]
        if row["status"] in ("true", "false", "partial", "annulled") and row["deciding_clause"] is None:
            row["deciding_clause"] = draw(TEXT)
        if row["status"] == "annulled" and row["condition_met"]:
            row["condition_met"] = draw(st.sampled_from([False, None]))
    return row


def rows(name: str) -> st.SearchStrategy[dict[str, Any]]:
    """One row valid under the table's JSON Schema (row layer only: no references or spans)."""
    props = table_schema(name).json_schema["properties"]

    @st.composite
    def draw_row(draw):
        row = {k: draw(value_strategy(v)) for k, v in props.items()}
        return _fix_conditionals(name, row, draw)

    return draw_row()
