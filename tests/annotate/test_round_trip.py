"""dataset -> Label Studio tasks -> annotations equal to the pre-annotations -> export -> import: the same records.

The property runs in memory over generated records on a text full of characters beyond the BMP; the file
tests run the same trip through the writer on the synthetic emoji dataset and on the release."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .helpers import DOC, TEXT, emoji_tables, export_from_tasks, snapshot
from stancetrack.annotate.importer import import_export, plan_import
from stancetrack.annotate.tasks import DatasetView, Paragraph, build_tasks, task_for
from stancetrack.validation import validate
from stancetrack.validation.keys import natural_key

TABLES = emoji_tables()
PARAGRAPHS = [Paragraph(DOC, s["segment_id"], s["section"], s["start"], s["end"], TEXT[s["start"]:s["end"]])
              for s in TABLES["segments"] if s["kind"] == "paragraph"]
ACTORS = [a["actor_id"] for a in TABLES["actors"]]
TOPICS = [t["topic_id"] for t in TABLES["topics"]]
words = st.text(alphabet=st.sampled_from(list("abcxyz é’") + ["😀", "𝒜", "🏔", "\ufe0f"]), min_size=1, max_size=12).filter(
    lambda s: s == s.strip() and s)


@st.composite
def spans(draw):
    paragraph = draw(st.sampled_from(PARAGRAPHS))
    start = draw(st.integers(paragraph.start, paragraph.end - 1))
    end = draw(st.integers(start + 1, paragraph.end))
    return {"document_id": DOC, "start": start, "end": end, "quote": TEXT[start:end]}


@st.composite
def mention(draw):
    return {"actor_id": draw(st.sampled_from(ACTORS)), **draw(spans())}


@st.composite
def stance(draw):
    target_type = draw(st.sampled_from(["actor", "topic"]))
    return {"holder_id": draw(st.sampled_from(ACTORS)), "target_type": target_type,
            "target_id": draw(st.sampled_from(ACTORS if target_type == "actor" else TOPICS)),
            "polarity": draw(st.sampled_from(["favor", "against", "neutral", "mixed"])),
            "intensity": draw(st.sampled_from([None, 1, 2, 3])),
            "attribution": draw(st.sampled_from(["authorial", "reported", "ascribed"])),
            **draw(spans()), "gloss_en": draw(words), "annotator": draw(st.sampled_from(["ann", "gold"]))}


@st.composite
def prediction(draw):
    modality = draw(st.sampled_from(["asserted", "hedged", "conditional"]))
    return {"predictor_id": draw(st.sampled_from(ACTORS)),
            "subject_ids": draw(st.lists(st.sampled_from(ACTORS), min_size=1, max_size=3, unique=True)),
            **draw(spans()), "claim_en": draw(words), "proposition": draw(words), "modality": modality,
            "cue": draw(words) if modality == "hedged" else draw(st.none() | words),
            "probability": draw(st.floats(0, 1, allow_nan=False)),
            "condition": draw(words) if modality == "conditional" else None,
            "resolve_by": draw(st.dates().map(lambda d: d.isoformat())),
            "horizon_basis": draw(st.sampled_from(["explicit", "default"])),
            "resolution_criteria": draw(words), "annotator": draw(st.sampled_from(["ann", "gold"]))}


def numbered(prefix, key, rows):
    return [{key: f"{prefix}-{n:04d}", **row} for n, row in enumerate(rows, start=1)]


@st.composite
def records(draw):
    return {
        "mentions": numbered("mn", "mention_id", draw(st.lists(mention(), max_size=6))),
        "stances": numbered("st", "stance_id", draw(st.lists(stance(), max_size=4))),
        "predictions": numbered("pr", "prediction_id", draw(st.lists(prediction(), max_size=4))),
    }


def view_of(recs) -> DatasetView:
    return DatasetView("9.9.9", {DOC: TEXT}, PARAGRAPHS, ACTORS, TOPICS, recs)


def exported(view) -> list[dict]:
    """Tasks -> annotations equal to the pre-annotations -> the export, through JSON text as Label Studio sends it."""
    return json.loads(json.dumps(export_from_tasks([task_for(p, view) for p in view.paragraphs])))


def key(table):
    return {"mentions": "mention_id", "stances": "stance_id", "predictions": "prediction_id"}[table]


def canonical(table, rows):
    return sorted((dict(r) for r in rows), key=lambda r: natural_key(r[key(table)]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_accepted_pre_annotations_give_back_the_same_records(recs):
    view = view_of(recs)
    plan = plan_import(exported(view), view)
    for table, rows in recs.items():
        assert canonical(table, plan.tables[table]) == canonical(table, rows)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_new_regions_get_the_next_ids_in_document_order(recs):
    view = view_of(recs)
    export = exported(view)
    for task in export:  # every region becomes a new one, as if drawn by hand
        for item in task["annotations"][0]["result"]:
            item["id"] = "new-" + item["id"]
    plan = plan_import(export, view)
    for table, rows in recs.items():
        got = plan.tables[table]
        assert len(got) == len(rows)
        order = sorted(rows, key=lambda r: (r["start"], r["end"]))
        first = len(rows) + 1
        prefix = {"mentions": "mn", "stances": "st", "predictions": "pr"}[table]
        assert [r[key(table)] for r in got] == [f"{prefix}-{n:04d}" for n in range(first, first + len(rows))]
        assert [(r["start"], r["end"]) for r in got] == [(r["start"], r["end"]) for r in order]


def test_emoji_dataset_round_trip_on_disk(emoji_dataset):
    before = snapshot(emoji_dataset)
    tasks = build_tasks(emoji_dataset)
    assert [t["data"]["segment_id"] for t in tasks] == ["sg-0002", "sg-0003"]
    first = {r["id"]: r["value"] for r in tasks[0]["predictions"][0]["result"] if r["type"] == "labels"}
    # "Trump 🇺🇸 et Poutine": the flag is two code points, four UTF-16 units
    assert first["mn-0002"]["start"] == len("Trump 🇺🇸 et ".encode("utf-16-le")) // 2 == 14
    result = import_export(export_from_tasks(tasks), emoji_dataset)
    assert result.empty and not result.written
    assert snapshot(emoji_dataset) == before
    assert validate(emoji_dataset).valid


def test_release_round_trip_on_disk(release_copy):
    before = snapshot(release_copy)
    export = json.loads(json.dumps(export_from_tasks(build_tasks(release_copy))))
    assert import_export(export, release_copy, dry_run=True).empty
    assert import_export(export, release_copy).empty
    assert snapshot(release_copy) == before
