"""Bad input from outside (Label Studio exports, command-line arguments, evidence files) is refused with one clear
message naming the task, region, argument or field, the documented exit code, and no file changed."""

from __future__ import annotations

import json
import os

import pytest

from stancetrack.annotate.importer import import_export
from stancetrack.annotate.tasks import build_tasks
from stancetrack.errors import DatasetNotFound, InvalidData, RefusedImport
from stancetrack.outcomes import MAX_EVIDENCE_BYTES
from stancetrack.textcheck import MAX_TEXT
from stancetrack.writer import transaction

from annotate.helpers import export_from_tasks, make_emoji_dataset
from conftest import file_bytes


@pytest.fixture
def emoji(tmp_path):
    folder = make_emoji_dataset(tmp_path / "emoji")
    return folder, export_from_tasks(build_tasks(folder))


def first(export, kind, control=None):
    """The first result of a type (and of a control, when given: the record-id display is a textarea too)."""
    return next(item for task in export for item in task["annotations"][0]["result"]
                if item["type"] == kind and control in (None, item["from_name"]))


def refused(folder, export, tmp_path) -> str:
    path = tmp_path / "export.json"
    path.write_text(export if isinstance(export, str) else json.dumps(export))
    before = file_bytes(folder)
    with pytest.raises(RefusedImport) as info:
        import_export(path, folder)
    assert file_bytes(folder) == before
    return str(info.value)


def test_a_label_that_is_a_list_is_refused(emoji, tmp_path):
    folder, export = emoji
    first(export, "labels")["value"]["labels"] = [["ACTOR"]]
    assert "unknown-label: task 1, region mn-0001: a region needs exactly one label" in refused(folder, export,
                                                                                                 tmp_path)


def test_an_export_nested_100000_deep_is_refused(emoji, tmp_path):
    folder, _ = emoji
    message = refused(folder, "[" * 100_000 + "]" * 100_000, tmp_path)
    assert "export-malformed: the export is not readable JSON: its arrays or objects are nested too deeply" in message


def test_a_task_nested_beyond_any_export_is_refused(emoji, tmp_path):
    folder, export = emoji
    deep: list = []
    for _ in range(200):
        deep = [deep]
    export[0]["data"]["extra"] = deep
    assert "task 1: data.extra" in refused(folder, export, tmp_path)


def test_an_infinite_probability_is_refused(emoji, tmp_path):
    folder, export = emoji
    first(export, "number")["value"]["number"] = "__big__"
    message = refused(folder, json.dumps(export).replace('"__big__"', "1e400"), tmp_path)
    assert "probability: export-malformed: task 2, region pr-0001: probability is not a finite number" in message


def test_a_lone_surrogate_in_a_gloss_is_refused(emoji, tmp_path):
    folder, export = emoji
    first(export, "textarea", "gloss")["value"]["text"] = ["\ud800 a gloss"]
    message = refused(folder, export, tmp_path)
    assert "task 1: annotations[0].result[" in message and "is not valid Unicode (a lone surrogate" in message


@pytest.mark.parametrize("value", ["2026-02-01 junk", "2026-02-30", "2026-02-01T13:45:00Z", "01/02/2026"])
def test_a_resolve_by_date_must_be_a_whole_date(emoji, tmp_path, value):
    folder, export = emoji
    first(export, "datetime")["value"]["datetime"] = value
    assert "resolve_by is not a whole date (YYYY-MM-DD" in refused(folder, export, tmp_path)


def test_midnight_as_label_studio_records_a_date_is_that_date(emoji, tmp_path):
    folder, export = emoji
    item = first(export, "datetime")
    day = item["value"]["datetime"][:10]
    item["value"]["datetime"] = f"{day}T00:00:00.000Z"
    result = import_export(export, folder, dry_run=True)
    assert result.empty


def test_import_and_resolve_refuse_a_folder_that_is_not_a_dataset(emoji, tmp_path, run_cli):
    _, export = emoji
    (tmp_path / "export.json").write_text(json.dumps(export))
    missing = tmp_path / "missing"
    code, out, err = run_cli("annotate", "import", str(tmp_path / "export.json"), "--dataset", str(missing))
    assert (code, err.strip()) == (1, f"error: no dataset at {missing}: the folder does not exist (writers change "
                                      "existing datasets only)")
    code, out, err = run_cli("resolve", "pr-0001", "--status", "pending", "--as-of", "2026-03-13", "--rationale",
                             "r", "--resolver", "t", "--dataset", str(missing))
    assert code == 1 and err.startswith(f"error: no dataset at {missing}")
    assert not missing.exists()
    with pytest.raises(DatasetNotFound, match="is not empty and has no manifest.json"):
        (tmp_path / "notes").mkdir()
        (tmp_path / "notes" / "todo.txt").write_text("mine")
        with transaction(tmp_path / "notes", create=True):
            pass


RESOLVE = ("resolve", "pr-0007", "--status", "false", "--as-of", "2026-03-13", "--resolver", "t")


