"""The one description of the labeling interface: labels, and the per-region fields each label carries.

The config generator, the task builder and the importer all read this module, so a field is named in one place:
its control in Label Studio, the column(s) it fills, whether it is required and how a value is written and read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..schemas import table_schema

#: The text object and the span-label control of the labeling config.
TEXT = "text"
LABEL_CONTROL = "label"

#: Span label -> the table its records go to (their ids are allocated by :mod:`stancetrack.ids`).
LABELS: dict[str, str] = {
    "ACTOR": "mentions",
    "STANCE": "stances",
    "PREDICTION": "predictions",
}
TABLE_LABEL = {table: label for label, table in LABELS.items()}
SPAN_TABLES = tuple(LABELS.values())


@dataclass(frozen=True)
class Field:
    """One per-region control: ``kind`` is its Label Studio result type, ``source`` where its choices come from."""

    name: str          # control name in the config (from_name in results)
    label: str         # the span label it belongs to
    kind: str          # choices | textarea | number | datetime
    column: str        # record column it fills (``target`` fills target_type and target_id)
    title: str         # what the annotator reads
    required: bool = True
    source: str | None = None  # actors | targets | enum:<table>.<column> | intensity
    multiple: bool = False

    @property
    def value_key(self) -> str:
        """The key of a result's ``value`` that holds this field's answer."""
        return {"choices": "choices", "textarea": "text", "number": "number", "datetime": "datetime"}[self.kind]


FIELDS: tuple[Field, ...] = (
    Field("actor", "ACTOR", "choices", "actor_id", "Actor referred to", source="actors"),
    Field("holder", "STANCE", "choices", "holder_id", "Holder (who takes the stance)", source="actors"),
    Field("target", "STANCE", "choices", "target", "Target (actor or topic)", source="targets"),
    Field("polarity", "STANCE", "choices", "polarity", "Polarity", source="enum:stances.polarity"),
    Field("intensity", "STANCE", "choices", "intensity", "Intensity (1 mild, 2 clear, 3 emphatic; leave empty "
          "when the span gives no basis)", required=False, source="intensity"),
    Field("attribution", "STANCE", "choices", "attribution", "Attribution", source="enum:stances.attribution"),
    Field("gloss", "STANCE", "textarea", "gloss_en", "Gloss: one English sentence (holder, polarity, target)"),
    Field("predictor", "PREDICTION", "choices", "predictor_id", "Predictor", source="actors"),
    Field("subjects", "PREDICTION", "choices", "subject_ids", "Subjects (actors the prediction is about)",
          source="actors", multiple=True),
    Field("modality", "PREDICTION", "choices", "modality", "Modality", source="enum:predictions.modality"),
    Field("cue", "PREDICTION", "textarea", "cue", "Cue: the hedge words, verbatim (hedged only)", required=False),
    Field("probability", "PREDICTION", "number", "probability", "Probability the wording implies (0–1; empty: "
          "the hedge lexicon's value for the cue)", required=False),
    Field("condition", "PREDICTION", "textarea", "condition", "Condition (conditional only)", required=False),
    Field("proposition", "PREDICTION", "textarea", "proposition", "Proposition: one checkable English statement"),
    Field("claim", "PREDICTION", "textarea", "claim_en", "Claim: faithful English rendering of the span"),
    Field("resolve_by", "PREDICTION", "datetime", "resolve_by", "Resolve by (date)"),
    Field("horizon_basis", "PREDICTION", "choices", "horizon_basis", "Horizon basis",
          source="enum:predictions.horizon_basis"),
    Field("resolution_criteria", "PREDICTION", "textarea", "resolution_criteria", "Resolution criteria"),
)
FIELDS_BY_NAME = {f.name: f for f in FIELDS}


def number_range(field: Field) -> tuple[float, float]:
    """The ``minimum`` and ``maximum`` of a field's column in its table's schema."""
    prop = table_schema(LABELS[field.label]).property(field.column)
    return prop["minimum"], prop["maximum"]


def intensity_choices() -> list[str]:
    """The stance intensities an annotator may choose: the schema's range, as choice values ("1", "2", ...)."""
    low, high = number_range(FIELDS_BY_NAME["intensity"])
    return [str(level) for level in range(int(low), int(high) + 1)]


def fields_of(label: str) -> tuple[Field, ...]:
    return tuple(f for f in FIELDS if f.label == label)


def target_value(target_type: str, target_id: str) -> str:
    """The choice value of a stance target: ``actor:ID`` or ``topic:ID`` (actor and topic ids may coincide)."""
    return f"{target_type}:{target_id}"


def record_value(field: Field, record: dict[str, Any]) -> Any:
    """The answer a record gives to a field, as Label Studio stores it (None: no answer)."""
    if field.column == "target":
        return [target_value(record["target_type"], record["target_id"])]
    value = record.get(field.column)
    if value is None:
        return None
    if field.kind == "choices":
        return [str(v) for v in value] if field.multiple else [str(value)]
    if field.kind == "textarea":
        return [value]
    return value
