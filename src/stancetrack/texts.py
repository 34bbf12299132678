"""The documents' texts: held in the dataset (``documents.text``), checked against their fingerprints.

Every offset in the dataset indexes one of these texts, in Unicode code points. The validator and the Label
Studio tasks read them here; nothing outside the Parquet files is needed to check an offset.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

import pyarrow as pa

from .errors import ErrorRecord
from .segment import sentence_spans


def load_texts(documents: pa.Table) -> tuple[dict[str, str], list[ErrorRecord]]:
    """The text of every document (its ``text`` column), and the problems with it: a SHA-256 of its UTF-8 bytes
    other than ``text_sha256``, a length other than ``char_count``, text not in Unicode NFC."""
    texts: dict[str, str] = {}
    errors: list[ErrorRecord] = []
    needed = ("document_id", "text", "text_sha256", "char_count")
    if any(c not in documents.column_names for c in needed):
        return texts, errors
    for position, row in enumerate(documents.select(list(needed)).to_pylist()):
        doc_id, text = row["document_id"], row["text"]
        if not isinstance(text, str):
            continue  # a null text is a row error (the schema requires a string)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest != row["text_sha256"]:
            errors.append(ErrorRecord("documents", "source-hash", f"the text has SHA-256 {digest}",
                                      row=position, id=doc_id, field="text_sha256", value=row["text_sha256"]))
        if not unicodedata.is_normalized("NFC", text):
            errors.append(ErrorRecord("documents", "source-not-nfc", "the text is not NFC-normalised",
                                      row=position, id=doc_id, field="text"))
        if row["char_count"] != len(text):
            errors.append(ErrorRecord("documents", "source-length", f"the text has {len(text)} code points",
                                      row=position, id=doc_id, field="char_count", value=row["char_count"]))
        texts[doc_id] = text
    return texts, errors


@dataclass(frozen=True)
class Context:
    """A span inside its sentence and its paragraph; offsets are code points into the document's text."""

    record_id: str
    table: str
    document_id: str
    start: int
    end: int
    text: str
    sentence_start: int
    sentence_end: int
    paragraph_start: int
    paragraph_end: int

    @property
    def quote(self) -> str:
        return self.text[self.start:self.end]

    @property
    def sentence(self) -> str:
        return self.text[self.sentence_start:self.sentence_end]

    @property
    def paragraph(self) -> str:
        return self.text[self.paragraph_start:self.paragraph_end]

    def marked(self, start: int, end: int) -> str:
        """The text from ``start`` to ``end`` with the quote between ⟦ and ⟧."""
        return f"{self.text[start:self.start]}⟦{self.quote}⟧{self.text[self.end:end]}"

    def __str__(self) -> str:
        return (f"{self.record_id} ({self.table}, {self.document_id} {self.start}:{self.end})\n"
                f"sentence:  {self.marked(self.sentence_start, self.sentence_end)}\n"
                f"paragraph: {self.marked(self.paragraph_start, self.paragraph_end)}")


def span_context(text: str, record_id: str, table: str, document_id: str, start: int, end: int,
                 paragraph: tuple[int, int] | None) -> Context:
    """The sentence (or sentences) holding ``text[start:end]``, within its paragraph (default: the blank-line
    separated block around it); sentences are cut by :func:`stancetrack.segment.sentence_spans`."""
    if paragraph is None:
        low = text.rfind("\n\n", 0, start)
        high = text.find("\n\n", end)
        paragraph = (0 if low < 0 else low + 2, len(text) if high < 0 else high)
    low, high = paragraph
    spans = sentence_spans(text, low, high)
    sentence_start = min(start, max([a for a, _ in spans if a <= start], default=low))
    sentence_end = max(end, min([b for _, b in spans if b >= end], default=high))
    return Context(record_id, table, document_id, start, end, text, sentence_start, sentence_end, low, high)
