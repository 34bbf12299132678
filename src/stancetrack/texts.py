"""The source texts: found beside the dataset (or in the package), checked against their fingerprints.

Every offset in the dataset indexes one of these texts, in Unicode code points. The loader, the validator and
the Label Studio tasks all read them here.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from .errors import ErrorRecord
from .resources import release_root


def locate_source(dataset: Path | None, source_path: str, sha256: str | None) -> Path | None:
    """The source file: beside the dataset folder (the release root), else the packaged one with that hash."""
    candidates = []
    if dataset is not None:
        candidates += [Path(dataset).parent / source_path, Path(dataset) / source_path]
    packaged = release_root() / source_path
    for path in candidates:
        if path.is_file():
            return path
    if packaged.is_file() and (sha256 is None or _sha256(packaged) == sha256):
        return packaged
    return None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_texts(documents: pa.Table, dataset: Path | None) -> tuple[dict[str, str], list[ErrorRecord]]:
    """The text of every document that can be read, and the problems with the sources."""
    texts: dict[str, str] = {}
    errors: list[ErrorRecord] = []
    needed = ("document_id", "source_path", "text_sha256", "char_count")
    if any(c not in documents.column_names for c in needed):
        return texts, errors
    for position, row in enumerate(documents.select(list(needed)).to_pylist()):
        doc_id, source_path = row["document_id"], row["source_path"]
        if not isinstance(source_path, str):
            continue
        path = locate_source(dataset, source_path, row["text_sha256"])
        if path is None:
            errors.append(ErrorRecord("documents", "source-missing", f"source file {source_path!r} not found",
                                      row=position, id=doc_id, field="source_path", value=source_path))
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != row["text_sha256"]:
            errors.append(ErrorRecord("documents", "source-hash", f"{path.name} has SHA-256 {digest}",
                                      row=position, id=doc_id, field="text_sha256", value=row["text_sha256"]))
        text = data.decode("utf-8")
        if unicodedata.normalize("NFC", text) != text:
            errors.append(ErrorRecord("documents", "source-not-nfc", f"{path.name} is not NFC-normalised",
                                      row=position, id=doc_id, field="source_path", value=source_path))
        if row["char_count"] != len(text):
            errors.append(ErrorRecord("documents", "source-length", f"the text has {len(text)} code points",
                                      row=position, id=doc_id, field="char_count", value=row["char_count"]))
        texts[doc_id] = text
    return texts, errors


#: Where a sentence ends: a full stop, question or exclamation mark or ellipsis, closing quotes, then a space.
_SENTENCE_END = re.compile(r"[.!?…]+[\"»”’)]*\s+")


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
    separated block around it)."""
    if paragraph is None:
        low = text.rfind("\n\n", 0, start)
        high = text.find("\n\n", end)
        paragraph = (0 if low < 0 else low + 2, len(text) if high < 0 else high)
    low, high = paragraph
    ends = [m.end() for m in _SENTENCE_END.finditer(text, low, high)]
    sentence_start = max([e for e in ends if e <= start], default=low)
    sentence_end = min([e for e in ends if e >= end], default=high)
    sentence_end = max(end, sentence_start + len(text[sentence_start:sentence_end].rstrip()))  # no trailing space
    return Context(record_id, table, document_id, start, end, text, sentence_start, sentence_end, low, high)
