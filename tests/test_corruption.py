"""Damaged files: every file of a dataset bit-flipped and truncated, manifests with fields of the wrong type, a
table file swapped for another with a matching hash. Every command answers with a clear message and exit code 1
(never a traceback), and writers refuse to build on the damage."""

from __future__ import annotations

import hashlib
import json
import re
import random
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import stancetrack
from stancetrack.errors import DatasetNotFound, IntegrityError
from stancetrack.storage import UnreadableTable

from conftest import REPO, copy_release, file_bytes
from crash_harness import commit_mark

FILES = sorted(p.name for p in (REPO / "dataset").iterdir() if p.is_file() and not p.name.startswith("."))
TABLE_FILES = [f for f in FILES if f.endswith(".parquet")]


@pytest.fixture
def run(run_cli):
    return run_cli


def damaged_versions(data: bytes, seed: str, count: int) -> list[bytes]:
    """``count`` copies of ``data`` with one bit flipped at a random place, and three truncations."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        flipped = bytearray(data)
        position = rng.randrange(len(data))
        flipped[position] ^= 1 << rng.randrange(8)
        out.append(bytes(flipped))
    return out + [data[: len(data) // 2], data[:8], b""]


def only_other_hashes_differ(original: bytes, damaged: bytes, table: str) -> bool:
    """Whether a damaged manifest is still well formed and differs from the original only in other tables' SHA-256
    (each still 64 hexadecimal digits: a hash that is not one makes the manifest malformed, refused as a whole)."""
    try:
        before, after = json.loads(original), json.loads(damaged)
    except ValueError:
        return False
    for name, entry in after.get("tables", {}).items() if isinstance(after, dict) else ():
        if name != table and isinstance(entry, dict) and isinstance(before["tables"].get(name), dict):
            if not re.fullmatch(r"[0-9a-f]{64}", str(entry.get("sha256"))):
                return False
            entry["sha256"] = before["tables"][name].get("sha256")
    return before == after


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


@pytest.mark.parametrize("name", FILES)
def test_every_damaged_file_gives_messages_not_tracebacks(dataset_copy, run, name):
    path = dataset_copy / name
    original = path.read_bytes()
    checked = name.endswith(".parquet") or name == "manifest.json"
    for damaged in damaged_versions(original, name, 12 if name in ("topics.parquet", "stances.parquet") else 6):
        path.write_bytes(damaged)
        code, out, err = run("validate", str(dataset_copy))
        if checked:
            assert code == 1 and "problem(s) in" in err, out + err
            assert (name in out or "manifest" in out), out
        exported = name.removesuffix(".parquet") if name in TABLE_FILES else "topics"
        for command in (["info", "--data", str(dataset_copy)], ["export", exported, "--data", str(dataset_copy)]):
            code, out, err = run(*command)
            if checked and command[0] == "export" and only_other_hashes_differ(original, damaged, exported):
                assert code == 0, out + err  # export checks the file it reads; info and validate find the rest
            elif checked:
                assert code == 1, out + err
                line = one_error_line(err)  # a flipped hash in the manifest: the table differs from the manifest
                assert name in line or "manifest.json" in err or (
                    only_other_hashes_differ(original, damaged, "") and "differs from the manifest" in line)
            else:
                assert code == 0 and err == "", err
    path.write_bytes(original)
    assert stancetrack.validate(dataset_copy).valid


@pytest.mark.parametrize("name", ["croissant.json", "datapackage.json"])
def test_validate_notices_metadata_that_records_other_hashes(dataset_copy, run, name):
    path = dataset_copy / name
    manifest = json.loads((dataset_copy / "manifest.json").read_text())
    old = manifest["tables"]["topics"]["sha256"]
    path.write_text(path.read_text().replace(old, "0" * 64))
    code, out, err = run("validate", str(dataset_copy))
    assert code == 1 and "metadata-stale" in out and name in out
    report = stancetrack.validate(dataset_copy)
    assert [(e.code, e.value) for e in report.errors] == [("metadata-stale", name)]
    assert "topics.parquet" in report.errors[0].message and "stancetrack metadata --dataset" in report.errors[0].message


WRONG_MANIFESTS = {
    "a table entry that is a text": (lambda m: m["tables"].__setitem__("topics", "topics.parquet"),
                                     "tables.topics is 'topics.parquet', not an object"),
    "id_high_water that is a word": (lambda m: m["id_high_water"].__setitem__("stances", "lots"),
                                     "id_high_water.stances is 'lots', not a table's id count"),
    "a row count that is a text": (lambda m: m["tables"]["stances"].__setitem__("rows", "179"),
                                   "tables.stances.rows is '179', not a count"),
    "a hash that is a number": (lambda m: m["tables"]["actors"].__setitem__("sha256", 12),
                                "tables.actors.sha256 is 12, not 64 hexadecimal digits"),
    "another file name": (lambda m: m["tables"]["actors"].__setitem__("file", "../x.parquet"),
                          "tables.actors.file is '../x.parquet', not 'actors.parquet'"),
    "tables that are a list": (lambda m: m.__setitem__("tables", []), "has no 'tables' object"),
    "a version that is a number": (lambda m: m.__setitem__("dataset_version", 1.0), "dataset_version is 1.0"),
    "an unknown table": (lambda m: m["tables"].__setitem__("extra", {}), "tables.extra is not a table"),
}


@pytest.mark.parametrize("case", WRONG_MANIFESTS)
def test_a_manifest_with_wrong_types_is_reported_and_refused(dataset_copy, run, case):
    change, message = WRONG_MANIFESTS[case]
    manifest = json.loads((dataset_copy / "manifest.json").read_text())
    change(manifest)
    (dataset_copy / "manifest.json").write_text(json.dumps(manifest))
    before = file_bytes(dataset_copy)
    code, out, err = run("validate", str(dataset_copy), "--json")
    errors = json.loads(out)["errors"]
    assert code == 1 and errors[0]["code"] == "manifest-malformed" and message in errors[0]["message"]
    for command in (["info", "--data", str(dataset_copy)], ["export", "stances", "--data", str(dataset_copy)],
                    ["diff", str(dataset_copy), str(REPO / "dataset")]):
        code, out, err = run(*command)
        assert code == 1 and message in one_error_line(err)
    with pytest.raises(DatasetNotFound, match="malformed"):
        stancetrack.load(dataset_copy)
    with pytest.raises(IntegrityError, match="malformed"):
        commit_mark(dataset_copy, "never written")
    assert file_bytes(dataset_copy) == before


@pytest.mark.parametrize("text", [b"[1, 2]", b"{", b'{"tables": {}, "schema_version": NaN}', b"\xff\xfe", b"[" * 100_000])
def test_a_manifest_that_is_not_a_json_object_is_reported(dataset_copy, run, text):
    (dataset_copy / "manifest.json").write_bytes(text)
    code, out, err = run("validate", str(dataset_copy))
    assert code == 1 and "manifest-malformed" in out and "problem(s) in" in err
    code, out, err = run("info", "--data", str(dataset_copy))
    assert code == 1 and "manifest.json" in one_error_line(err)


def test_another_tables_file_with_a_matching_hash_is_reported(dataset_copy, run):
    shutil.copy(dataset_copy / "topics.parquet", dataset_copy / "actors.parquet")
    manifest = json.loads((dataset_copy / "manifest.json").read_text())
    manifest["tables"]["actors"].update(sha256=hashlib.sha256((dataset_copy / "actors.parquet").read_bytes())
                                        .hexdigest(), rows=manifest["tables"]["topics"]["rows"])
    (dataset_copy / "manifest.json").write_text(json.dumps(manifest))
    code, out, err = run("validate", str(dataset_copy), "--json")
    codes = {(e["table"], e["code"], e["field"]) for e in json.loads(out)["errors"]}
    assert code == 1 and ("actors", "column-missing", "actor_id") in codes
    for command in (["info", "--data", str(dataset_copy)], ["export", "actors", "--data", str(dataset_copy)],
                    ["diff", str(dataset_copy), str(REPO / "dataset")]):
        code, out, err = run(*command)
        assert code == 1 and "actors.parquet does not hold the actors table: missing column(s) actor_id" in \
            one_error_line(err)
    with pytest.raises(UnreadableTable, match="missing column"):
        stancetrack.load(dataset_copy)


def test_a_missing_table_file_is_damage(dataset_copy, run):
    (dataset_copy / "segments.parquet").unlink()
    with pytest.raises(IntegrityError, match="segments.parquet is missing"):
        stancetrack.load(dataset_copy)
    code, out, err = run("info", "--data", str(dataset_copy))
    assert code == 1 and "segments.parquet is missing" in one_error_line(err)


def test_diff_of_a_folder_that_is_not_a_dataset_is_an_error(tmp_path, run):
    (tmp_path / "empty").mkdir()
    code, out, err = run("diff", str(tmp_path / "empty"), str(REPO / "dataset"))
    assert (code, one_error_line(err)) == (1, f"error: no dataset at {tmp_path / 'empty'}: manifest.json is missing")


def test_the_text_of_a_document_is_checked_against_its_hash(tmp_path):
    """The text lives in documents.parquet: a changed text is a changed file (the manifest's SHA-256), and
    validation also finds it against the row's text_sha256 (tests/test_texts.py)."""
    folder = copy_release(tmp_path)
    table = pq.read_table(folder / "documents.parquet")
    index = table.schema.get_field_index("text")
    text = table.column("text")[0].as_py()
    changed = pa.array([text.replace("Alaska", "Alaskx", 1)], table.schema.field("text").type)
    pq.write_table(table.set_column(index, table.schema.field("text"), changed), folder / "documents.parquet")
    with pytest.raises(IntegrityError, match="documents.parquet differs from the manifest"):
        stancetrack.load(folder)
    assert "source-hash" in stancetrack.validate(folder).codes()
