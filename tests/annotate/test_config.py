"""The labeling config: generated from the registries, escaped, accepted by Label Studio, committed without drift."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stancetrack.annotate.config import committed_config_path, config_for_dataset, labeling_config, validate_config
from stancetrack.annotate.fields import FIELDS, LABELS, RECORD_CONTROL
from stancetrack.schemas import table_schema
from stancetrack.frames import records_from_arrow
from stancetrack.storage import read_table

REPO = Path(__file__).resolve().parents[2]


def test_committed_config_has_not_drifted():
    generated = config_for_dataset(REPO / "dataset")
    committed = committed_config_path()
    assert committed == REPO / "annotation" / "labeling_config.xml"
    assert committed.read_text(encoding="utf-8") == generated, (
        "annotation/labeling_config.xml is stale: run `stancetrack annotate config -o annotation/labeling_config.xml`")


def test_label_studio_accepts_the_config():
    pytest.importorskip("label_studio_sdk")
    validate_config(config_for_dataset(REPO / "dataset"))


def test_every_label_field_actor_and_topic_is_offered():
    root = ET.fromstring(config_for_dataset(REPO / "dataset"))
    assert [e.get("value") for e in root.iter("Label")] == list(LABELS)
    controls = {e.get("name"): e for e in root.iter() if e.get("perRegion") == "true"}
    assert set(controls) == {f.name for f in FIELDS} | {RECORD_CONTROL}
    actors = records_from_arrow(read_table(REPO / "dataset", "actors"))
    topics = records_from_arrow(read_table(REPO / "dataset", "topics"))
    assert {c.get("alias") for c in controls["actor"]} == {a["actor_id"] for a in actors}
    targets = {c.get("alias") for c in controls["target"].iter("Choice")}
    assert targets == {f"actor:{a['actor_id']}" for a in actors} | {f"topic:{t['topic_id']}" for t in topics}
    assert [c.get("value") for c in controls["polarity"]] == ["favor", "against", "neutral", "mixed"]


def test_everything_that_goes_into_the_xml_is_escaped():
    nasty = 'Bob <b>&amp; "Alice"</b> \'quoted\''
    actors = [{"actor_id": "bob", "name": nasty, "description": "a < b & c > d"}]
    topics = [{"topic_id": "t", "label": "</View><View>", "description": "\"&'"}]
    text = labeling_config(actors, topics)
    root = ET.fromstring(text)
    values = {c.get("alias"): c for c in root.iter("Choice")}
    assert values["bob"].get("value") == f"{nasty} (bob)"
    assert values["bob"].get("hint") == "a < b & c > d"
    assert values["topic:t"].get("value") == "Topic: </View><View> (t)"
    if pytest.importorskip("label_studio_sdk"):
        validate_config(text)


def _controls() -> dict[str, ET.Element]:
    root = ET.fromstring(config_for_dataset(REPO / "dataset"))
    return {e.get("name"): e for e in root.iter() if e.get("perRegion") == "true"}


def test_what_the_schema_requires_is_required_per_label():
    """required="true" exactly where the schema's column may not be null (probability aside: the hedge lexicon
    fills it), and only for the regions of the field's own label."""
    controls = _controls()
    for field in FIELDS:
        column = "target_type" if field.column == "target" else field.column
        declared = table_schema(field.table).property(column)["type"]
        nullable = isinstance(declared, list) and "null" in declared
        expected = not nullable and field.name != "probability"
        element = controls[field.name]
        assert (element.get("required") == "true") == expected, field.name
        if expected:
            assert element.get("whenLabelValue") == field.label, field.name
            assert field.name in element.get("requiredMessage")
    assert {f.name for f in FIELDS if not f.required} == {"intensity", "cue", "probability", "condition"}
    assert controls[RECORD_CONTROL].get("required") is None and controls[RECORD_CONTROL].get("readonly") == "true"


def test_actors_and_topics_are_sorted_by_name_in_groups_with_a_filter():
    root = ET.fromstring(config_for_dataset(REPO / "dataset"))
    controls = _controls()
    actors = records_from_arrow(read_table(REPO / "dataset", "actors"))
    by_name = [a["actor_id"] for a in sorted(actors, key=lambda a: a["name"].casefold())]
    for name in ("actor", "holder", "predictor", "subjects"):
        assert [c.get("alias") for c in controls[name]] == by_name, name
        assert controls[name].get("layout") == "inline"
    children = list(controls["target"])
    headers = [(i, c.get("value")) for i, c in enumerate(children) if c.tag == "Header"]
    assert headers == [(0, "Actors"), (len(actors) + 1, "Topics")]
    assert [c.get("alias") for c in children[1:len(actors) + 1]] == [f"actor:{a}" for a in by_name]
    topics = [c.get("value") for c in children[len(actors) + 2:]]
    assert topics == sorted(topics, key=str.casefold) and all(t.startswith("Topic: ") for t in topics)
    filters = {f.get("toName") for f in root.iter("Filter")}
    assert filters == {"actor", "holder", "predictor", "subjects", "target"}
