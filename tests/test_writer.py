"""The writer: validates first, writes atomically, manifest last, and never loses or half-writes an update."""

from __future__ import annotations

import json
import threading
import time

import pyarrow.parquet as pq
import pytest

import stancetrack
from conftest import file_bytes
from stancetrack.errors import InvalidData, LockTimeout, ReadOnlyDataset
from stancetrack.storage import LOCK, sha256_file, write_tables
from stancetrack.writer import transaction


def _topic(topic_id: str) -> dict:
    return {"topic_id": topic_id, "label": "A test topic", "label_fr": "Un sujet de test",
            "description": "Whether tests should exist."}


def test_append_writes_table_and_manifest(dataset_copy):
    before = stancetrack.load(dataset_copy).topics
    with transaction(dataset_copy) as tx:
        tx.append("topics", [_topic("zz-test-topic")])
    after = stancetrack.load(dataset_copy)
    assert len(after.topics) == len(before) + 1
    assert "zz-test-topic" in after.topics["topic_id"].tolist()
    manifest = json.loads((dataset_copy / "manifest.json").read_text())
    assert manifest["tables"]["topics"]["sha256"] == sha256_file(dataset_copy / "topics.parquet")
    assert manifest["tables"]["topics"]["rows"] == len(before) + 1
    assert stancetrack.validate(dataset_copy).valid


def test_rows_are_written_in_key_order(dataset_copy):
    with transaction(dataset_copy) as tx:
        tx.append("topics", [_topic("aaa-first")])
    ids = pq.read_table(dataset_copy / "topics.parquet").column("topic_id").to_pylist()
    assert ids == sorted(ids)


def test_invalid_rows_are_refused_and_nothing_is_written(dataset_copy):
    before = file_bytes(dataset_copy)
    with pytest.raises(InvalidData) as info:
        with transaction(dataset_copy) as tx:
            tx.append("topics", [{**_topic("Bad Id"), "label": ""}])
    fields = {(e.table, e.id, e.field, e.code) for e in info.value.errors}
    assert ("topics", "Bad Id", "topic_id", "pattern") in fields
    assert ("topics", "Bad Id", "label", "minLength") in fields
    assert "nothing was written" in str(info.value)
    assert file_bytes(dataset_copy) == before


def test_change_breaking_a_reference_is_refused(dataset_copy):
    before = file_bytes(dataset_copy)
    with pytest.raises(InvalidData) as info:
        with transaction(dataset_copy) as tx:
            tx.replace("actors", [r for r in tx.records("actors") if r["actor_id"] != "putin"])
    assert {e.code for e in info.value.errors} == {"foreign-key"}
    assert all(e.value == "putin" for e in info.value.errors)
    assert file_bytes(dataset_copy) == before


def test_wrong_offset_is_refused(dataset_copy):
    before = file_bytes(dataset_copy)
    with pytest.raises(InvalidData) as info:
        with transaction(dataset_copy) as tx:
            stances = tx.records("stances")
            stances[0]["start"] += 1
            tx.replace("stances", stances)
    assert [(e.id, e.field, e.code) for e in info.value.errors] == [(stances[0]["stance_id"], "quote", "quote-mismatch")]
    assert file_bytes(dataset_copy) == before


def test_exception_inside_transaction_writes_nothing(dataset_copy):
    before = file_bytes(dataset_copy)
    with pytest.raises(RuntimeError):
        with transaction(dataset_copy) as tx:
            tx.append("topics", [_topic("zz-never")])
            raise RuntimeError("interrupted")
    assert file_bytes(dataset_copy) == before


