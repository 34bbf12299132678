"""Layer 4: the source texts match their fingerprints, and every span matches the text it points into."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import pyarrow as pa

from ..errors import ErrorRecord
from ..resources import release_root
from ..schemas import TABLES, table_schema


def locate_source(dataset_dir: Path | None, source_path: str, sha256: str | None) -> Path | None:
    """The source file: beside the dataset folder (the release root), else the packaged one with that hash."""
    candidates = []
    if dataset_dir is not None:
        candidates += [Path(dataset_dir).parent / source_path, Path(dataset_dir) / source_path]
    packaged = release_root() / source_path
    for path in candidates:
        if path.is_file():
            return path
    if packaged.is_file() and (sha256 is None or _sha256(packaged) == sha256):
        return packaged
    return None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_texts(documents: pa.Table, dataset_dir: Path | None) -> tuple[dict[str, str], list[ErrorRecord]]:
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
        path = locate_source(dataset_dir, source_path, row["text_sha256"])
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


def span_errors(tables: dict[str, pa.Table], texts: dict[str, str]) -> list[ErrorRecord]:
    errors: list[ErrorRecord] = []
    documents = tables.get("documents")
    if documents is not None and {"published_earliest", "published_latest"} <= set(documents.column_names):
        rows = documents.select(["document_id", "published_earliest", "published_latest"]).to_pylist()
        for position, row in enumerate(rows):
            early, late = row["published_earliest"], row["published_latest"]
            if early is not None and late is not None and late < early:
                errors.append(ErrorRecord("documents", "date-window", "published_latest is before published_earliest",
                                          row=position, id=row["document_id"], field="published_latest",
                                          value=late.isoformat()))
    for name in TABLES:
        table = tables.get(name)
        ts = table_schema(name)
        if table is None or not ts.has_spans:
            continue
        cols = [c for c in (ts.key, "document_id", "start", "end", "quote") if c in table.column_names]
        if not {"document_id", "start", "end"} <= set(cols):
            continue
        for position, row in enumerate(table.select(cols).to_pylist()):
            errors += _row_span_errors(name, position, row.get(ts.key), row, texts)
    return errors


def _row_span_errors(name, position, row_id, row, texts) -> list[ErrorRecord]:
    start, end, text = row["start"], row["end"], texts.get(row["document_id"])
    if not isinstance(start, int) or not isinstance(end, int):
        return []
    if end <= start:
        return [ErrorRecord(name, "span-order", f"end {end} is not after start {start}",
                            row=position, id=row_id, field="end", value=end)]
    if text is None:
        return []
    if start < 0 or end > len(text):
        return [ErrorRecord(name, "span-bounds", f"span {start}:{end} is outside the text (0:{len(text)})",
                            row=position, id=row_id, field="end" if end > len(text) else "start",
                            value=end if end > len(text) else start)]
    quote = row.get("quote")
    if "quote" in row and quote is not None and quote != text[start:end]:
        return [ErrorRecord(name, "quote-mismatch", f"quote differs from the text at {start}:{end}, "
                            f"which reads {text[start:end][:80]!r}", row=position, id=row_id, field="quote",
                            value=quote)]
    return []
