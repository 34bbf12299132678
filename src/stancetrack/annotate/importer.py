"""A Label Studio JSON export -> mentions, stances and predictions, validated, written atomically or not at all.

Region offsets in an export are UTF-16 code units into the task's paragraph; they become code-point offsets into
the document here. A region whose id is the id of a record of that paragraph keeps it; any other region is a new
record and gets the next free id of its table (numbered in document order, so the same export always gives the
same ids).

**Which annotation counts.** The annotation of a task is authoritative for every record lying inside its
paragraph: records it no longer has are removed, new regions are added, edited ones change. When a task has
several annotations, cancelled (skipped) ones are ignored, an annotation marked *ground truth* wins, and
otherwise the most recently updated one does (ties: the higher annotation id). Each choice made that way is
reported in :attr:`ImportResult.notes`; with ``refuse_conflicts=True`` the import is refused instead whenever
the competing annotations give different records. Tasks without a live annotation change nothing.

**What is refused**, naming the task id and region id, with nothing written: malformed JSON; an unknown label,
actor, topic or choice; a region whose text differs from the source; a required per-region field without an
answer; a relation or per-region result pointing at a region that does not exist; an offset outside the
paragraph; and any record the dataset's own validation rejects.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..diff import Change, diff_records
from ..errors import ErrorRecord, InvalidData, RefusedImport
from ..lexicon import default_lexicon_path, lexicon_key, read_lexicon
from ..schemas import table_schema
from ..frames import arrow_from_records, records_from_arrow
from ..schemas import TABLES
from ..storage import max_id_number, sound_snapshot
from ..validation import validate_tables
from ..validation.keys import natural_key
from ..writer import transaction
from .fields import FIELDS_BY_NAME, LABEL_CONTROL, LABELS, SPAN_TABLES, TABLE_LABEL, Field, fields_of
from .offsets import OffsetError, OffsetMap
from .tasks import DatasetView, Paragraph, dataset_view

SOURCE = "label-studio"
NEEDED_TABLES = ("documents", "segments", "actors", "topics", *SPAN_TABLES)


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    changes: list[Change]
    tasks: int
    tasks_applied: int
    notes: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def empty(self) -> bool:
        return not self.changes


@dataclass
class _Region:
    task_id: Any
    region_id: str
    label: str
    start: int  # code points, in the document
    end: int
    quote: str
    answers: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Plan:
    tables: dict[str, list[dict[str, Any]]]
    origin: dict[str, tuple[Any, str]]  # record id -> (task id, region id)
    tasks: int
    tasks_applied: int
    notes: list[str]


class _Problems:
    """Every refusal found, each naming its task and region."""

    def __init__(self) -> None:
        self.errors: list[ErrorRecord] = []

    def add(self, code: str, message: str, task_id: Any = None, region_id: str | None = None,
            position: int | None = None, field_name: str | None = None, value: Any = None) -> None:
        where = [f"task {task_id}"] if task_id is not None else []
        if region_id is not None:
            where.append(f"region {region_id}")
        prefix = ", ".join(where)
        self.errors.append(ErrorRecord(SOURCE, code, f"{prefix}: {message}" if prefix else message,
                                       row=position, id=region_id, field=field_name, value=value))


def read_export(source: str | Path | list) -> list[dict[str, Any]]:
    """The tasks of a Label Studio JSON export: a file's path, or the export already parsed."""
    if isinstance(source, list):
        data: Any = source
    else:
        try:
            data = json.loads(Path(source).read_bytes())
        except (OSError, ValueError) as exc:
            raise RefusedImport([ErrorRecord(SOURCE, "export-malformed", f"the export is not readable JSON: {exc}")],
                                "the Label Studio export was refused") from exc
    if not isinstance(data, list):
        raise RefusedImport([ErrorRecord(SOURCE, "export-malformed",
                                         f"the export is a JSON {type(data).__name__}, not a list of tasks "
                                         "(export the project as JSON, not JSON-MIN or CSV)")],
                            "the Label Studio export was refused")
    return data


