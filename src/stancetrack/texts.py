"""The source texts: found beside the dataset (or in the package), checked against their fingerprints.

Every offset in the dataset indexes one of these texts, in Unicode code points. The loader, the validator and
the Label Studio tasks all read them here.
"""

from __future__ import annotations

import hashlib
import unicodedata
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
