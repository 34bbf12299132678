"""What an import changes: edits, deletions, new ids, the annotator, several annotations, dry runs."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from .helpers import export_from_tasks, new_stance, snapshot
from stancetrack import load
from stancetrack.annotate.importer import authoritative_annotation, import_export
from stancetrack.annotate.tasks import build_tasks
from stancetrack.cli import cli
from stancetrack.errors import RefusedImport


def results(export, task_index, annotation_index=0):
    return export[task_index]["annotations"][annotation_index]["result"]


def test_edit_delete_and_add(emoji_dataset):
    export = export_from_tasks(build_tasks(emoji_dataset))
    first = results(export, 0)
    first[:] = [r for r in first if r["id"] != "mn-0001"]  # delete a mention
    next(r for r in first if r["id"] == "st-0001" and r["from_name"] == "polarity")["value"]["choices"] = ["mixed"]
    results(export, 1).extend(new_stance(export[1]["data"], "Poutine 😏 obtiendra"))
    result = import_export(export, emoji_dataset, annotator="reviewer")
    assert result.written
    ds = load(emoji_dataset)
    assert "mn-0001" not in set(ds.mentions["mention_id"])
    stances = ds.stances.set_index("stance_id")
    assert stances.loc["st-0001", "polarity"] == "mixed" and stances.loc["st-0001", "annotator"] == "reviewer"
    assert stances.loc["st-0002", "quote"] == "Poutine 😏 obtiendra"  # a new region: the next id
    assert stances.loc["st-0002", "target_id"] == "putin" and pd_isna(stances.loc["st-0002", "intensity"])
    # untouched records keep their annotator
    assert ds.predictions.set_index("prediction_id").loc["pr-0001", "annotator"] == "fixture"
    changes = {(c.table, c.id, c.change) for c in result.changes}
    assert ("mentions", "mn-0001", "removed") in changes and ("stances", "st-0002", "added") in changes
    assert ("stances", "st-0001", "changed") in changes


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_annotator_defaults_to_the_label_studio_user(emoji_dataset):
    export = export_from_tasks(build_tasks(emoji_dataset))
    results(export, 1).extend(new_stance(export[1]["data"], "concessions territoriales"))
    import_export(export, emoji_dataset, annotator_names={1: "marie"})
    assert load(emoji_dataset).stances.set_index("stance_id").loc["st-0002", "annotator"] == "marie"


def test_tasks_without_live_annotations_change_nothing(emoji_dataset):
    export = export_from_tasks(build_tasks(emoji_dataset))
    export[0]["annotations"] = []
    export[1]["annotations"][0]["was_cancelled"] = True
    export[1]["annotations"][0]["result"] = []
    before = snapshot(emoji_dataset)
    result = import_export(export, emoji_dataset)
    assert result.empty and result.tasks_applied == 0 and snapshot(emoji_dataset) == before


def annotation(number, updated, result, **extra):
    return {"id": number, "completed_by": number, "updated_at": updated, "was_cancelled": False,
            "result": result, **extra}


def test_the_rule_for_several_annotations():
    older, newer = annotation(1, "2026-01-01T10:00:00Z", []), annotation(2, "2026-01-02T09:00:00Z", [])
    assert authoritative_annotation([older, newer])["id"] == 2
    assert authoritative_annotation([newer, older])["id"] == 2
    assert authoritative_annotation([older, {**newer, "was_cancelled": True}])["id"] == 1
    assert authoritative_annotation([{**older, "ground_truth": True}, newer])["id"] == 1
    tie = annotation(3, "2026-01-02T09:00:00Z", [])
    assert authoritative_annotation([newer, tie])["id"] == 3
    assert authoritative_annotation([{**older, "was_cancelled": True}]) is None


def test_most_recent_annotation_counts_and_is_reported(emoji_dataset):
    export = export_from_tasks(build_tasks(emoji_dataset))
    later = json.loads(json.dumps(export[0]["annotations"][0]))
    later.update(id=7, completed_by=2, updated_at="2026-02-01T00:00:00Z")
    later["result"] = [r for r in later["result"] if r["id"] != "mn-0001"]
    export[0]["annotations"].append(later)
    result = import_export(export, emoji_dataset, dry_run=True)
    assert [(c.id, c.change) for c in result.changes] == [("mn-0001", "removed")]
    assert any("annotation 7" in note and "most recent" in note for note in result.notes)


def test_refuse_conflicts(emoji_dataset):
    export = export_from_tasks(build_tasks(emoji_dataset))
    later = json.loads(json.dumps(export[0]["annotations"][0]))
    later.update(id=7, completed_by=2, updated_at="2026-02-01T00:00:00Z")
    export[0]["annotations"].append(later)
    assert import_export(export, emoji_dataset, dry_run=True, refuse_conflicts=True).empty  # they agree
    later["result"] = [r for r in later["result"] if r["id"] != "mn-0001"]
    before = snapshot(emoji_dataset)
    with pytest.raises(RefusedImport) as info:
        import_export(export, emoji_dataset, refuse_conflicts=True)
    assert [e.code for e in info.value.errors] == ["annotation-conflict"]
    assert "task 1" in info.value.errors[0].message and snapshot(emoji_dataset) == before


def test_hidden_answers_of_a_relabelled_region_are_ignored_with_a_note(emoji_dataset):
    export = export_from_tasks(build_tasks(emoji_dataset))
    results(export, 0).append({"id": "mn-0001", "from_name": "polarity", "to_name": "text", "type": "choices",
                               "value": {"choices": ["favor"]}})
    result = import_export(export, emoji_dataset, dry_run=True)
    assert result.empty and any("polarity" in n and "mn-0001" in n for n in result.notes)


def test_dry_run_prints_the_diff_and_writes_nothing(emoji_dataset, tmp_path):
    export = export_from_tasks(build_tasks(emoji_dataset))
    results(export, 0)[:] = [r for r in results(export, 0) if r["id"] != "mn-0001"]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    before = snapshot(emoji_dataset)
    result = CliRunner().invoke(cli, ["annotate", "import", str(path), "--data", str(emoji_dataset), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "mn-0001" in result.output and "removed" in result.output and "would change" in result.output
    assert snapshot(emoji_dataset) == before
    result = CliRunner().invoke(cli, ["annotate", "import", str(path), "--data", str(emoji_dataset)])
    assert result.exit_code == 0 and "mn-0001" not in set(load(emoji_dataset).mentions["mention_id"])


def test_ids_are_never_reused_within_an_import(emoji_dataset):
    """Deleting the highest record and adding one in the same import does not hand its id out again."""
    export = export_from_tasks(build_tasks(emoji_dataset))
    results(export, 0)[:] = [r for r in results(export, 0) if r["id"] != "st-0001"]
    results(export, 1).extend(new_stance(export[1]["data"], "Poutine 😏"))
    import_export(export, emoji_dataset)
    assert list(load(emoji_dataset).stances["stance_id"]) == ["st-0002"]
