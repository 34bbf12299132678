"""Fault injection: a writer killed at every checkpoint of the commit protocol, failures raised there, writers and
readers at once. After each, the folder must hold exactly the old or exactly the new version, with no staged
file or journal left, and every reader must see one committed version."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading

import pytest

import stancetrack
from stancetrack import storage
from stancetrack.errors import InjectedFault
from stancetrack.storage import JOURNAL

from conftest import copy_release
from crash_harness import (READER, classify, commit_mark, environment, fingerprint, leftovers, run_writer,
                           start_reader, start_writer)

MARK = "changed by the crash test"


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """A dataset folder (old), the same after the two-table commit (new), and the checkpoints that commit passes."""
    root = tmp_path_factory.mktemp("versions")
    old_dir = copy_release(root / "old")
    new_dir = copy_release(root / "new")
    seen: list[str] = []
    storage.checkpoint_hook = seen.append
    try:
        commit_mark(new_dir, MARK)
    finally:
        storage.checkpoint_hook = None
    return old_dir, fingerprint(old_dir), fingerprint(new_dir), seen


def fresh(tmp_path, old_dir):
    target = tmp_path / "run"
    shutil.copytree(old_dir.parent, target, ignore=shutil.ignore_patterns(".stancetrack.lock"))
    return target / "dataset"


def test_the_commit_passes_every_step_of_the_protocol(versions):
    _, old, new, seen = versions
    assert seen[:2] == ["staged topics", "staged actors"]
    assert seen[2:5] == ["staged derived files", "staged manifest", "staged journal"]
    assert seen[5] == "journal written"
    renamed = [s.removeprefix("renamed ") for s in seen if s.startswith("renamed ")]
    assert renamed == ["topics.parquet", "actors.parquet", "croissant.json", "datapackage.json", "manifest.json"]
    assert seen[-1] == "journal removed"
    assert {n for n in new if new[n] != old.get(n)} == set(renamed)  # unchanged derived files (README.md) are kept


def test_a_writer_killed_at_every_checkpoint_leaves_exactly_the_old_or_the_new_version(versions, tmp_path):
    old_dir, old, new, seen = versions
    outcomes = []
    for step in range(1, len(seen) + 1):
        folder = fresh(tmp_path / str(step), old_dir)
        killed = run_writer(folder, MARK, crash_at=step)
        assert killed.returncode == 137, killed.stderr
        assert killed.stderr == ""
        read = subprocess.run([sys.executable, "-c", READER, str(folder)], env=environment(), capture_output=True,
                              text=True, timeout=120)
        assert read.returncode == 0 and read.stderr == "", read.stdout + read.stderr
        state = fingerprint(folder)
        outcomes.append(classify(state, old, new))
        assert outcomes[-1] != "other", f"killed at {seen[step - 1]!r}: {sorted(state)}"
        assert read.stdout.strip().split("|")[0] == (MARK if outcomes[-1] == "new" else
                                                     stancetrack.load(old_dir).topics["description"].iloc[0])
        assert leftovers(folder) == []
        assert stancetrack.validate(folder).valid
    journal_written = seen.index("journal written")
    assert outcomes == ["old"] * journal_written + ["new"] * (len(seen) - journal_written)


@pytest.mark.parametrize("step", ["staged actors", "staged journal", "journal written", "renamed actors.parquet",
                                  "renamed manifest.json"])
def test_the_next_writer_completes_or_discards_an_interrupted_commit_before_writing(versions, tmp_path, step):
    old_dir, old, new, seen = versions
    folder = fresh(tmp_path, old_dir)
    assert run_writer(folder, MARK, crash_at=seen.index(step) + 1).returncode == 137
    commit_mark(folder, "second writer")
    ds = stancetrack.load(folder)
    assert (ds.topics["description"].iloc[0], ds.actors["description"].iloc[0]) == ("second writer",) * 2
    assert leftovers(folder) == [] and stancetrack.validate(folder).valid


def test_a_crash_while_recovering_is_recovered_by_the_next_reader(versions, tmp_path):
    old_dir, old, new, seen = versions
    folder = fresh(tmp_path, old_dir)
    assert run_writer(folder, MARK, crash_at=seen.index("renamed topics.parquet") + 1).returncode == 137
    # the reader's recovery renames the remaining files: killed at its first rename
    crashed = subprocess.run([sys.executable, "-c", READER, str(folder)], env=environment(1), capture_output=True,
                             text=True, timeout=120)
    assert crashed.returncode == 137
    assert (folder / JOURNAL).exists()
    assert stancetrack.load(folder).topics["description"].iloc[0] == MARK
    assert classify(fingerprint(folder), old, new) == "new" and leftovers(folder) == []


def test_an_exception_at_every_checkpoint_leaves_the_old_version_before_the_commit_point_and_the_new_after(
        versions, tmp_path):
    old_dir, old, new, seen = versions
    for step, name in enumerate(seen):
        folder = fresh(tmp_path / str(step), old_dir)

        def fail(at: str, name=name) -> None:
            if at == name:
                raise InjectedFault(f"injected at {at}")

        storage.checkpoint_hook = fail
        try:
            if step < seen.index("journal written"):
                with pytest.raises(InjectedFault, match=f"injected at {name}"):
                    commit_mark(folder, MARK)
                expected = "old"
            else:
                commit_mark(folder, MARK)  # past the commit point the roll-forward is completed at once
                expected = "new"
        finally:
            storage.checkpoint_hook = None
        assert classify(fingerprint(folder), old, new) == expected, name
        assert leftovers(folder) == []


def test_stale_temporary_files_are_deleted_by_the_next_writer(dataset_copy):
    (dataset_copy / ".tmp-abandoned.parquet").write_bytes(b"half a table")
    commit_mark(dataset_copy, MARK)
    assert leftovers(dataset_copy) == []


def test_a_damaged_dataset_is_refused_by_writers(dataset_copy):
    path = dataset_copy / "stances.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    before = fingerprint(dataset_copy)
    with pytest.raises(stancetrack.StancetrackError, match="stances.parquet differs from the manifest's SHA-256"):
        commit_mark(dataset_copy, MARK)
    assert fingerprint(dataset_copy) == before


def test_an_unreadable_journal_is_reported_not_guessed(dataset_copy):
    (dataset_copy / JOURNAL).write_text("{not json")
    with pytest.raises(stancetrack.StancetrackError, match="interrupted commit .* cannot be completed: "
                                                           r"\.stancetrack-journal\.json is unreadable"):
        stancetrack.load(dataset_copy)


def test_concurrent_writers_and_readers_see_only_committed_versions(dataset_copy):
    """Writers commit pairs of marks while readers load: every load has both marks equal (one version)."""
    start = stancetrack.load(dataset_copy)
    first = (start.topics["description"].iloc[0], start.actors["description"].iloc[0])
    writers = [start_writer(dataset_copy, f"writer {w} round {r}") for r in range(3) for w in range(3)]
    seen: list[str] = []
    problems: list[str] = []

    def read_in_process() -> None:
        while any(w.poll() is None for w in writers):
            try:
                ds = stancetrack.load(dataset_copy)
                topic, actor = ds.topics["description"].iloc[0], ds.actors["description"].iloc[0]
                seen.append(topic)
                if topic != actor and (topic, actor) != first:
                    problems.append(f"mixed: {topic!r} / {actor!r}")
                report = stancetrack.validate(dataset_copy)
                if not report.valid:
                    problems.append(f"validate: {report.errors[0]}")
            except Exception as exc:  # any failure while writers commit is a torn read
                problems.append(f"{type(exc).__name__}: {exc}")

    thread = threading.Thread(target=read_in_process)
    thread.start()
    readers = [start_reader(dataset_copy) for _ in range(4)]
    for process in writers + readers:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0 and err == "", out + err
        if process in readers:
            topic, actor = out.strip().split("|")
            assert topic == actor or (topic, actor) == first, out
    thread.join()
    assert problems == []
    marks = {f"writer {w} round {r}" for r in range(3) for w in range(3)}
    assert set(seen) <= marks | {first[0]} and seen
    final = stancetrack.load(dataset_copy)
    assert final.topics["description"].iloc[0] in marks
    assert leftovers(dataset_copy) == [] and stancetrack.validate(dataset_copy).valid
