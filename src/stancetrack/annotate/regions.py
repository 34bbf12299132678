"""One task's annotation -> span records: regions checked against the paragraph's text (UTF-16 offsets to
code points), per-region answers converted and checked against the registries and the schemas' enumerations."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from ..lexicon import default_lexicon_path, lexicon_key, read_lexicon
from ..schemas import table_schema
from .fields import (FIELDS_BY_NAME, LABEL_CONTROL, LABELS, RECORD_CONTROL, SPAN_TABLES, Field, fields_of,
                     intensity_choices)
from .offsets import OffsetError, OffsetMap
from .tasks import DatasetView, Paragraph

from .annotations import _Problems, _task_id, annotator_name, authoritative_annotation


@dataclass
class _Region:
    task_id: Any
    region_id: str
    label: str
    start: int  # code points, in the document
    end: int
    quote: str
    answers: dict[str, Any] = field(default_factory=dict)


class _Importer:
    def __init__(self, view: DatasetView, annotator: str | None, annotator_names: dict[Any, str] | None,
                 refuse_conflicts: bool):
        self.view = view
        self.annotator = annotator
        self.annotator_names = annotator_names
        self.refuse_conflicts = refuse_conflicts
        self.problems = _Problems()
        self.notes: list[str] = []
        self.actors = set(view.actor_ids)
        self.topics = set(view.topic_ids)
        self._lexicon: dict[str, float] | None = None
        self.existing = {name: {r[table_schema(name).key]: r for r in view.records[name]} for name in SPAN_TABLES}

    # -- one task ---------------------------------------------------------------------------------------------
    def task(self, position: int, task: Any) -> tuple[Paragraph, list[tuple[str, dict[str, Any], _Region]]] | None:
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            self.problems.add("export-malformed", "the task is not an object with a `data` object", position=position)
            return None
        task_id = _task_id(task, position)
        data = task["data"]
        annotations = task.get("annotations", [])
        if not isinstance(annotations, list) or not all(isinstance(a, dict) for a in annotations):
            self.problems.add("export-malformed", "`annotations` is not a list of objects", task_id, position=position)
            return None
        paragraph = self.view.paragraph(str(data.get("document_id")), str(data.get("segment_id")))
        if paragraph is None:
            self.problems.add("task-mismatch", f"no paragraph {data.get('segment_id')!r} of document "
                              f"{data.get('document_id')!r} in the dataset", task_id, position=position)
            return None
        if data.get("text") != paragraph.text or data.get("offset", paragraph.start) != paragraph.start:
            self.problems.add("task-mismatch", f"the task's text differs from paragraph {paragraph.segment_id} of "
                              "the dataset (rebuild the tasks from this dataset version)", task_id,
                              position=position, field_name="text")
            return None
        chosen = authoritative_annotation(annotations)
        if chosen is None:
            return None
        live = [a for a in annotations if not a.get("was_cancelled")]
        if len(live) > 1:
            self._several(position, task_id, paragraph, live, chosen)
        records = self.annotation(position, task_id, paragraph, chosen)
        return None if records is None else (paragraph, records)

    def _several(self, position, task_id, paragraph, live, chosen) -> None:
        if self.refuse_conflicts:
            sets = []
            for annotation in live:
                regions = self.annotation(position, task_id, paragraph, annotation, quiet=True)
                sets.append(None if regions is None else
                            sorted(json.dumps({k: v for k, v in r.items() if k != "annotator"}, sort_keys=True,
                                              default=str) for _, r, _ in regions))
            if any(s != sets[0] for s in sets[1:]):
                self.problems.add("annotation-conflict", f"{len(live)} annotations "
                                  f"({', '.join(str(a.get('id')) for a in live)}) give different records; "
                                  "resolve them in Label Studio (or drop --refuse-conflicts to take the "
                                  "ground-truth or most recent one)", task_id, position=position)
                return
        self.notes.append(f"task {task_id}: {len(live)} live annotations, annotation {chosen.get('id')} "
                          f"({'ground truth' if chosen.get('ground_truth') else 'most recent'}) counts")

    def annotation(self, position, task_id, paragraph: Paragraph, annotation: dict[str, Any], quiet: bool = False):
        """The records of one annotation, or None (with its problems noted unless ``quiet``)."""
        problems, self.problems = self.problems, (_Problems() if quiet else self.problems)
        try:
            before = len(self.problems.errors)
            regions = self._regions(position, task_id, paragraph, annotation.get("result"))
            if regions is None:
                return None
            annotator = self.annotator or annotator_name(annotation, self.annotator_names)
            out = []
            for region in regions:
                built = self._record(position, region, paragraph, annotator)
                if built is not None:
                    out.append(built)
            return None if len(self.problems.errors) > before else out
        finally:
            self.problems = problems

    # -- regions ----------------------------------------------------------------------------------------------
    def _regions(self, position, task_id, paragraph: Paragraph, result: Any) -> list[_Region] | None:
        add = self.problems.add
        if not isinstance(result, list) or not all(isinstance(r, dict) for r in result):
            add("export-malformed", "the annotation's `result` is not a list of objects", task_id, position=position)
            return None
        for item in result:
            shape = [key for key, types in _RESULT_KEYS.items() if key in item and not isinstance(item[key], types)]
            if shape or not isinstance(item.get("type"), str):
                region_id = item.get("id")
                add("export-malformed", f"a result whose {', '.join(shape) or 'type'} is not what Label Studio "
                    "writes (texts, and a number or text for ids)", task_id,
                    region_id if isinstance(region_id, str) else None, position)
                return None
        offsets = OffsetMap(paragraph.text)
        regions: dict[str, _Region] = {}
        spans = [r for r in result if r.get("type") == "labels"]
        others = [r for r in result if r.get("type") != "labels" and r.get("from_name") != RECORD_CONTROL]
        for item in spans:
            region = self._span(position, task_id, paragraph, offsets, item)
            if region is None:
                continue
            if region.region_id in regions:
                add("duplicate-region", "two span regions share this id", task_id, region.region_id, position)
                continue
            regions[region.region_id] = region
        span_ids = {str(r.get("id")) for r in spans}
        for item in others:
            kind, region_id = item.get("type"), item.get("id")
            if kind == "relation":
                for end in ("from_id", "to_id"):
                    if str(item.get(end)) not in span_ids:
                        add("dangling-region", f"a relation's {end} {item.get(end)!r} is not a region of this "
                            "annotation", task_id, str(item.get(end)), position, end, item.get(end))
                continue
            name = item.get("from_name")
            spec = FIELDS_BY_NAME.get(name)
            if spec is None or kind != spec.kind:
                add("export-malformed", f"a result of type {kind!r} from {name!r} is not part of the labeling "
                    "config", task_id, None if region_id is None else str(region_id), position, name)
                continue
            if str(region_id) not in span_ids:
                add("dangling-region", f"the {name} answer points at region {region_id!r}, which does not exist",
                    task_id, str(region_id), position, name)
                continue
            region = regions.get(str(region_id))
            if region is None:  # the span itself was refused
                continue
            if spec.label != region.label:
                self.notes.append(f"task {task_id}, region {region_id}: ignored the hidden {name} answer (it "
                                  f"belongs to {spec.label} regions, this one is {region.label})")
                continue
            if name in region.answers:
                add("export-malformed", f"two answers to {name}", task_id, str(region_id), position, name)
                continue
            value = item.get("value")
            if not isinstance(value, dict) or spec.value_key not in value:
                add("export-malformed", f"the {name} answer has no value.{spec.value_key}", task_id,
                    str(region_id), position, name)
                continue
            region.answers[name] = value[spec.value_key]
        return list(regions.values())

    def _span(self, position, task_id, paragraph, offsets: OffsetMap, item: dict[str, Any]) -> _Region | None:
        add = self.problems.add
        region_id, value = item.get("id"), item.get("value")
        if not isinstance(region_id, str) or not region_id or not isinstance(value, dict):
            add("export-malformed", "a span region without a string `id` and a `value` object", task_id,
                None if region_id is None else str(region_id), position)
            return None
        if item.get("from_name") != LABEL_CONTROL:
            add("export-malformed", f"span labels come from {LABEL_CONTROL!r}, not {item.get('from_name')!r}",
                task_id, region_id, position, "from_name", item.get("from_name"))
            return None
        labels = value.get("labels")
        if not isinstance(labels, list) or len(labels) != 1 or not isinstance(labels[0], str):
            add("unknown-label", f"a region needs exactly one label of {', '.join(LABELS)}, it has {labels!r}",
                task_id, region_id, position, "labels", labels)
            return None
        if labels[0] not in LABELS:
            add("unknown-label", f"unknown label {labels[0]!r}; the labels are {', '.join(LABELS)}", task_id,
                region_id, position, "labels", labels[0])
            return None
        try:
            start, end = offsets.to_codepoint(value.get("start")), offsets.to_codepoint(value.get("end"))
        except OffsetError as exc:
            add("offset-outside", str(exc), task_id, region_id, position, "start", value.get("start"))
            return None
        if end <= start:
            add("offset-outside", f"the region is empty or reversed ({value.get('start')}..{value.get('end')})",
                task_id, region_id, position, "end", value.get("end"))
            return None
        quote = paragraph.text[start:end]
        if value.get("text") != quote:
            add("region-text", f"the region's text {value.get('text')!r} differs from the source at its offsets, "
                f"{quote!r}", task_id, region_id, position, "text", value.get("text"))
            return None
        return _Region(task_id, region_id, labels[0], paragraph.start + start, paragraph.start + end, quote)

    # -- records ----------------------------------------------------------------------------------------------
    def _record(self, position, region: _Region, paragraph: Paragraph, annotator: str):
        table = LABELS[region.label]
        key = table_schema(table).key
        record: dict[str, Any] = {"document_id": paragraph.document_id, "start": region.start, "end": region.end,
                                  "quote": region.quote}
        before = len(self.problems.errors)
        for spec in fields_of(region.label):
            self._answer(position, region, spec, record)
        if table == "predictions" and "probability" not in record:
            self._implied_probability(position, region, record)
        if len(self.problems.errors) > before:
            return None
        existing = self.existing[table].get(region.region_id)
        keep_id = existing is not None and paragraph.holds(existing)
        if table != "mentions":
            record["annotator"] = annotator
            if keep_id:
                if existing.get("subject_ids") and set(existing["subject_ids"]) == set(record.get("subject_ids", [])):
                    record["subject_ids"] = existing["subject_ids"]  # Label Studio may reorder choices
                if all(existing.get(k) == record.get(k) for k in record if k != "annotator"):
                    record["annotator"] = existing["annotator"]  # unchanged: whoever made it still did
        record[key] = region.region_id if keep_id else None
        columns = table_schema(table).columns
        return table, {c: record.get(c) for c in columns}, region

    def _answer(self, position, region: _Region, spec: Field, record: dict[str, Any]) -> None:
        add = self.problems.add
        raw = region.answers.get(spec.name)
        value = self._convert(position, region, spec, raw)
        if value is _INVALID:
            return
        if value is None:
            if spec.required:
                add("field-missing", f"the {region.label} region has no {spec.name} ({spec.title})",
                    region.task_id, region.region_id, position, spec.name)
            if spec.column != "target":
                record[spec.column] = None
            return
        if spec.column == "target":
            record["target_type"], record["target_id"] = value
        else:
            record[spec.column] = value

    def _convert(self, position, region: _Region, spec: Field, raw: Any) -> Any:
        add = lambda code, msg, value=raw: self.problems.add(code, msg, region.task_id, region.region_id,  # noqa: E731
                                                             position, spec.name, value)
        if raw is None:
            return None
        if spec.kind == "choices":
            if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
                add("export-malformed", f"{spec.name} is not a list of choices")
                return _INVALID
            if not raw:
                return None
            if not spec.multiple and len(raw) != 1:
                add("export-malformed", f"{spec.name} takes one choice, it has {len(raw)}")
                return _INVALID
            converted = [self._choice(position, region, spec, v) for v in raw]
            if any(v is _INVALID for v in converted):
                return _INVALID
            return converted if spec.multiple else converted[0]
        if spec.kind == "textarea":
            texts = raw if isinstance(raw, list) else [raw]
            if not all(isinstance(t, str) for t in texts):
                add("export-malformed", f"{spec.name} is not text")
                return _INVALID
            texts = [t.strip() for t in texts if t.strip()]
            if len(texts) > 1:
                add("export-malformed", f"{spec.name} has {len(texts)} texts; keep one")
                return _INVALID
            return texts[0] if texts else None
        if spec.kind == "number":
            if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
                add("export-malformed", f"{spec.name} is not a finite number")
                return _INVALID
            return float(raw)
        if spec.kind == "datetime":
            if not isinstance(raw, str) or not _DATE.match(raw) or not _is_day(raw[:10]):
                add("export-malformed", f"{spec.name} is not a whole date (YYYY-MM-DD, or Label Studio's "
                                        "YYYY-MM-DDT00:00:00Z)")
                return _INVALID
            return raw[:10]
        raise AssertionError(spec.kind)

    def _choice(self, position, region: _Region, spec: Field, value: str) -> Any:
        def refuse(code: str, message: str) -> Any:
            self.problems.add(code, message, region.task_id, region.region_id, position, spec.name, value)
            return _INVALID

        if spec.source == "actors":
            return value if value in self.actors else refuse("unknown-actor", f"unknown actor {value!r} in "
                                                                              f"{spec.name}")
        if spec.source == "targets":
            kind, _, ident = value.partition(":")
            if kind == "actor":
                return (kind, ident) if ident in self.actors else refuse("unknown-actor", f"unknown actor "
                                                                                          f"{ident!r} in target")
            if kind == "topic":
                return (kind, ident) if ident in self.topics else refuse("unknown-topic", f"unknown topic "
                                                                                          f"{ident!r} in target")
            return refuse("unknown-choice", f"target {value!r} is neither actor:ID nor topic:ID")
        if spec.source == "intensity":
            levels = intensity_choices()
            return int(value) if value in levels else refuse("unknown-choice", f"intensity {value!r} is not one of "
                                                                               f"{', '.join(levels)}")
        table, column = spec.source[5:].split(".")
        allowed = table_schema(table).enum(column)
        return value if value in allowed else refuse("unknown-choice", f"{spec.name} {value!r} is not one of "
                                                                       f"{', '.join(allowed)}")

    def _implied_probability(self, position, region: _Region, record: dict[str, Any]) -> None:
        if self._lexicon is None:
            path = default_lexicon_path()
            self._lexicon = read_lexicon(path) if path.is_file() else {}
        key = lexicon_key(record.get("cue"), str(record.get("modality")))
        if key in self._lexicon:
            record["probability"] = self._lexicon[key]
        else:
            self.problems.add("field-missing", f"the PREDICTION region has no probability and the hedge lexicon "
                              f"has no entry {key!r} to imply one", region.task_id, region.region_id, position,
                              "probability")


_INVALID = object()

#: The keys of a result item whose types the importer relies on (Label Studio writes them so).
_RESULT_KEYS = {"type": str, "from_name": str, "to_name": str, "id": (str, int), "from_id": (str, int),
                "to_id": (str, int)}

#: What Label Studio's DateTime control (only="date") records: a day, possibly as midnight of that day.
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T00:00(:00(\.0+)?)?(Z|[+-]00:?00)?)?$")


def _is_day(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
