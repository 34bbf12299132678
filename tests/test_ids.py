"""Ids are never reused: every way of adding records takes its ids from the one allocator, above the high-water mark."""

from __future__ import annotations

import json

import pytest

import stancetrack
from stancetrack.annotate.importer import import_export
from stancetrack.annotate.tasks import build_tasks
from stancetrack.ids import IdAllocator, id_format
from stancetrack.storage import read_manifest
from stancetrack.writer import transaction


def _drop_last(folder, table: str) -> dict:
    """Delete the table's last record (in its own transaction); return it."""
    key = stancetrack.schemas.table_schema(table).key
    with transaction(folder) as tx:
        records = tx.records(table)
        tx.replace(table, records[:-1])
    assert read_manifest(folder)["id_high_water"][table] == int(records[-1][key].split("-")[1])
    return records[-1]


def _export(folder) -> list[dict]:
    """The dataset's tasks, each accepted as it is (one annotation holding its pre-annotation)."""
    export = []
    for number, task in enumerate(build_tasks(folder), start=1):
        result = json.loads(json.dumps(task.get("predictions", [{}])[0].get("result", [])))
        export.append({"id": number, "data": task["data"], "annotations": [
            {"id": number, "completed_by": 1, "result": result, "updated_at": "2026-01-01T00:00:00Z"}]})
    return export


def test_prefix_and_digits_come_from_the_key_pattern():
    assert (id_format("outcomes").prefix, id_format("outcomes").digits) == ("oc", 4)
    assert id_format("stances").format(12) == "st-0012"
    assert id_format("stances").format(123456) == "st-123456"
    assert id_format("actors") is None  # named, not numbered
    with pytest.raises(ValueError, match="actors table has no numbered ids"):
        IdAllocator("actors")


def test_allocator_starts_above_both_the_ids_and_the_high_water_mark():
    assert IdAllocator("stances", ["st-0003", "st-0010"], {"stances": 7})() == "st-0011"
    allocate = IdAllocator("stances", ["st-0003"], {"stances": 40, "mentions": 99})
    assert [allocate(), allocate()] == ["st-0041", "st-0042"]


def test_writer_never_reuses_a_deleted_id(dataset_copy):
    deleted = _drop_last(dataset_copy, "stances")
    with transaction(dataset_copy) as tx:
        new_id = tx.new_id("stances")
        tx.append("stances", [{**deleted, "stance_id": new_id}])
    number = int(deleted["stance_id"].split("-")[1])
    assert new_id == f"st-{number + 1:04d}"
    assert stancetrack.load(dataset_copy).stances["stance_id"].iloc[-1] == new_id
    assert stancetrack.validate(dataset_copy).valid


def test_resolve_never_reuses_a_deleted_outcome_id(dataset_copy):
    deleted = _drop_last(dataset_copy, "outcomes")
    row = stancetrack.resolve(dataset_copy, deleted["prediction_id"], "pending", deleted["as_of"],
                              "re-checked after a deletion", resolver="test")
    number = int(deleted["outcome_id"].split("-")[1])
    assert row["outcome_id"] == f"oc-{number + 1:04d}"
    assert deleted["outcome_id"] not in stancetrack.load(dataset_copy).outcomes["outcome_id"].tolist()


def test_label_studio_import_never_reuses_a_deleted_id(dataset_copy):
    export = _export(dataset_copy)
    last = stancetrack.load(dataset_copy).stances["stance_id"].iloc[-1]
    # the annotator deletes the last stance in Label Studio ...
    task = next(t for t in export if any(r["id"] == last for r in t["annotations"][0]["result"]))
    removed = [r for r in task["annotations"][0]["result"] if r["id"] == last]
    task["annotations"][0]["result"] = [r for r in task["annotations"][0]["result"] if r["id"] != last]
    result = import_export(export, dataset_copy)
    assert [(c.table, c.id, c.change) for c in result.changes] == [("stances", last, "removed")]
    # ... then draws it again: a new region, which gets a new id
    for item in removed:
        item["id"] = "drawn-again"
    task["annotations"][0]["result"] += removed
    result = import_export(export, dataset_copy)
    number = int(last.split("-")[1])
    assert [(c.table, c.id, c.change) for c in result.changes] == [("stances", f"st-{number + 1:04d}", "added")]
    assert last not in stancetrack.load(dataset_copy).stances["stance_id"].tolist()
