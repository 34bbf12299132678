"""The vectorized span checks (layer 4) report what the foundation's loop over the rows reported."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from stancetrack.validation.spans import table_span_errors

TEXT = "Poutine a gagné 🇺🇦 à Anchorage.\nL'Europe — 𝔈 — doit se réveiller."
TEXTS = {"doc-a": TEXT, "doc-b": "é" * 40}


def reference(rows: list[dict], texts: dict[str, str]) -> list[tuple]:
    """The per-row rules: end after start, inside the text, quote == text[start:end]."""
    out = []
    for position, row in enumerate(rows):
        start, end, text = row["start"], row["end"], texts.get(row["document_id"])
        if not isinstance(start, int) or not isinstance(end, int):
            continue
        if end <= start:
            out.append((position, "span-order", "end", end))
        elif text is None:
            continue
        elif start < 0 or end > len(text):
            out.append((position, "span-bounds", "end" if end > len(text) else "start",
                        end if end > len(text) else start))
        elif row["quote"] is not None and row["quote"] != text[start:end]:
            out.append((position, "quote-mismatch", "quote", row["quote"]))
    return out


@st.composite
def span_rows(draw):
    doc = draw(st.sampled_from(["doc-a", "doc-b", "doc-c", None]))
    text = TEXTS.get(doc, "")
    start = draw(st.one_of(st.none(), st.integers(-2, len(TEXT) + 2)))
    end = draw(st.one_of(st.none(), st.integers(-1, len(TEXT) + 3)))
    exact = text[start:end] if isinstance(start, int) and isinstance(end, int) and start >= 0 else ""
    quote = draw(st.one_of(st.just(exact), st.just(exact), st.none(), st.text(max_size=4),
                           st.just(exact[:-1] + "x") if exact else st.just("x")))
    return {"stance_id": "st-0001", "document_id": doc, "start": start, "end": end, "quote": quote}


@settings(max_examples=400, deadline=None)
@given(st.lists(span_rows(), max_size=12))
def test_span_checks_match_the_row_loop(rows):
    table = pa.Table.from_pylist(rows, schema=pa.schema([("stance_id", pa.string()), ("document_id", pa.string()),
                                                         ("start", pa.int64()), ("end", pa.int64()),
                                                         ("quote", pa.string())]))
    found = [(e.row, e.code, e.field, e.value) for e in table_span_errors("stances", table, TEXTS)]
    assert found == reference(rows, TEXTS)
    sliced = [(e.row, e.code, e.field, e.value) for start in range(0, len(rows), 5)
              for e in table_span_errors("stances", table.slice(start, 5), TEXTS, offset=start)]
    assert sliced == found


def test_quotes_compared_in_small_chunks_give_the_same_answer():
    import numpy as np

    from stancetrack.validation.spans import _quotes_differ

    starts, ends = np.array([0, 2, 16, 17, 5]), np.array([3, 9, 17, 19, 6])
    quotes = [TEXT[s:e] for s, e in zip(starts, ends)]
    quotes[3] = quotes[3][:-1] + "?"
    for chunk in (1, 3, 1 << 22):
        differ = _quotes_differ(TEXT, starts, ends, pa.array(quotes), chunk_bytes=chunk)
        assert differ.tolist() == [False, False, False, True, False]
