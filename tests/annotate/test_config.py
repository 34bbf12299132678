"""The labeling config: generated from the registries, escaped, accepted by Label Studio, committed without drift."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stancetrack.annotate.config import committed_config_path, config_for_dataset, labeling_config, validate_config
from stancetrack.annotate.fields import FIELDS, LABELS
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
    assert set(controls) == {f.name for f in FIELDS}
    actors = records_from_arrow(read_table(REPO / "dataset", "actors"))
    topics = records_from_arrow(read_table(REPO / "dataset", "topics"))
    assert {c.get("alias") for c in controls["actor"]} == {a["actor_id"] for a in actors}
    targets = {c.get("alias") for c in controls["target"]}
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
