"""Span F1 and Krippendorff's alpha on an export with two and three annotators; two exports compared task by
task, with their disagreements; an export against a dataset."""

from __future__ import annotations

import json

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner

from stancetrack.annotate.agreement import agreement, compare, dataset_export
from stancetrack.cli import cli
from stancetrack.errors import RefusedImport


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
    alpha = agreement(export).alpha
    assert set(alpha) == {"actor", "holder", "target", "polarity", "intensity", "attribution", "predictor", "modality"}
    assert set(alpha.values()) == {None}


def test_intensity_alpha_is_ordinal_and_holder_and_target_are_measured():
    regions = [("STANCE", 0, 10, dict(holder="author", target="topic:t", intensity="1")),
               ("STANCE", 20, 30, dict(holder="trump", target="actor:a", intensity="2")),
               ("STANCE", 40, 50, dict(holder="putin", target="topic:t", intensity="3"))]
    first = ann(1, *(span(f"a{i}", lb, s, e, **v) for i, (lb, s, e, v) in enumerate(regions)))
    other = [dict(v, intensity={"1": "2", "2": "2", "3": "3"}[v["intensity"]]) for *_, v in regions]
    second = ann(2, *(span(f"b{i}", lb, s, e, **v) for i, ((lb, s, e, _), v) in enumerate(zip(regions, other))))
    result = agreement([{"id": 1, "data": {}, "annotations": [first, second]}])
    expected = krippendorff.alpha(reliability_data=np.array([[0, 1, 2], [1, 1, 2]], dtype=float),
                                  level_of_measurement="ordinal", value_domain=[0, 1, 2])
    assert result.alpha["intensity"] == pytest.approx(expected)
    assert result.alpha["holder"] == result.alpha["target"] == pytest.approx(1.0)
    assert result.units["holder"] == 3


def side(user, segment, *regions):
    return {"id": 100 + user, "data": {"document_id": "d", "segment_id": segment, "text": "x" * 100, "offset": 1000},
            "annotations": [ann(user, *regions)]}


FIRST = [side(1, "sg-1", span("st-0001", "STANCE", 0, 10, holder="author", polarity="favor"),
                  span("st-0002", "STANCE", 0, 10, holder="trump", polarity="favor"),
                  span("mn-0001", "ACTOR", 20, 25, actor="trump")),
         side(1, "sg-2", span("pr-0001", "PREDICTION", 0, 30, modality="hedged"))]
SECOND = [side(2, "sg-2", span("q", "PREDICTION", 0, 30, modality="asserted")),  # another order, another project
          side(2, "sg-1", span("r", "STANCE", 0, 10, holder="trump", polarity="favor"),
               span("s", "STANCE", 0, 12, holder="author", polarity="against"),
               span("t", "ACTOR", 60, 65, actor="putin"))]


def test_two_exports_are_joined_on_segments_and_their_disagreements_listed():
    result = compare(FIRST, SECOND, ("pass-1", "pass-2"))
    assert (result.tasks, result.coders) == (2, ["pass-1", "pass-2"])
    # same-span stances pair by their answers: trump with trump, author with author
    kinds = sorted((d.label, d.kind, (d.first or {}).get("region_id"), d.fields) for d in result.disagreements)
    assert kinds == [("ACTOR", "only-first", "mn-0001", ()), ("ACTOR", "only-second", None, ()),
                     ("PREDICTION", "answers", "pr-0001", ("modality",)),
                     ("STANCE", "boundaries+answers", "st-0001", ("polarity",))]
    only_second = next(d for d in result.disagreements if d.kind == "only-second")
    assert (only_second.second["start"], only_second.second["end"], only_second.second["actor"]) == (1060, 1065, "putin")
    assert result.alpha["holder"] == pytest.approx(1.0) and result.f1("exact", "STANCE") == pytest.approx(0.5)


def test_exports_of_different_tasks_are_refused():
    with pytest.raises(RefusedImport) as caught:
        compare(FIRST, SECOND[:1], ("a", "b"))
    assert "the two exports hold different tasks (d/sg-1" in str(caught.value.errors[0])


def test_a_dataset_agrees_with_itself_through_its_export(emoji_dataset):
    export = dataset_export(emoji_dataset, "pass-1")
    assert {a["completed_by"]["id"] for t in export for a in t["annotations"]} == {"pass-1"}
    result = compare(export, dataset_export(emoji_dataset, "again"), ("pass-1", "again"))
    assert result.disagreements == [] and result.f1("exact") == 1.0
    assert result.alpha["holder"] is None or result.alpha["holder"] == pytest.approx(1.0)


def test_cli_two_exports_and_against_data(tmp_path, emoji_dataset):
    first, second = tmp_path / "pass-1.json", tmp_path / "pass-2.json"
    first.write_text(json.dumps(FIRST), encoding="utf-8")
    second.write_text(json.dumps(SECOND), encoding="utf-8")
    result = CliRunner().invoke(cli, ["annotate", "agreement", str(first), str(second), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["coders"] == ["pass-1", "pass-2"]
    result = CliRunner().invoke(cli, ["annotate", "agreement", str(first), str(second), "--disagreements", "--json"])
    assert len(json.loads(result.output)) == 4
    exported = tmp_path / "dataset.json"
    exported.write_text(json.dumps(dataset_export(emoji_dataset, "x")), encoding="utf-8")
    result = CliRunner().invoke(cli, ["annotate", "agreement", str(exported), "--against-data", "--data",
                                      str(emoji_dataset)])
    assert result.exit_code == 0, result.output
    assert "(dataset, dataset)" not in result.output and "0 disagreement(s)" in result.output


@pytest.mark.parametrize("args, message", [
    (["--disagreements"], "--disagreements needs two sources"),
    (["SECOND", "--against-data"], "give a SECOND export or --against-data, not both"),
    (["SECOND", "--names", "same,same"], "give two different names"),
])
def test_cli_usage_errors(tmp_path, args, message):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(FIRST), encoding="utf-8")
    args = [str(path) if a == "SECOND" else a for a in args]
    result = CliRunner().invoke(cli, ["annotate", "agreement", str(path), *args])
    assert result.exit_code == 2 and message in result.output


def test_cli(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(EXPORT), encoding="utf-8")
    result = CliRunner().invoke(cli, ["annotate", "agreement", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["pairs"] == 2
    result = CliRunner().invoke(cli, ["annotate", "agreement", str(path)])
    assert "f1_overlap" in result.output and "attribution" in result.output
