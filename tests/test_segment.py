"""Segmentation: the library's rules reproduce the release's segments; offsets always slice the text; refusals."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stancetrack
from stancetrack.errors import InvalidText
from stancetrack.segment import read_text, segments, sentence_spans
from stancetrack.validation import validate_table

DOC = "marquette-2025-alaska"


def test_reproduces_the_release_segments(release_dir):
    ds = stancetrack.load(release_dir)
    released = [{k: (int(v) if k in ("start", "end") else str(v)) for k, v in row.items()}
                for row in ds.segments.astype(object).to_dict("records")]
    rows = segments(ds.text(DOC), DOC)
    assert len(rows) == 33
    assert rows == released


def test_kinds_and_sections_of_a_small_text():
    text = ("Un titre\nPar Jeanne Exemple\nUne introduction qui dit de quoi il s’agit.\nPremière partie\n\n"
            "Un intertitre\nUn paragraphe.\nUn second paragraphe sans intertitre.\n"
            "Conclusion : la fin\n\nLe dernier mot.\n")
    rows = segments(text, "exemple-2026", first=40)
    got = [(r["segment_id"], r["kind"], r["section"], text[r["start"]:r["end"]]) for r in rows]
    assert got == [
        ("sg-0040", "title", "front", "Un titre"),
        ("sg-0041", "byline", "front", "Par Jeanne Exemple"),
        ("sg-0042", "paragraph", "introduction", "Une introduction qui dit de quoi il s’agit."),
        ("sg-0043", "heading", "part-1", "Première partie"),
        ("sg-0044", "subheading", "part-1.1", "Un intertitre"),
        ("sg-0045", "paragraph", "part-1.1", "Un paragraphe."),
        ("sg-0046", "paragraph", "part-1.1", "Un second paragraphe sans intertitre."),
        ("sg-0047", "heading", "conclusion", "Conclusion : la fin"),
        ("sg-0048", "paragraph", "conclusion", "Le dernier mot."),
    ]
    assert validate_table("segments", pd.DataFrame(rows)).valid


def test_segments_exclude_surrounding_white_space():
    text = "Titre\n\n   Un paragraphe indenté.  \n"
    rows = segments(text, "doc")
    assert [text[r["start"]:r["end"]] for r in rows] == ["Titre", "Un paragraphe indenté."]
    assert [r["kind"] for r in rows] == ["title", "paragraph"]


@pytest.mark.parametrize(("data", "code", "message"), [
    (b"", "text-empty", "the text is empty or only white space"),
    (b" \n\t\n", "text-empty", "the text is empty or only white space"),
    (b"Caf\xe9\n", "text-encoding", "byte 3 (0xe9) is not UTF-8"),
    ("\ufeffTitre".encode(), "text-encoding", "starts with a byte-order mark"),
    (b"Titre\r\nTexte.", "text-line-ending", "carriage return at offset 5 (line 1, column 6)"),
    ("Titre\nCafe\u0301.".encode(), "source-not-nfc", "not in Unicode NFC (first at offset 9, line 2, column 4"),
])
def test_refusals_are_error_records(data, code, message):
    with pytest.raises(InvalidText) as caught:
        read_text(data, "exemple-2026")
    [error] = caught.value.errors
    assert (error.table, error.code, error.id, error.field) == ("documents", code, "exemple-2026", "text")
    assert message in error.message
    assert "the text of exemple-2026 is refused; nothing was written" in str(caught.value)


def test_segments_refuse_unchecked_text():
    with pytest.raises(InvalidText, match="source-not-nfc"):
        segments("Cafe\u0301", "doc")


LINE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\ufeff"), max_size=40)
TEXTS = (st.lists(st.one_of(LINE, st.just(""), st.sampled_from(["Conclusion", "Par Quelqu’un", "Fin."])),
                  min_size=1, max_size=12)
         .map(lambda lines: unicodedata.normalize("NFC", "\n".join(lines)))
         .filter(lambda text: text.strip() and "\r" not in text and not text.startswith("\ufeff")))


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_offsets_always_slice_the_text(text):
    rows = segments(text, "doc")
    assert rows and rows[0]["kind"] == "title"
    previous_end = 0
    for row in rows:
        piece = text[row["start"]:row["end"]]
        assert piece and piece == piece.strip() and "\n" not in piece
        assert row["start"] >= previous_end
        previous_end = row["end"]
    # every non-blank line is exactly one segment
    assert [text[r["start"]:r["end"]] for r in rows] == [line.strip() for line in text.split("\n") if line.strip()]
    assert validate_table("segments", pd.DataFrame(rows)).valid


def test_sentences_are_cut_before_a_capital_or_a_digit_only():
    text = "Titre\nIl viendra. « Viendra-t-il ? » Oui… etc. et voilà ! 2026 sera là (sans doute.) Fin"
    start = text.index("Il")
    spans = sentence_spans(text, start, len(text) - 4)
    assert [text[a:b] for a, b in spans] == ["Il viendra.", "« Viendra-t-il ? »", "Oui… etc. et voilà !",
                                             "2026 sera là (sans doute.)"]
    assert sentence_spans(text)[0] == (0, text.index(".") + 1)  # a line break alone does not cut
    assert sentence_spans("   ") == [] and sentence_spans("Un. Deux.", 3, 4) == []


SENTENCE_TEXTS = st.text(st.sampled_from(list("aZÉ9 \n\u202f.!?…«»”\"’()[]"))
                         | st.characters(blacklist_categories=("Cs",)), max_size=80)


@settings(max_examples=300, deadline=None)
@given(SENTENCE_TEXTS, st.data())
def test_sentence_spans_tile_the_range(text, data):
    start = data.draw(st.integers(0, len(text)), label="start")
    end = data.draw(st.integers(start, len(text)), label="end")
    spans = sentence_spans(text, start, end)
    assert all(start <= a < b <= end and text[a:b] == text[a:b].strip() for a, b in spans)
    bounds = [start] + [offset for span in spans for offset in span] + [end]
    assert bounds == sorted(bounds)  # in order, without overlap
    gaps = [text[a:b] for a, b in zip(bounds[::2], bounds[1::2])]
    assert all(not gap.strip() for gap in gaps)  # only white space lies between or outside the sentences
    assert "".join(gap + text[a:b] for gap, (a, b) in zip(gaps, spans)) + gaps[-1] == text[start:end]
