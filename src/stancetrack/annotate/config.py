"""The Label Studio labeling config, generated from the registries (actors, topics) and the schemas' enumerations.

One span label per record kind (ACTOR, STANCE, PREDICTION) and, for each, a per-region control for every field
of the record (see :mod:`.fields`). A field the schema requires is ``required`` for the regions of its label
(``perRegion`` with ``whenLabelValue``), so Label Studio refuses to submit a region that lacks it. Actors and
topics are offered sorted by name, in separate groups, with a filter to type into; the record id of a
pre-annotated region shows in the region list. Everything that goes into the XML passes through ElementTree,
which escapes it. The generated file is committed as ``annotation/labeling_config.xml``; a test fails when it
drifts.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Iterable

from ..errors import InvalidConfig
from ..frames import records_from_arrow
from ..resources import annotation_dir
from ..schemas import table_schema
from ..storage import sound_snapshot
from .fields import (FIELDS, LABEL_CONTROL, LABELS, RECORD_CONTROL, TEXT, Field, fields_of, intensity_choices, number_range,
                     target_value)
from .sdk import available, require

COLOURS = {"ACTOR": "#1f77b4", "STANCE": "#d62728", "PREDICTION": "#2ca02c"}


def committed_config_path() -> Path:
    return annotation_dir() / "labeling_config.xml"


def _choices(field: Field, actors: list[dict[str, Any]], topics: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The <Choice> attributes of a field: ``alias`` is what results store, ``value`` what the annotator reads."""
    if field.source == "actors":
        return [{"value": f"{a['name']} ({a['actor_id']})", "alias": a["actor_id"], "hint": a["description"]}
                for a in actors]
    if field.source == "targets":
        return ([{"value": f"{a['name']} ({a['actor_id']})", "alias": target_value("actor", a["actor_id"]),
                  "hint": a["description"]} for a in actors]
                + [{"value": f"Topic: {t['label']} ({t['topic_id']})", "alias": target_value("topic", t["topic_id"]),
                    "hint": t["description"]} for t in topics])
    if field.source == "intensity":
        return [{"value": value} for value in intensity_choices()]
    if field.source and field.source.startswith("enum:"):
        table, column = field.source[5:].split(".")
        return [{"value": v} for v in table_schema(table).enum(column)]
    raise ValueError(f"field {field.name!r} has no choices")


def _control(parent: ET.Element, field: Field, actors, topics) -> None:
    common = {"name": field.name, "toName": TEXT, "perRegion": "true"}
    if field.required:
        common.update(required="true", whenLabelValue=field.label,
                      requiredMessage=f"Every {field.label} region needs {field.title.split(':')[0].split(' (')[0]}"
                                      f" ({field.name}).")
    ET.SubElement(parent, "Header", {"value": field.title + ("" if field.required else " (optional)"),
                                     "size": "6"})
    if field.kind == "choices":
        choices = _choices(field, actors, topics)
        attrs = {**common, "choice": "multiple" if field.multiple else "single"}
        if field.source in ("actors", "targets"):  # many: a filter to type into, the choices side by side
            ET.SubElement(parent, "Filter", {"name": f"{field.name}_filter", "toName": field.name, "minlength": "1",
                                             "placeholder": "Type to filter"})
            attrs["layout"] = "inline"
        elif len(choices) <= 6:
            attrs["showInline"] = "true"
        else:
            attrs["layout"] = "select"
        element = ET.SubElement(parent, "Choices", attrs)
        for choice in choices:
            if field.source == "targets" and choice["alias"] == choices[0]["alias"]:
                ET.SubElement(element, "Header", {"value": "Actors", "size": "6"})
            if field.source == "targets" and choice["alias"].startswith("topic:") and \
                    not element[-1].get("alias", "").startswith("topic:"):
                ET.SubElement(element, "Header", {"value": "Topics", "size": "6"})
            ET.SubElement(element, "Choice", choice)
    elif field.kind == "textarea":
        ET.SubElement(parent, "TextArea", {**common, "maxSubmissions": "1", "editable": "true", "rows": "2"})
    elif field.kind == "number":
        low, high = number_range(field)
        ET.SubElement(parent, "Number", {**common, "min": f"{low:g}", "max": f"{high:g}", "step": "0.01"})
    elif field.kind == "datetime":
        ET.SubElement(parent, "DateTime", {**common, "only": "date"})
    else:
        raise ValueError(f"unknown field kind {field.kind!r}")


def _by_name(records: Iterable[dict[str, Any]], name: str, key: str) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: (str(r[name]).casefold(), r[key]))


def labeling_config(actors: Iterable[dict[str, Any]], topics: Iterable[dict[str, Any]]) -> str:
    """The labeling config XML for these registries (records of the actors and topics tables)."""
    actors = _by_name(actors, "name", "actor_id")
    topics = _by_name(topics, "label", "topic_id")
    root = ET.Element("View")
    ET.SubElement(root, "Header", {"value": "$document_id · $section · $segment_id", "size": "5"})
    labels = ET.SubElement(root, "Labels", {"name": LABEL_CONTROL, "toName": TEXT})
    for label in LABELS:
        ET.SubElement(labels, "Label", {"value": label, "background": COLOURS[label]})
    ET.SubElement(root, "Text", {"name": TEXT, "value": "$text", "granularity": "symbol"})
    ET.SubElement(root, "TextArea", {"name": RECORD_CONTROL, "toName": TEXT, "perRegion": "true",
                                     "displayMode": "region-list", "readonly": "true", "maxSubmissions": "1",
                                     "rows": "1", "placeholder": "new record"})
    for label in LABELS:
        view = ET.SubElement(root, "View", {"visibleWhen": "region-selected", "whenTagName": LABEL_CONTROL,
                                            "whenLabelValue": label})
        ET.SubElement(view, "Header", {"value": f"{label} fields", "size": "4"})
        for field in fields_of(label):
            _control(view, field, actors, topics)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode") + "\n"


def config_for_dataset(dataset: str | Path) -> str:
    """The labeling config for the actors and topics of a dataset folder."""
    snap = sound_snapshot(dataset, ("actors", "topics"))
    return labeling_config(records_from_arrow(snap.table("actors")), records_from_arrow(snap.table("topics")))


def validate_config(config: str) -> None:
    """Check the config with label_studio_sdk's LabelInterface; :class:`InvalidConfig` names what is wrong."""
    interface = require("label_studio_sdk.label_interface").LabelInterface
    try:
        interface(config).validate()
    except Exception as exc:  # the SDK raises bare Exceptions and jsonschema errors
        raise InvalidConfig(f"Label Studio refuses the labeling config: {exc}") from exc
    ET.fromstring(config)  # well-formed XML as well


def sdk_available() -> bool:
    return available("label_studio_sdk.label_interface")


__all__ = ["FIELDS", "InvalidConfig", "committed_config_path", "config_for_dataset", "labeling_config",
           "sdk_available", "validate_config"]
