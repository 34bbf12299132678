"""The command line: help with examples everywhere, exit codes, validate / info / diff / export."""

from __future__ import annotations

import json
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from stancetrack.cli import cli


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))


ALL = [" ".join(path) for path, _ in _commands(cli)]


@pytest.mark.parametrize("path", ALL)
def test_every_command_has_help_with_an_example(path):
    result = CliRunner().invoke(cli, [*path.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output and "stancetrack " in result.output.split("Example", 1)[1]


def test_validate_release_exits_0(release_dir):
    result = CliRunner().invoke(cli, ["validate", str(release_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("valid:")


def test_validate_altered_quote_exits_1_naming_id_and_field(dataset_copy):
    path = dataset_copy / "stances.parquet"
    table = pq.read_table(path)
    quotes = table.column("quote").to_pylist()
    quotes[5] = quotes[5] + " (altered)"
    target_id = table.column("stance_id")[5].as_py()
    index = table.schema.get_field_index("quote")
    pq.write_table(table.set_column(index, table.schema.field("quote"), pa.array(quotes)), path)
    result = CliRunner().invoke(cli, ["validate", str(dataset_copy), "--json"])
    assert result.exit_code == 1
    errors = json.loads(result.output)["errors"]
    assert {"table": "stances", "id": target_id, "field": "quote", "code": "quote-mismatch"}.items() <= next(
        e for e in errors if e["code"] == "quote-mismatch").items()
    readable = CliRunner().invoke(cli, ["validate", "--data", str(dataset_copy)])
    assert readable.exit_code == 1
    assert target_id in readable.output and "quote-mismatch" in readable.output


def test_usage_error_exits_2():
    result = CliRunner().invoke(cli, ["export", "no-such-table"])
    assert result.exit_code == 2


def test_info_json(release_dir):
    result = CliRunner().invoke(cli, ["info", "--data", str(release_dir), "--json"])
    assert result.exit_code == 0
    info = json.loads(result.output)
    assert info["rows"]["documents"] >= 1 and info["documents"] == ["marquette-2025-alaska"]


def test_export_csv_and_jsonl(release_dir, tmp_path):
    out = tmp_path / "stances.csv"
    result = CliRunner().invoke(cli, ["export", "stances", "--format", "csv", "-o", str(out), "--data", str(release_dir)])
    assert result.exit_code == 0, result.output
    import pandas as pd
    import stancetrack

    frame = pd.read_csv(out)
    ds = stancetrack.load(release_dir)
    assert frame["stance_id"].tolist() == ds.stances["stance_id"].tolist()
    assert frame["quote"].tolist() == ds.stances["quote"].tolist()
    lines = CliRunner().invoke(cli, ["export", "predictions", "--format", "jsonl", "--data", str(release_dir)])
    records = [json.loads(line) for line in lines.output.splitlines()]
    assert [r["prediction_id"] for r in records] == ds.predictions["prediction_id"].tolist()
    assert all(isinstance(r["subject_ids"], list) for r in records)


def test_diff_reports_added_removed_changed(dataset_copy, release_dir):
    from stancetrack.writer import transaction

    with transaction(dataset_copy) as tx:
        stances = tx.records("stances")
        removed = stances.pop(0)
        stances[0]["gloss_en"] = "A reworded gloss."
        tx.replace("stances", stances)
    result = CliRunner().invoke(cli, ["diff", str(release_dir), str(dataset_copy), "--json"])
    assert result.exit_code == 0, result.output
    changes = json.loads(result.output)
    assert {"table": "stances", "id": removed["stance_id"], "change": "removed"}.items() <= changes[0].items()
    changed = [c for c in changes if c["change"] == "changed"]
    assert [(c["id"], c["column"], c["new"]) for c in changed] == [(stances[0]["stance_id"], "gloss_en", "A reworded gloss.")]
    same = CliRunner().invoke(cli, ["diff", str(release_dir), str(release_dir)])
    assert same.output.strip() == "no differences"


def test_library_errors_become_messages(tmp_path):
    result = subprocess.run([sys.executable, "-c", "from stancetrack.cli import main; main()", "info", "--data",
                             str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.startswith("error: no dataset") and "Traceback" not in result.stderr


def test_dataset_option_and_its_older_spelling(release_dir):
    new = CliRunner().invoke(cli, ["info", "--dataset", str(release_dir), "--json"])
    old = CliRunner().invoke(cli, ["info", "--data", str(release_dir), "--json"])
    assert new.exit_code == old.exit_code == 0
    assert json.loads(new.output) == json.loads(old.output)


def test_two_different_datasets_are_a_usage_error(release_dir, dataset_copy):
    result = CliRunner().invoke(cli, ["validate", str(release_dir), "--dataset", str(dataset_copy)])
    assert result.exit_code == 2
    assert f"Error: two datasets named: {release_dir} and --dataset {dataset_copy}; name one" in result.output
    same = CliRunner().invoke(cli, ["validate", str(release_dir), "--dataset", str(release_dir)])
    assert same.exit_code == 0, same.output
    diff = CliRunner().invoke(cli, ["diff", str(release_dir), str(release_dir), "--dataset", str(dataset_copy)])
    assert diff.exit_code == 2 and "two datasets named" in diff.output


def test_diff_takes_the_dataset_option(release_dir, dataset_copy):
    from stancetrack.writer import transaction

    with transaction(dataset_copy) as tx:
        tx.replace("stances", tx.records("stances")[1:])
    result = CliRunner().invoke(cli, ["diff", str(release_dir), "--dataset", str(dataset_copy), "--json"])
    assert result.exit_code == 0, result.output
    assert {(c["table"], c["change"]) for c in json.loads(result.output)} == {("stances", "removed")}


def test_a_bug_is_an_internal_error_with_its_traceback(tmp_path):
    code = ("import stancetrack.cli.dataset as d, stancetrack.cli as c\n"
            "def broken(*a, **k): raise ZeroDivisionError('a bug')\n"
            "d.dataset_lib.load = broken\n"
            "c.main()")
    result = subprocess.run([sys.executable, "-c", code, "info"], capture_output=True, text=True)
    assert result.returncode == 70
    first, *rest = result.stderr.splitlines()
    assert first.startswith("internal error (a bug in stancetrack") and first.endswith("ZeroDivisionError: a bug")
    assert rest[0] == "Traceback (most recent call last):" and rest[-1] == "ZeroDivisionError: a bug"


def test_help_documents_the_exit_status():
    result = CliRunner().invoke(cli, ["--help"])
    assert "Exit status: 0 ok, 1 invalid data or refused, 2 usage error, 70 internal error" in result.output


def test_diff_reads_a_release_of_an_earlier_schema_as_stored(release_dir, dataset_copy):
    """Release 1.0.0 kept outcome evidence as {url, title, publisher, published, quote}: diffing it against the
    current release shows each check's old and new evidence instead of refusing the old file's types."""
    import hashlib

    import pyarrow as pa
    import pyarrow.parquet as pq

    old_item = pa.struct([("url", pa.string()), ("title", pa.string()), ("publisher", pa.string()),
                          ("published", pa.date32()), ("quote", pa.string())])
    outcomes = pq.read_table(dataset_copy / "outcomes.parquet")
    evidence = [[{"url": i["url"], "title": i["title"] or "untitled", "publisher": i["publisher"] or "unknown",
                  "published": i["published"], "quote": i["quote"] or i["summary"]} for i in items]
                for items in outcomes.column("evidence").to_pylist()]
    outcomes = outcomes.set_column(outcomes.schema.get_field_index("evidence"), "evidence",
                                   pa.array(evidence, type=pa.list_(old_item)))
    pq.write_table(outcomes, dataset_copy / "outcomes.parquet")
    manifest = json.loads((dataset_copy / "manifest.json").read_text())
    manifest["schema_version"] = "1.0.0"
    manifest["tables"]["outcomes"]["sha256"] = hashlib.sha256((dataset_copy / "outcomes.parquet").read_bytes()
                                                              ).hexdigest()
    (dataset_copy / "manifest.json").write_text(json.dumps(manifest))

    result = CliRunner().invoke(cli, ["diff", str(dataset_copy), str(release_dir), "--json"])
    assert result.exit_code == 0, result.output
    changes = json.loads(result.output)
    with_evidence = sum(1 for items in evidence if items)
    assert {(c["table"], c["change"], c["column"]) for c in changes} == {("outcomes", "changed", "evidence")}
    assert len(changes) == with_evidence
    same_schema = CliRunner().invoke(cli, ["diff", str(release_dir), str(release_dir), "--json"])
    assert json.loads(same_schema.output) == []
