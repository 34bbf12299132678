"""Span F1 and Krippendorff's alpha on an export with two and three annotators."""

from __future__ import annotations

import json

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner

from stancetrack.annotate.agreement import agreement
from stancetrack.cli import cli


def span(region_id, label, start, end, **answers):
    base = {"id": region_id, "to_name": "text"}
    out = [{**base, "from_name": "label", "type": "labels",
            "value": {"start": start, "end": end, "text": "x" * (end - start), "labels": [label]}}]
    out += [{**base, "from_name": name, "type": "choices", "value": {"start": start, "end": end, "choices": [v]}}
            for name, v in answers.items()]
    return out


def ann(user, *regions, cancelled=False):
    return {"id": user, "completed_by": user, "was_cancelled": cancelled, "result": [r for s in regions for r in s]}


EXPORT = [
    {"id": 1, "data": {"text": "x" * 100}, "annotations": [
        ann(1, span("a", "STANCE", 0, 10, polarity="favor", attribution="authorial"),
            span("b", "ACTOR", 20, 25), span("c", "PREDICTION", 40, 60, modality="hedged")),
        ann(2, span("d", "STANCE", 0, 10, polarity="favor", attribution="reported"),
            span("e", "ACTOR", 21, 25), span("f", "PREDICTION", 45, 60, modality="asserted"),
            span("g", "ACTOR", 80, 85)),
    ]},
    {"id": 2, "data": {"text": "y" * 50}, "annotations": [
        ann(1, span("h", "STANCE", 5, 15, polarity="against", attribution="authorial")),
        ann(2, span("i", "STANCE", 5, 15, polarity="against", attribution="authorial")),
        ann(3, span("j", "STANCE", 0, 3, polarity="favor"), cancelled=True),  # cancelled: not counted
    ]},
    {"id": 3, "data": {"text": "z"}, "annotations": [ann(1, span("k", "ACTOR", 0, 1))]},  # one annotator
]


def test_span_f1_exact_and_overlap():
    result = agreement(EXPORT)
    assert (result.tasks, result.pairs) == (2, 2)
    rows = {r["label"]: r for r in result.rows()}
    # ACTOR: 1 + 2 spans, none exact, one overlapping pair
    assert rows["ACTOR"]["spans"] == 3 and rows["ACTOR"]["f1_exact"] == 0
    assert rows["ACTOR"]["f1_overlap"] == pytest.approx(2 / 3)
    assert rows["STANCE"]["f1_exact"] == rows["STANCE"]["f1_overlap"] == 1
    assert rows["PREDICTION"]["f1_exact"] == 0 and rows["PREDICTION"]["f1_overlap"] == 1
    assert rows["all"]["f1_exact"] == pytest.approx(2 * 2 / 9)


def test_alpha_matches_the_krippendorff_package():
    result = agreement(EXPORT)
    # attribution on the two matched STANCE units: (authorial, reported), (authorial, authorial)
    expected = krippendorff.alpha(reliability_data=np.array([[0, 0], [1, 0]], dtype=float),
                                  level_of_measurement="nominal")
    assert result.alpha["attribution"] == pytest.approx(expected)
    assert result.units["attribution"] == 2
    assert result.alpha["polarity"] == pytest.approx(1.0)  # favor/favor, against/against
    one_unit = krippendorff.alpha(reliability_data=np.array([[0], [1]], dtype=float), level_of_measurement="nominal")
    assert result.alpha["modality"] == pytest.approx(one_unit)  # one unit: hedged vs asserted


def test_alpha_is_undefined_without_variation():
    export = [{"id": 1, "data": {}, "annotations": [ann(1, span("a", "ACTOR", 0, 2)), ann(2, span("b", "ACTOR", 0, 2))]}]
    assert agreement(export).alpha == {"polarity": None, "attribution": None, "modality": None}


def test_cli(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(EXPORT), encoding="utf-8")
    result = CliRunner().invoke(cli, ["annotate", "agreement", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["pairs"] == 2
    result = CliRunner().invoke(cli, ["annotate", "agreement", str(path)])
    assert "f1_overlap" in result.output and "attribution" in result.output
