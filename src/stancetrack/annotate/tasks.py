"""Label Studio tasks: one per paragraph segment, carrying that paragraph's current records as pre-annotations.

A task's ``data`` holds the paragraph's text and where it sits (document, segment, section, ``offset`` of its
first character in the document, in code points). Its one prediction (``model_version`` naming the dataset
version and a short hash of its tables, so it changes whenever the records do) holds a region per mention,
stance and prediction lying inside the paragraph; the region id is the record id, so a record reviewed in
Label Studio keeps its id when it comes back, and the region list shows it. A paragraph with no records yet (a
document just added) carries the suggestions of :mod:`stancetrack.annotate.suggest` instead, as a prediction of
their own ``model_version`` with a score per region (when asked for: ``build_tasks(dataset, suggest=True)``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..frames import records_from_arrow
from ..schemas import table_schema
from ..storage import sound_snapshot
from ..texts import load_texts
from .fields import LABEL_CONTROL, RECORD_CONTROL, TABLE_LABEL, SPAN_TABLES, TEXT, fields_of, record_value
from .offsets import OffsetMap


@dataclass(frozen=True)
class Paragraph:
    document_id: str
    segment_id: str
    section: str
    start: int
    end: int
    text: str

    def holds(self, record: dict[str, Any]) -> bool:
        """Whether a span record lies inside this paragraph."""
        return (record["document_id"] == self.document_id and self.start <= record["start"]
                and record["end"] <= self.end)


@dataclass
class DatasetView:
    """What building and importing tasks need from a dataset: paragraphs, texts, registries, span records."""

    version: str
    texts: dict[str, str]
    paragraphs: list[Paragraph]
    actor_ids: list[str]
    topic_ids: list[str]
    records: dict[str, list[dict[str, Any]]]
    id_high_water: dict[str, int] = field(default_factory=dict)  # from the manifest: ids never reused
    digest: str = ""  # a short hash of the tables' contents (from the manifest)
    #: suggestion predictions (stancetrack.annotate.suggest) of paragraphs with no records, by (document, segment)
    suggested: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    @property
    def model_version(self) -> str:
        return model_version(self.version, self.digest)

    def paragraph(self, document_id: str, segment_id: str) -> Paragraph | None:
        for p in self.paragraphs:
            if p.document_id == document_id and p.segment_id == segment_id:
                return p
        return None


#: The tables building and importing tasks read.
VIEW_TABLES = ("documents", "segments", "actors", "topics", *SPAN_TABLES)


def dataset_view(tables: dict[str, Any], dataset: Path, manifest: dict[str, Any]) -> DatasetView:
    """A :class:`DatasetView` of Arrow tables (as read from ``dataset``, or pending in a transaction)."""
    texts, _ = load_texts(tables["documents"])
    paragraphs = []
    for seg in records_from_arrow(tables["segments"]):
        if seg["kind"] == "paragraph" and seg["document_id"] in texts:
            text = texts[seg["document_id"]][seg["start"]:seg["end"]]
            paragraphs.append(Paragraph(seg["document_id"], seg["segment_id"], seg["section"], seg["start"],
                                        seg["end"], text))
    return DatasetView(
        version=manifest.get("dataset_version", "unknown"), texts=texts, paragraphs=paragraphs,
        actor_ids=tables["actors"].column("actor_id").to_pylist(),
        topic_ids=tables["topics"].column("topic_id").to_pylist(),
        records={name: records_from_arrow(tables[name]) for name in SPAN_TABLES},
        id_high_water=dict(manifest.get("id_high_water", {})), digest=content_digest(manifest),
    )


def read_view(dataset: str | Path, suggest: bool = False) -> DatasetView:
    """The view of a dataset folder (one committed version of its tables); with ``suggest``, the paragraphs that
    have no records yet get suggestions (:func:`stancetrack.annotate.suggest.unrecorded_suggestions`)."""
    snap = sound_snapshot(dataset, VIEW_TABLES)
    tables = {name: snap.table(name) for name in VIEW_TABLES}
    view = dataset_view(tables, Path(dataset), snap.manifest)
    if suggest:
        from .suggest import unrecorded_suggestions

        authors = dict(zip(tables["documents"].column("document_id").to_pylist(),
                           tables["documents"].column("author_id").to_pylist()))
        view.suggested = unrecorded_suggestions(view, records_from_arrow(tables["actors"]), authors, dataset)
    return view


def content_digest(manifest: dict[str, Any]) -> str:
    """Eight hex digits that change whenever a table's bytes do (a hash of the manifest's table checksums)."""
    sums = {name: entry.get("sha256") for name, entry in sorted(manifest.get("tables", {}).items())}
    return hashlib.sha256(json.dumps(sums, sort_keys=True).encode("utf-8")).hexdigest()[:8]


def model_version(version: str, digest: str = "") -> str:
    """``stancetrack-VERSION-DIGEST``: the dataset version and a short hash of its contents."""
    return f"stancetrack-{version}" + (f"-{digest}" if digest else "")


def record_results(table: str, record: dict[str, Any], paragraph: Paragraph,
                   offsets: OffsetMap | None = None, show_id: bool = True) -> list[dict[str, Any]]:
    """The Label Studio results of one record: its span label, its record id (shown in the region list, unless
    ``show_id`` is false, as for a suggestion, which has no record yet) and one result per answered field."""
    offsets = offsets or OffsetMap(paragraph.text)
    label = TABLE_LABEL[table]
    key = table_schema(table).key
    span = {"start": offsets.to_utf16(record["start"] - paragraph.start),
            "end": offsets.to_utf16(record["end"] - paragraph.start)}
    base = {"id": record[key], "to_name": TEXT}
    results = [{**base, "from_name": LABEL_CONTROL, "type": "labels",
                "value": {**span, "text": record["quote"], "labels": [label]}}]
    if show_id:
        results.append({**base, "from_name": RECORD_CONTROL, "type": "textarea",
                        "value": {**span, "text": [record[key]]}})
    for field in fields_of(label):
        value = record_value(field, record)
        if value is not None:
            results.append({**base, "from_name": field.name, "type": field.kind,
                            "value": {**span, field.value_key: value}})
    return results


def paragraph_results(paragraph: Paragraph, records: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    offsets = OffsetMap(paragraph.text)
    results: list[dict[str, Any]] = []
    for table in SPAN_TABLES:
        for record in records.get(table, []):
            if paragraph.holds(record):
                results += record_results(table, record, paragraph, offsets)
    return results


def task_for(paragraph: Paragraph, view: DatasetView) -> dict[str, Any]:
    task: dict[str, Any] = {"data": {
        "text": paragraph.text, "document_id": paragraph.document_id, "segment_id": paragraph.segment_id,
        "section": paragraph.section, "offset": paragraph.start, "dataset_version": view.version,
    }}
    results = paragraph_results(paragraph, view.records)
    suggested = view.suggested.get((paragraph.document_id, paragraph.segment_id))
    if results:
        task["predictions"] = [{"model_version": view.model_version, "score": 1.0, "result": results}]
    elif suggested is not None:
        task["predictions"] = [suggested]
    return task


def build_tasks(dataset: str | Path, suggest: bool = False) -> list[dict[str, Any]]:
    """One Label Studio task per paragraph of the dataset, in document order, with pre-annotations: the
    paragraph's records, or (with ``suggest``) for a paragraph that has none yet, the suggestions of
    :mod:`stancetrack.annotate.suggest` as a prediction of their own ``model_version``."""
    view = read_view(dataset, suggest)
    return [task_for(p, view) for p in view.paragraphs]


def task_key(data: dict[str, Any]) -> tuple[str, str]:
    """What identifies a task across pushes: its document and segment."""
    return (str(data.get("document_id")), str(data.get("segment_id")))


def iter_batches(items: list[Any], size: int) -> Iterable[list[Any]]:
    for first in range(0, len(items), size):
        yield items[first:first + size]
