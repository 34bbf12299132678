"""Every refusal of `annotate import`: the message names the task and the region, and nothing is written."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from .helpers import export_from_tasks, snapshot
from stancetrack.annotate.importer import import_export
from stancetrack.annotate.tasks import build_tasks
from stancetrack.cli import cli
from stancetrack.errors import RefusedImport


def region(export, task_index, region_id, from_name="label"):
    for item in export[task_index]["annotations"][0]["result"]:
        if item["id"] == region_id and item["from_name"] == from_name:
            return item
    raise KeyError(region_id)


def drop(export, task_index, region_id, from_name):
    result = export[task_index]["annotations"][0]["result"]
    result[:] = [r for r in result if not (r["id"] == region_id and r["from_name"] == from_name)]


# Each case breaks the export of the emoji dataset (task 1 = paragraph sg-0002, task 2 = sg-0003) in one way;
# it gives the error code and the task and region the message must name.
def unknown_label(e):
    region(e, 0, "mn-0001")["value"]["labels"] = ["PERSON"]
    return "unknown-label", 1, "mn-0001"


def unknown_actor(e):
    region(e, 0, "mn-0002", "actor")["value"]["choices"] = ["macron"]
    return "unknown-actor", 1, "mn-0002"


def unknown_topic(e):
    region(e, 0, "st-0001", "target")["value"]["choices"] = ["topic:moon-landing"]
    return "unknown-topic", 1, "st-0001"


def unknown_subject(e):
    region(e, 1, "pr-0001", "subjects")["value"]["choices"] = ["putin", "nobody"]
    return "unknown-actor", 2, "pr-0001"


def text_differs(e):
    region(e, 0, "mn-0001")["value"]["text"] = "Trumq"
    return "region-text", 1, "mn-0001"


def text_off_by_an_emoji(e):  # code-point offsets where UTF-16 ones were due: lands on other text
    value = region(e, 1, "mn-0005")["value"]
    value["start"], value["end"] = value["start"] - 2, value["end"] - 2
    return "region-text", 2, "mn-0005"


def required_field_missing(e):
    drop(e, 0, "st-0001", "polarity")
    return "field-missing", 1, "st-0001"


def required_text_field_empty(e):
    region(e, 1, "pr-0001", "proposition")["value"]["text"] = ["   "]
    return "field-missing", 2, "pr-0001"


def relation_to_missing_region(e):
    e[0]["annotations"][0]["result"].append({"type": "relation", "from_id": "st-0001", "to_id": "gone-42",
                                             "direction": "right"})
    return "dangling-region", 1, "gone-42"


def answer_to_missing_region(e):
    e[1]["annotations"][0]["result"].append({"id": "ghost1", "from_name": "actor", "to_name": "text",
                                             "type": "choices", "value": {"choices": ["putin"]}})
    return "dangling-region", 2, "ghost1"


def offset_past_the_paragraph(e):
    region(e, 1, "mn-0005")["value"]["end"] = 10_000
    return "offset-outside", 2, "mn-0005"


def offset_inside_an_emoji(e):
    value = region(e, 0, "mn-0002")["value"]  # "Trump 🇺🇸 et Poutine": unit 7 is inside 🇺
    value["start"] = 7
    return "offset-outside", 1, "mn-0002"


def result_not_a_list(e):
    e[1]["annotations"][0]["result"] = {"oops": True}
    return "export-malformed", 2, None


def region_without_value(e):
    region(e, 0, "mn-0003")["value"] = None
    return "export-malformed", 1, "mn-0003"


def task_from_another_version(e):
    e[0]["data"]["text"] = e[0]["data"]["text"].replace("Alaska", "Alasca")
    return "task-mismatch", 1, None


def invalid_record(e):  # passes the importer's checks, fails the dataset's schema (probability > 1)
    region(e, 1, "pr-0001", "probability")["value"]["number"] = 1.5
    return "maximum", 2, "pr-0001"


CASES = [unknown_label, unknown_actor, unknown_topic, unknown_subject, text_differs, text_off_by_an_emoji,
         required_field_missing, required_text_field_empty, relation_to_missing_region, answer_to_missing_region,
         offset_past_the_paragraph, offset_inside_an_emoji, result_not_a_list, region_without_value,
         task_from_another_version, invalid_record]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_refusal_names_task_and_region_and_writes_nothing(case, emoji_dataset):
    export = export_from_tasks(build_tasks(emoji_dataset))
    # one harmless change elsewhere, so that a write would have happened
    region(export, 1, "mn-0004", "actor")["value"]["choices"] = ["trump"]
    code, task_id, region_id = case(export)
    before = snapshot(emoji_dataset)
    with pytest.raises(RefusedImport) as info:
        import_export(json.loads(json.dumps(export)), emoji_dataset)
    assert snapshot(emoji_dataset) == before
    matching = [e for e in info.value.errors if e.code == code]
    assert matching, [str(e) for e in info.value.errors]
    assert any(f"task {task_id}" in e.message for e in matching), [e.message for e in matching]
    if region_id is not None:
        assert any(f"region {region_id}" in e.message and e.id == region_id for e in matching)
    assert "nothing was written" in str(info.value)


@pytest.mark.parametrize("text", ["{not json", '{"tasks": []}', "[1, 2]", '[{"id": 1, "data": "x"}]'])
def test_malformed_json_is_refused(text, emoji_dataset, tmp_path):
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    before = snapshot(emoji_dataset)
    with pytest.raises(RefusedImport) as info:
        import_export(path, emoji_dataset)
    assert {e.code for e in info.value.errors} == {"export-malformed"}
    assert snapshot(emoji_dataset) == before


def test_every_problem_is_listed_at_once(emoji_dataset):
    export = export_from_tasks(build_tasks(emoji_dataset))
    for case in (unknown_actor, text_differs, offset_past_the_paragraph, required_field_missing):
        case(export)
    with pytest.raises(RefusedImport) as info:
        import_export(export, emoji_dataset)
    assert {e.code for e in info.value.errors} >= {"unknown-actor", "region-text", "offset-outside", "field-missing"}


def test_cli_lists_the_refusals_and_exits_1(emoji_dataset, tmp_path):
    export = export_from_tasks(build_tasks(emoji_dataset))
    unknown_actor(export)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    before = snapshot(emoji_dataset)
    result = CliRunner().invoke(cli, ["annotate", "import", str(path), "--data", str(emoji_dataset)])
    assert result.exit_code == 1
    assert "task 1, region mn-0002" in result.output and "nothing was written" in result.output
    assert snapshot(emoji_dataset) == before