def test_interrupted_write_leaves_previous_version_intact(dataset_copy, monkeypatch):
    """A failure while the files are being staged (disk full, kill) leaves every file as it was."""
    before = file_bytes(dataset_copy)
    import stancetrack.storage as storage

    real = storage.pq.write_table
    calls = {"n": 0}

    def failing_write(table, path, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            real(table.slice(0, 1), path, *args, **kwargs)  # half a file on disk, then the crash
            raise OSError("No space left on device")
        return real(table, path, *args, **kwargs)

    monkeypatch.setattr(storage.pq, "write_table", failing_write)
    ds = stancetrack.load(dataset_copy)
    with pytest.raises(OSError):
        with transaction(dataset_copy) as tx:
            tx.append("topics", [_topic("zz-a")])
            tx.replace("stances", tx.records("stances")[:-1])
    assert file_bytes(dataset_copy) == before
    assert not list(dataset_copy.glob(".tmp-*")), "temporary files must be removed"
    assert stancetrack.validate(dataset_copy).valid
    assert len(stancetrack.load(dataset_copy).stances) == len(ds.stances)


def test_second_writer_waits_for_the_first(dataset_copy):
    """Two concurrent appends: both land, neither is lost."""
    errors = []

    def append(topic_id: str, hold: float) -> None:
        try:
            with transaction(dataset_copy, timeout=30) as tx:
                rows = tx.records("topics")
                time.sleep(hold)
                tx.replace("topics", rows + [_topic(topic_id)])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    first = threading.Thread(target=append, args=("zz-first", 0.5))
    second = threading.Thread(target=append, args=("zz-second", 0.0))
    first.start()
    time.sleep(0.1)
    second.start()
    first.join()
    second.join()
    assert not errors
    ids = stancetrack.load(dataset_copy).topics["topic_id"].tolist()
    assert "zz-first" in ids and "zz-second" in ids


def test_lock_timeout_fails_clearly(dataset_copy):
    from filelock import FileLock

    with FileLock(str(dataset_copy / LOCK)):
        with pytest.raises(LockTimeout, match="another writer holds"):
            with transaction(dataset_copy, timeout=0.2) as tx:
                tx.append("topics", [_topic("zz-x")])


def test_packaged_release_is_read_only(monkeypatch, tmp_path):
    """The dataset inside an installed package (``stancetrack/_data/dataset``) is refused, nothing written."""
    import stancetrack.resources as resources
    from conftest import copy_release

    package = tmp_path / "site-packages" / "stancetrack"
    packaged = copy_release(package / "_data")
    monkeypatch.setattr(resources, "files", lambda name: package)
    before = file_bytes(packaged)
    with pytest.raises(ReadOnlyDataset, match=f"{packaged} is the packaged release, which is read-only"):
        with transaction(packaged) as tx:
            tx.append("topics", [_topic("zz-never")])
    assert file_bytes(packaged) == before
    assert not resources.is_packaged_release(tmp_path / "elsewhere" / "dataset")


def test_written_files_keep_their_mode(dataset_copy):
    """Staging files are owner-only (mkstemp); what is renamed into place keeps the replaced file's mode."""
    path = dataset_copy / "topics.parquet"
    path.chmod(0o644)
    with transaction(dataset_copy) as tx:
        tx.append("topics", [_topic("zz-mode")])
    assert path.stat().st_mode & 0o777 == 0o644
    assert (dataset_copy / "manifest.json").stat().st_mode & 0o044, "the manifest must stay readable by others"


def test_dry_run_checks_everything_and_writes_nothing(dataset_copy):
    before = file_bytes(dataset_copy)
    with transaction(dataset_copy, dry_run=True) as tx:
        tx.append("topics", [_topic("zz-dry")])
    assert file_bytes(dataset_copy) == before
    assert not (dataset_copy / ".stancetrack.lock").exists()  # no lock: a read-only folder can be dry-run
    with pytest.raises(InvalidData) as info:
        with transaction(dataset_copy, dry_run=True) as tx:  # the holder of some stance disappears
            holder = tx.records("stances")[0]["holder_id"]
            tx.replace("actors", [r for r in tx.records("actors") if r["actor_id"] != holder])
    assert {(e.table, e.field, e.code) for e in info.value.errors} >= {("stances", "holder_id", "foreign-key")}
    assert str(info.value).startswith(f"the change to {dataset_copy} would make it invalid; nothing was written")
    assert file_bytes(dataset_copy) == before


def test_rows_become_arrow_once_and_the_commit_reads_nothing_back(dataset_copy, monkeypatch):
    """Each table is read once, each row is checked against its schema once, and the metadata step gets the
    tables the commit wrote instead of reading the Parquet files again."""
    import stancetrack.storage as storage
    import stancetrack.validation.compiler as compiler

    reads, rows = [], []
    real_read, real_errors = storage.parse_table, compiler.CompiledSchema.errors
    monkeypatch.setattr(storage, "parse_table", lambda name, *a, **k: reads.append(name) or real_read(name, *a, **k))
    monkeypatch.setattr(compiler.CompiledSchema, "errors",
                        lambda self, batch, *a, **k: rows.append(batch) or real_errors(self, batch, *a, **k))
    with transaction(dataset_copy) as tx:
        tx.append("topics", [_topic("zz-once")])
    assert sorted(reads) == sorted(stancetrack.TABLES)
    checked = [b.num_rows for b in rows]  # each row once, a chunked table over its chunks
    assert sum(checked) == sum(stancetrack.load(dataset_copy).table(n).shape[0] for n in stancetrack.TABLES)