def authoritative_annotation(annotations: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The annotation that counts for a task: see the module's documentation."""
    live = [a for a in annotations if not a.get("was_cancelled")]
    pool = [a for a in live if a.get("ground_truth")] or live
    if not pool:
        return None
    return max(pool, key=lambda a: (_timestamp(a.get("updated_at") or a.get("created_at")), _int(a.get("id"))))


def _timestamp(value: Any) -> dt.datetime:
    try:
        stamp = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def annotator_name(annotation: dict[str, Any], names: dict[Any, str] | None = None) -> str:
    """Who made an annotation: a name from ``names`` (Label Studio user id -> name), else ``label-studio-user-ID``."""
    user = annotation.get("completed_by")
    if isinstance(user, dict):
        user = user.get("id", user.get("email"))
    if names and user in names:
        return names[user]
    return f"label-studio-user-{user}" if user is not None else "label-studio"


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
        task_id = task.get("id", f"#{position}")
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
        offsets = OffsetMap(paragraph.text)
        regions: dict[str, _Region] = {}
        spans = [r for r in result if r.get("type") == "labels"]
        others = [r for r in result if r.get("type") != "labels"]
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
        if not isinstance(labels, list) or len(labels) != 1:
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
        table, _ = LABELS[region.label]
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
            if isinstance(raw, bool) or not isinstance(raw, (int, float)):
                add("export-malformed", f"{spec.name} is not a number")
                return _INVALID
            return float(raw)
        if spec.kind == "datetime":
            if not isinstance(raw, str) or not re.match(r"^\d{4}-\d{2}-\d{2}", raw):
                add("export-malformed", f"{spec.name} is not a date (YYYY-MM-DD)")
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
            return int(value) if value in ("1", "2", "3") else refuse("unknown-choice", f"intensity {value!r} "
                                                                                        "is not 1, 2 or 3")
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


def _next_number(ids: list[str], high_water: int = 0) -> int:
    """The first number after every id the table has now or has ever had (ids are never reused)."""
    return max(max_id_number(ids), high_water) + 1


def plan_import(export: list[dict[str, Any]], view: DatasetView, annotator: str | None = None,
                annotator_names: dict[Any, str] | None = None, refuse_conflicts: bool = False,
                id_high_water: dict[str, int] | None = None) -> _Plan:
    """The span tables after applying an export, or :class:`RefusedImport` listing every problem.

    ``id_high_water`` (from the manifest) is the highest id number each table ever used; new ids start above it.
    """
    importer = _Importer(view, annotator, annotator_names, refuse_conflicts)
    applied: list[tuple[Paragraph, list]] = []
    for position, task in enumerate(export):
        outcome = importer.task(position, task)
        if outcome is not None:
            applied.append(outcome)
    seen: dict[str, Any] = {}
    for paragraph, records in applied:
        for table, record, region in records:
            rid = record[table_schema(table).key]
            if rid is None:
                continue
            if rid in seen:
                importer.problems.add("duplicate-region", f"record {rid} is also a region of task {seen[rid]}",
                                      region.task_id, region.region_id)
            seen[rid] = region.task_id
    if importer.problems.errors:
        raise RefusedImport(importer.problems.errors, "the Label Studio export was refused")
    covered = [p for p, _ in applied]
    tables: dict[str, list[dict[str, Any]]] = {}
    origin: dict[str, tuple[Any, str]] = {}
    for table in SPAN_TABLES:
        key = table_schema(table).key
        kept = [r for r in view.records[table] if not any(p.holds(r) for p in covered)]
        incoming = [(record, region) for _, records in applied for t, record, region in records if t == table]
        fresh = sorted((pair for pair in incoming if pair[0][key] is None),
                       key=lambda pair: (pair[0]["document_id"], pair[0]["start"], pair[0]["end"],
                                         str(pair[1].task_id), pair[1].region_id))
        number = _next_number(list(importer.existing[table]), (id_high_water or {}).get(table, 0))
        prefix = LABELS[TABLE_LABEL[table]][1]
        for record, _ in fresh:
            record[key] = f"{prefix}-{number:04d}"
            number += 1
        for record, region in incoming:
            origin[record[key]] = (region.task_id, region.region_id)
        rows = kept + [record for record, _ in incoming]
        tables[table] = sorted(rows, key=lambda r: natural_key(r[key]))
    return _Plan(tables, origin, len(export), len(applied), importer.notes)


def _located(errors: list[ErrorRecord], origin: dict[str, tuple[Any, str]]) -> list[ErrorRecord]:
    """Dataset validation errors, each prefixed with the task and region its record came from."""
    out = []
    for e in errors:
        if e.id in origin:
            task_id, region_id = origin[e.id]
            new = "" if region_id == e.id else f" (new record {e.id})"
            e = ErrorRecord(e.table, e.code, f"task {task_id}, region {region_id}{new}: {e.message}", e.row, e.id,
                            e.field, e.value)
        out.append(e)
    return out


def import_export(source: str | Path | list, dataset_dir: str | Path, dry_run: bool = False,
                  annotator: str | None = None, annotator_names: dict[Any, str] | None = None,
                  refuse_conflicts: bool = False) -> ImportResult:
    """Apply a Label Studio JSON export to a dataset folder; see the module's documentation for the rules.

    Refusals raise :class:`RefusedImport` listing every problem (task id, region id); nothing is written then,
    and nothing ever with ``dry_run``. ``annotator`` overrides the name recorded on new and changed stances
    and predictions (default: from ``annotator_names`` by Label Studio user id, else ``label-studio-user-ID``).
    """
    export = read_export(source)
    folder = Path(dataset_dir)
    options = dict(annotator=annotator, annotator_names=annotator_names, refuse_conflicts=refuse_conflicts)
    if dry_run:
        snap = sound_snapshot(folder)
        tables = {name: snap.table(name) for name in TABLES if snap.exists(name)}
        manifest = snap.manifest
        version = manifest.get("dataset_version", "unknown")
        plan = plan_import(export, dataset_view(tables, folder, version), **options,
                           id_high_water=manifest.get("id_high_water"))
        report = validate_tables({**tables, **{n: arrow_from_records(n, rows) for n, rows in plan.tables.items()}},
                                 folder)
        if not report.valid:
            raise RefusedImport(_located(report.errors, plan.origin), "the Label Studio export was refused")
        return _result(plan, tables)
    plan = None
    try:
        with transaction(folder) as tx:
            tables = {name: tx.arrow(name) for name in NEEDED_TABLES}
            version = tx.manifest.get("dataset_version", "unknown")
            plan = plan_import(export, dataset_view(tables, folder, version), **options,
                               id_high_water=tx.manifest.get("id_high_water"))
            result = _result(plan, tables)
            for name in SPAN_TABLES:
                if any(c.table == name for c in result.changes):
                    tx.replace(name, plan.tables[name])
    except RefusedImport:
        raise
    except InvalidData as exc:
        origin = plan.origin if plan is not None else {}
        raise RefusedImport(_located(exc.errors, origin), "the Label Studio export was refused") from exc
    result.written = not result.empty
    return result


def _result(plan: _Plan, tables: dict[str, pa.Table]) -> ImportResult:
    changes: list[Change] = []
    for name in SPAN_TABLES:
        key = table_schema(name).key
        old = {r[key]: r for r in records_from_arrow(tables[name])}
        new = {r[key]: r for r in plan.tables[name]}
        changes += diff_records(name, old, new)
    return ImportResult(changes, plan.tasks, plan.tasks_applied, plan.notes)