def test_undecodable_bytes_in_a_rationale_are_refused(dataset_copy, run_cli):
    before = file_bytes(dataset_copy)
    rationale = b"\xff\xfe not UTF-8".decode("utf-8", "surrogateescape")  # what Python makes of such argv bytes
    code, out, err = run_cli(*RESOLVE[:3], "pending", *RESOLVE[4:], "--rationale", rationale,
                             "--dataset", str(dataset_copy))
    assert code == 1 and ".rationale: encoding: a text is not valid Unicode (a lone surrogate" in err
    assert file_bytes(dataset_copy) == before


@pytest.mark.parametrize("content, message", [
    ("[" * 100_000, "is nested too deeply"),
    (" " * (MAX_EVIDENCE_BYTES + 1), f"is larger than {MAX_EVIDENCE_BYTES:,} bytes"),
    (b"\xff[]", "is not readable JSON"),
])
def test_an_evidence_file_that_cannot_be_evidence_is_refused(dataset_copy, run_cli, tmp_path, content, message):
    path = tmp_path / "evidence.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = file_bytes(dataset_copy)
    code, out, err = run_cli(*RESOLVE, "--rationale", "r", "--evidence", str(path), "--dataset", str(dataset_copy))
    assert code == 1 and err.startswith(f"error: {path} {message}") and len(err.strip().splitlines()) == 1
    assert file_bytes(dataset_copy) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_an_evidence_fifo_is_refused_not_read(dataset_copy, run_cli, tmp_path):
    os.mkfifo(tmp_path / "evidence.json")
    code, out, err = run_cli(*RESOLVE, "--rationale", "r", "--evidence", str(tmp_path / "evidence.json"),
                             "--dataset", str(dataset_copy))
    assert code == 1 and "is not a regular file" in err


def test_export_refuses_outputs_it_must_not_replace(dataset_copy, run_cli, tmp_path):
    before = file_bytes(dataset_copy)
    (tmp_path / "target").write_text("keep me")
    (tmp_path / "link.csv").symlink_to(tmp_path / "target")
    cases = {str(tmp_path / "missing" / "dir" / "x.csv"): "the folder",
             str(dataset_copy / "topics.parquet"): "is inside the dataset folder",
             str(dataset_copy / "new.csv"): "is inside the dataset folder",
             str(tmp_path / "link.csv"): "is a symbolic link",
             os.devnull: "is not a regular file"}
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo")
        cases[str(tmp_path / "fifo")] = "is not a regular file"
    for output, words in cases.items():
        code, out, err = run_cli("export", "topics", "--dataset", str(dataset_copy), "-o", output)
        assert code == 2 and f"Invalid value for '-o' / '--output': {output}" in err and words in err, err
    assert file_bytes(dataset_copy) == before and (tmp_path / "target").read_text() == "keep me"
    code, out, err = run_cli("export", "topics", "--dataset", str(dataset_copy), "-o", str(tmp_path / "ok.csv"))
    assert code == 0 and (tmp_path / "ok.csv").read_text().startswith("topic_id,")


def test_export_replaces_an_existing_regular_file(dataset_copy, run_cli, tmp_path):
    existing = tmp_path / "topics.csv"
    existing.write_text("old")
    code, out, err = run_cli("export", "topics", "--dataset", str(dataset_copy), "-o", str(existing))
    assert (code, err.strip()) == (0, f"wrote {existing}") and existing.read_text().startswith("topic_id,label,")


@pytest.mark.parametrize("label, code", [("\x0b", "text-control"), ("Moon\x00", "text-control"),
                                         ("A\ufffe", "text-control"), ("\u200b", "text-invisible"),
                                         ("\ufeff \x00", "text-control"), (" \u2060\ufeff", "text-invisible"),
                                         ("x" * (MAX_TEXT + 1), "text-too-long")])
def test_the_writer_refuses_texts_no_file_or_config_can_hold(dataset_copy, label, code):
    before = file_bytes(dataset_copy)
    with pytest.raises(InvalidData) as info:
        with transaction(dataset_copy) as tx:
            rows = tx.records("topics")
            rows[0]["label"] = label
            tx.replace("topics", rows)
    assert [(e.table, e.code, e.field, e.row) for e in info.value.errors] == [("topics", code, "label", 0)]
    assert file_bytes(dataset_copy) == before


def test_a_huge_gloss_is_refused_naming_its_task_and_region(emoji, tmp_path):
    folder, export = emoji
    first(export, "textarea", "gloss")["value"]["text"] = ["a gloss " * 10_000]
    message = refused(folder, export, tmp_path)
    assert "gloss_en: text-too-long: task 1, region st-0001: a text of 79,999 characters; the limit is 20,000" in message


def test_two_tasks_for_one_paragraph_are_refused(emoji, tmp_path):
    folder, export = emoji
    twin = json.loads(json.dumps(export[0]))
    twin["id"] = 99
    twin["annotations"][0]["result"] = []  # deletes every region the first task keeps
    message = refused(folder, [*export, twin], tmp_path)
    assert "task-mismatch: task 99: paragraph sg-0002 of document" in message and "also annotated in task 1" in message
