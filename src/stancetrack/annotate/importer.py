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

The export is read in :mod:`.annotations`, each annotation becomes records in :mod:`.regions`; this module plans
the tables (ids of new records from :mod:`stancetrack.ids`) and applies them in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diff import Change, diff_records
from ..errors import ErrorRecord, InvalidData, RefusedImport
from ..schemas import table_schema
from ..ids import IdAllocator
from ..validation.keys import natural_key
from ..writer import transaction
from .fields import SPAN_TABLES
from .annotations import _Refused, _task_id, annotator_name, authoritative_annotation, read_export  # noqa: F401
from .regions import _Importer
from .tasks import VIEW_TABLES, DatasetView, Paragraph, dataset_view


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    changes: list[Change]
    tasks: int
    tasks_applied: int
    notes: list[str] = field(default_factory=list)
    written: bool = False
    refused: list[ErrorRecord] = field(default_factory=list)  # with skip_refused: why tasks were left out
    refused_tasks: list[Any] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.changes


@dataclass
class _Plan:
    tables: dict[str, list[dict[str, Any]]]
    origin: dict[str, tuple[Any, str]]  # record id -> (task id, region id)
    tasks: int
    tasks_applied: int
    notes: list[str]


def plan_import(export: list[dict[str, Any]], view: DatasetView, annotator: str | None = None,
                annotator_names: dict[Any, str] | None = None, refuse_conflicts: bool = False) -> _Plan:
    """The span tables after applying an export, or :class:`RefusedImport` listing every problem.

    New records get ids from :class:`~stancetrack.ids.IdAllocator`, above the view's ``id_high_water``.
    """
    importer = _Importer(view, annotator, annotator_names, refuse_conflicts)
    applied: list[tuple[Paragraph, list]] = []
    annotated: dict[tuple[str, str], Any] = {}  # paragraph -> the task that annotates it
    for position, task in enumerate(export):
        outcome = importer.task(position, task)
        if outcome is not None:
            paragraph, task_id = outcome[0], task.get("id", f"#{position}")
            where = (paragraph.document_id, paragraph.segment_id)
            if where in annotated:  # which would count? one may delete what the other adds
                importer.problems.add("task-mismatch", f"paragraph {paragraph.segment_id} of document "
                                      f"{paragraph.document_id} is also annotated in task {annotated[where]}; "
                                      "export one task per paragraph", task_id, position=position)
            annotated.setdefault(where, task_id)
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
        raise _Refused(importer.problems.errors, importer.problems.tasks)
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
        allocate = IdAllocator(table, importer.existing[table], view.id_high_water)
        for record, _ in fresh:
            record[key] = allocate()
        for record, region in incoming:
            origin[record[key]] = (region.task_id, region.region_id)
        rows = kept + [record for record, _ in incoming]
        tables[table] = sorted(rows, key=lambda r: natural_key(r[key]))
    return _Plan(tables, origin, len(export), len(applied), importer.notes)


def _located(errors: list[ErrorRecord], origin: dict[str, tuple[Any, str]]) -> _Refused:
    """Dataset validation errors, each prefixed with the task and region its record came from."""
    out, tasks = [], []
    for e in errors:
        tasks.append(origin[e.id][0] if e.id in origin else None)
        if e.id in origin:
            task_id, region_id = origin[e.id]
            new = "" if region_id == e.id else f" (new record {e.id})"
            e = ErrorRecord(e.table, e.code, f"task {task_id}, region {region_id}{new}: {e.message}", e.row, e.id,
                            e.field, e.value)
        out.append(e)
    return _Refused(out, tasks)


def import_export(export: str | Path | list, dataset: str | Path, dry_run: bool = False,
                  annotator: str | None = None, annotator_names: dict[Any, str] | None = None,
                  refuse_conflicts: bool = False, skip_refused: bool = False) -> ImportResult:
    """Apply a Label Studio JSON export to a dataset folder; see the module's documentation for the rules.

    Refusals raise :class:`RefusedImport` listing every problem (task id, region id); nothing is written then,
    and nothing ever with ``dry_run``. ``annotator`` overrides the name recorded on new and changed stances
    and predictions (default: from ``annotator_names`` by Label Studio user id, else ``label-studio-user-ID``).

    With ``skip_refused`` the tasks that have problems are left out (their paragraphs keep their records) and
    the others are imported, still in one atomic write; :attr:`ImportResult.refused` says why each was left
    out. A problem that belongs to no one task still refuses the whole import.
    """
    export = read_export(export)
    refused: list[ErrorRecord] = []
    refused_tasks: list[Any] = []
    while True:
        try:
            result = _import(export, Path(dataset), dry_run, annotator, annotator_names, refuse_conflicts)
        except _Refused as exc:
            bad = set(exc.tasks)
            if not skip_refused or None in bad:
                raise RefusedImport(refused + exc.errors, "the Label Studio export was refused") from None
            refused += exc.errors
            refused_tasks += sorted(bad, key=str)
            export = [task for position, task in enumerate(export) if _task_id(task, position) not in bad]
            continue
        result.refused, result.refused_tasks = refused, refused_tasks
        return result


def _import(export: list[dict[str, Any]], folder: Path, dry_run: bool, annotator: str | None,
            annotator_names: dict[Any, str] | None, refuse_conflicts: bool) -> ImportResult:
    options = dict(annotator=annotator, annotator_names=annotator_names, refuse_conflicts=refuse_conflicts)
    plan = None
    try:
        with transaction(folder, dry_run=dry_run) as tx:
            view = dataset_view({name: tx.arrow(name) for name in VIEW_TABLES}, folder, tx.manifest)
            plan = plan_import(export, view, **options)
            result = _result(plan, view)
            for name in SPAN_TABLES:
                if any(c.table == name for c in result.changes):
                    tx.replace(name, plan.tables[name])
    except RefusedImport:
        raise
    except InvalidData as exc:
        origin = plan.origin if plan is not None else {}
        raise _located(exc.errors, origin) from exc
    result.written = not dry_run and not result.empty
    return result


def _result(plan: _Plan, view: DatasetView) -> ImportResult:
    changes: list[Change] = []
    for name in SPAN_TABLES:
        key = table_schema(name).key
        old = {r[key]: r for r in view.records[name]}
        new = {r[key]: r for r in plan.tables[name]}
        changes += diff_records(name, old, new)
    return ImportResult(changes, plan.tasks, plan.tasks_applied, plan.notes)
