"""The documents' texts live in the dataset: the Parquet files alone are enough to check every offset."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import stancetrack
from stancetrack.schemas import TABLES, table_schema

REPO = Path(__file__).resolve().parents[1]


def lone_copy(tmp_path: Path) -> Path:
    """The release's dataset/ folder copied alone: no seeds/ beside it."""
    return Path(shutil.copytree(REPO / "dataset", tmp_path / "elsewhere" / "dataset",
                                ignore=shutil.ignore_patterns(".stancetrack.lock", ".tmp-*")))


def test_the_parquet_files_alone_check_every_offset(tmp_path):
    folder = lone_copy(tmp_path)
    assert not (folder.parent / "seeds").exists()
    report = stancetrack.validate(folder)
    assert report.valid, str(report)
    documents = pq.read_table(folder / "documents.parquet").to_pylist()
    texts = {doc["document_id"]: doc["text"] for doc in documents}
    for doc in documents:
        assert hashlib.sha256(doc["text"].encode("utf-8")).hexdigest() == doc["text_sha256"]
        assert len(doc["text"]) == doc["char_count"]
    seed = (REPO / "seeds" / "000_34c6196f3528f434.txt").read_text(encoding="utf-8")
    assert texts["marquette-2025-alaska"] == seed
    checked = 0
    for name in (n for n in TABLES if table_schema(n).has_spans):
        for row in pq.read_table(folder / f"{name}.parquet").to_pylist():
            span = texts[row["document_id"]][row["start"]:row["end"]]
            assert span == row.get("quote", span) and span.strip() == span != ""
            checked += 1
    assert checked > 500
    assert stancetrack.load(folder).text("marquette-2025-alaska") == seed


def test_a_changed_text_is_reported_against_its_fingerprint(tmp_path):
    folder = lone_copy(tmp_path)
    table = pq.read_table(folder / "documents.parquet")
    text = table.column("text")[0].as_py()
    changed = table.set_column(table.schema.get_field_index("text"), table.schema.field("text"),
                               pa.array([text.replace("Poutine", "Putin", 1)], table.schema.field("text").type))
    pq.write_table(changed, folder / "documents.parquet")
    report = stancetrack.validate(folder)
    hashes = [e for e in report.errors if e.code == "source-hash"]
    assert [(e.table, e.id, e.field) for e in hashes] == [("documents", "marquette-2025-alaska", "text_sha256")]
    assert hashes[0].message.startswith("the text has SHA-256 ")
    assert "source-length" in report.codes()  # "Putin" is two code points shorter than "Poutine"
