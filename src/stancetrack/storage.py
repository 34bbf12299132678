"""The dataset on disk: one Parquet file per table and manifest.json, committed all or nothing, read as one version.

**Commit protocol** (a redo journal, as in SQLite's WAL or Delta Lake's commit log, but with the files keeping
their stable names ``<table>.parquet``). Under the folder's lock a writer first completes any interrupted
commit and deletes stale ``.tmp-*`` files (:func:`recover`), checks that the files it keeps match the manifest,
then stages every new file (changed tables, the new manifest, the derived metadata) as an fsynced ``.tmp-*``
file. Writing ``.stancetrack-journal.json`` (itself through a temporary file, fsync and rename) is the commit
point: it lists each staged file, its target name and its SHA-256. The staged files are then renamed onto
their targets, the manifest last, and the journal is deleted. A crash before the commit point leaves the old
version plus temporary files that the next writer or reader deletes; a crash after it leaves a journal that
the next writer or reader rolls forward to the new version. No file is ever modified in place.

**Reads** (:func:`snapshot`): a reader maps the manifest and every table file, and checks each file's SHA-256
against the manifest. A match means one committed version (files are only ever replaced, never changed, so a
mapped file cannot change under the reader). On a mismatch, or while a journal exists, the reader takes the
lock (waiting for the writer to finish), recovers, and reads again: a difference then is real damage.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import (DatasetNotFound, InjectedFault, IntegrityError, LockTimeout, ReadOnlyDataset, StancetrackError,
                     UnreadableTable)
from .ids import id_high_water
from .lineage import derived_from
from .resources import is_packaged_release
from .schemas import TABLES, cast_to_schema, schema_version, table_schema

MANIFEST = "manifest.json"
LOCK = ".stancetrack.lock"
JOURNAL = ".stancetrack-journal.json"
TMP_PREFIX = ".tmp-"

#: Environment variable of the fault-injection tests: ``N`` makes the process exit (status 137, as if killed)
#: at the N-th checkpoint of a commit, ``N:raise`` raises :class:`InjectedFault` there instead.
CRASH_ENV = "STANCETRACK_CRASH_AT"

#: Called with the name of each checkpoint of a commit (tests set it to count or to fail at a step).
checkpoint_hook: Callable[[str], None] | None = None
_checkpoints = 0


def _checkpoint(name: str) -> None:
    """A point of the commit protocol where a test may stop the writer (see :data:`CRASH_ENV`)."""
    global _checkpoints
    _checkpoints += 1
    if checkpoint_hook is not None:
        checkpoint_hook(name)
    wanted = os.environ.get(CRASH_ENV)
    if wanted:
        number, _, how = wanted.partition(":")
        if number.isdigit() and int(number) == _checkpoints:
            if how == "raise":
                raise InjectedFault(f"injected fault at checkpoint {_checkpoints} ({name})")
            os._exit(137)


def table_path(dataset_dir: Path, name: str) -> Path:
    return Path(dataset_dir) / f"{name}.parquet"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- the manifest -----------------------------------------------------------------------------------------------

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def manifest_problems(manifest: Any) -> list[str]:
    """What is wrong with a parsed manifest's structure (empty when it is well formed)."""
    if not isinstance(manifest, dict):
        return [f"is a JSON {type(manifest).__name__}, not an object"]
    problems = []
    for key in ("dataset_version", "schema_version", "derived_from"):
        if key in manifest and not isinstance(manifest[key], str):
            problems.append(f"{key} is {manifest[key]!r}, not a text")
    tables = manifest.get("tables")
    if not isinstance(tables, dict):
        return problems + ["has no 'tables' object"]
    for name, entry in tables.items():
        if name not in TABLES:
            problems.append(f"tables.{name} is not a table of the dataset")
        elif not isinstance(entry, dict):
            problems.append(f"tables.{name} is {entry!r}, not an object")
        else:
            if entry.get("file") != f"{name}.parquet":
                problems.append(f"tables.{name}.file is {entry.get('file')!r}, not '{name}.parquet'")
            if not isinstance(entry.get("sha256"), str) or not _SHA256.match(entry["sha256"]):
                problems.append(f"tables.{name}.sha256 is {entry.get('sha256')!r}, not 64 hexadecimal digits")
            rows = entry.get("rows")
            if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
                problems.append(f"tables.{name}.rows is {rows!r}, not a count")
    high = manifest.get("id_high_water", {})
    if not isinstance(high, dict):
        problems.append(f"id_high_water is {high!r}, not an object")
    else:
        for name, number in high.items():
            if name not in TABLES or not isinstance(number, int) or isinstance(number, bool) or number < 0:
                problems.append(f"id_high_water.{name} is {number!r}, not a table's id count")
    return problems


def parse_manifest(data: bytes, where: Path) -> dict[str, Any]:
    """A manifest's bytes as a checked dict, or :class:`DatasetNotFound` naming what is wrong."""
    try:
        manifest = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise DatasetNotFound(f"{where} is not readable JSON: {_one_line(exc)}") from None
    problems = manifest_problems(manifest)
    if problems:
        raise DatasetNotFound(f"{where} is malformed: {'; '.join(problems)}")
    return manifest


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def read_manifest(dataset_dir: Path, settle: bool = True) -> dict[str, Any]:
    """The folder's manifest as last committed (with ``settle``, a commit in progress or interrupted is completed
    first when possible; the file itself is always replaced whole)."""
    folder = Path(dataset_dir)
    if settle and (folder / JOURNAL).exists() and writers_here(folder):
        with contextlib.suppress(OSError, LockTimeout):
            settled(folder, lambda: (None, not (folder / JOURNAL).exists()))
    return _read_manifest_file(folder)


def _read_manifest_file(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise DatasetNotFound(f"no dataset at {folder}: {MANIFEST} is missing")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetNotFound(f"{path} cannot be read: {exc.strerror or exc}") from None
    return parse_manifest(data, path)


# --- reading tables ---------------------------------------------------------------------------------------------

#: What pyarrow may raise on a damaged Parquet file (a flipped bit can surface as any of them).
READ_ERRORS = (OSError, pa.ArrowException, ValueError, IndexError, UnicodeDecodeError, OverflowError)

def parse_table(name: str, source: Any, shown: str, cast: bool = True) -> pa.Table:
    """Parquet from a path or a buffer as a table, its columns cast to the schema's types where they differ
    (``cast=False``: as stored, e.g. a release made under another schema version)."""
    if isinstance(source, pa.Buffer):
        source = pa.BufferReader(source)
    try:
        table = pq.read_table(source)
        table.validate(full=True)  # offsets and UTF-8: a flipped bit must not reach the checks as a crash
    except READ_ERRORS as exc:
        raise UnreadableTable(f"{shown} cannot be read as Parquet: {_one_line(exc)}") from None
    return cast_to_schema(name, table, shown) if cast else table


def read_table(dataset_dir: Path, name: str) -> pa.Table:
    """A table as stored, its columns cast to the schema's types where they have other ones."""
    path = table_path(dataset_dir, name)
    return parse_table(name, path, path.name)


def _map(path: Path) -> pa.Buffer:
    """The bytes of a file, memory-mapped: they stay those of this version even if the file is replaced."""
    if path.stat().st_size == 0:
        return pa.py_buffer(b"")
    with pa.memory_map(str(path), "r") as mapped:
        return mapped.read_buffer()


@dataclass
class Snapshot:
    """One committed version of a dataset folder: its manifest and the bytes of each table file.

    ``problems`` lists, per table, why its file does not match the manifest (empty for a sound dataset);
    ``manifest_error`` says why the manifest could not be read (then ``manifest`` is ``{"tables": {}}``).
    """

    folder: Path
    manifest: dict[str, Any]
    buffers: dict[str, pa.Buffer] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    manifest_error: str | None = None

    @property
    def sound(self) -> bool:
        return self.manifest_error is None and not self.problems

    def exists(self, name: str) -> bool:
        return name in self.buffers

    def file(self, name: str) -> pa.BufferReader:
        """A new reader over the table file's bytes (raises :class:`UnreadableTable` when it is missing)."""
        if name not in self.buffers:
            raise UnreadableTable(f"{table_path(self.folder, name).name} is missing")
        return pa.BufferReader(self.buffers[name])

    def parquet(self, name: str, **options: Any) -> pq.ParquetFile:
        try:
            return pq.ParquetFile(self.file(name), **options)
        except READ_ERRORS as exc:
            raise UnreadableTable(f"{table_path(self.folder, name).name} cannot be read as Parquet: "
                                  f"{_one_line(exc)}") from None

    def stored(self, name: str) -> pa.Table:
        """A table of this version with the columns and types its file has (no table: an empty one)."""
        if name not in self.buffers:
            return pa.table({})
        return parse_table(name, self.buffers[name], table_path(self.folder, name).name, cast=False)

    def table(self, name: str, strict: bool = True) -> pa.Table:
        """A table of this version (an empty one when the manifest does not list it), cast to the schema's types.

        ``strict``: refuse a file whose columns are not the table's (another table's file, say), which
        ``stancetrack validate`` reports column by column.
        """
        shown = table_path(self.folder, name).name
        if name not in self.buffers:
            if name in self.manifest["tables"]:
                raise UnreadableTable(f"{shown} is missing")
            return table_schema(name).arrow_schema().empty_table()
        table = parse_table(name, self.buffers[name], shown)
        expected = table_schema(name).columns
        if strict and set(table.column_names) != set(expected):
            missing = [c for c in expected if c not in table.column_names]
            extra = [c for c in table.column_names if c not in expected]
            raise UnreadableTable(f"{shown} does not hold the {name} table: "
                                  + "; ".join(part for part in (
                                      f"missing column(s) {', '.join(missing)}" if missing else "",
                                      f"unknown column(s) {', '.join(extra)}" if extra else "") if part)
                                  + f". Run `stancetrack validate {self.folder}` for every problem.")
        return table

    def damage(self) -> str:
        """One line saying what is wrong, for an error message."""
        problems = ([self.manifest_error] if self.manifest_error else []) + list(self.problems.values())
        return (f"the dataset at {self.folder} is damaged: {'; '.join(problems)}. "
                f"Run `stancetrack validate {self.folder}` for every problem.")


def _read_snapshot(folder: Path, tables: tuple[str, ...]) -> tuple[Snapshot, bool]:
    """Map the manifest and the tables once; True when they form one committed version (no journal pending)."""
    try:
        manifest, manifest_error = _read_manifest_file(folder), None
    except DatasetNotFound as exc:
        manifest, manifest_error = {"tables": {}}, str(exc)
    snap = Snapshot(folder, manifest, manifest_error=manifest_error)
    for name in tables:
        path = table_path(folder, name)
        try:
            snap.buffers[name] = _map(path)
        except FileNotFoundError:
            if name in manifest["tables"] or manifest_error is None:
                snap.problems[name] = f"{path.name} is missing"
            continue
        except OSError as exc:
            snap.problems[name] = f"{path.name} cannot be read: {exc.strerror or exc}"
            continue
        snap.hashes[name] = hashlib.sha256(memoryview(snap.buffers[name])).hexdigest()
        entry = manifest["tables"].get(name)
        if manifest_error is not None:
            continue
        if entry is None:
            snap.problems[name] = f"{name} is not in the manifest"
        elif entry["sha256"] != snap.hashes[name]:
            snap.problems[name] = f"{path.name} differs from the manifest's SHA-256"
    settled = not (folder / JOURNAL).exists() and not _newer_manifest(folder, manifest, manifest_error)
    return snap, settled and snap.sound


def _newer_manifest(folder: Path, manifest: dict[str, Any], error: str | None) -> bool:
    """True when the manifest changed while the tables were being mapped."""
    try:
        return _read_manifest_file(folder) != manifest
    except DatasetNotFound as exc:
        return str(exc) != error


def snapshot(dataset_dir: str | Path, tables: tuple[str, ...] = TABLES, timeout: float = 30.0) -> Snapshot:
    """One committed version of a dataset folder, consistent even while a writer commits.

    The files are read without a lock; if they do not form one version (a commit in progress, an interrupted
    one, or damage), see :func:`settled`. What is still wrong under the lock is damage, reported in
    ``problems`` (it is up to the caller to refuse it). Temporary files of a killed writer are deleted when no
    writer holds the lock.
    """
    folder = Path(dataset_dir)
    if not folder.is_dir():
        raise DatasetNotFound(f"no dataset folder at {folder}")
    snap, consistent = _read_snapshot(folder, tables)
    if not writers_here(folder):
        return snap
    if consistent:
        if (folder / JOURNAL).exists() or any(folder.glob(f"{TMP_PREFIX}*")):
            with contextlib.suppress(LockTimeout):  # a killed writer's leftovers, unless a writer is at work
                with locked(folder, timeout=0):
                    recover(folder)
        return snap
    if snap.manifest_error and not snap.buffers and not (folder / JOURNAL).exists():
        return snap  # not a dataset at all: nothing to wait for
    return settled(folder, lambda: _read_snapshot(folder, tables), timeout)


def settled(folder: Path, attempt: Callable[[], tuple[Any, bool]], timeout: float = 30.0) -> Any:
    """The value of ``attempt()`` (which returns a value and whether it is consistent) once the folder is settled.

    A reader retries without the lock (a commit renames its files within milliseconds, so the next attempt
    usually sees one version), and takes the lock whenever it is free: then it completes any interrupted commit
    and its attempt is final. Readers thus never starve behind a stream of writers; after ``timeout`` seconds
    it waits for the lock.
    """
    deadline = time.monotonic() + timeout
    pause = 0.005
    while time.monotonic() < deadline:
        try:
            with locked(folder, timeout=0):
                recover(folder)
                return attempt()[0]
        except LockTimeout:
            pass  # a writer is at work
        time.sleep(pause)
        pause = min(pause * 2, 0.2)
        value, consistent = attempt()
        if consistent:
            return value
    with locked(folder, timeout):
        recover(folder)
        return attempt()[0]


def writers_here(dataset_dir: str | Path) -> bool:
    """Whether a writer may be at work in the folder, so that a reader can wait for it: the folder is writable
    and a writer has been there (a writer creates the lock file, which stays) or left a journal or staged files.
    Neither the packaged release nor a folder never written by stancetrack qualifies."""
    folder = Path(dataset_dir)
    if is_packaged_release(folder) or not os.access(folder, os.W_OK):
        return False
    return ((folder / LOCK).exists() or (folder / JOURNAL).exists()
            or any(folder.glob(f"{TMP_PREFIX}*")))


def sound_snapshot(dataset_dir: str | Path, tables: tuple[str, ...] = TABLES) -> Snapshot:
    """A snapshot whose files all match the manifest, else :class:`DatasetNotFound` / :class:`IntegrityError`."""
    snap = snapshot(dataset_dir, tables)
    if snap.manifest_error and not snap.buffers:
        raise DatasetNotFound(snap.manifest_error)
    if not snap.sound:
        raise IntegrityError(snap.damage())
    return snap


# --- writing ----------------------------------------------------------------------------------------------------

def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _file_mode(target: Path) -> int:
    """The mode a replaced file keeps, or what the umask gives a new one (mkstemp's files are owner-only)."""
    if target.exists():
        return target.stat().st_mode & 0o777
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _stage(folder: Path, suffix: str, write, target: Path | None = None) -> Path:
    """Write through ``write(path)`` into a new temporary file in ``folder``, fsynced; return its path."""
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=suffix, dir=folder)
    os.close(fd)
    try:
        os.chmod(tmp, _file_mode(target) if target is not None else 0o644)
        write(Path(tmp))
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (temporary file, fsync, rename)."""
    path = Path(path)
    tmp = _stage(path.parent, path.suffix, lambda p: p.write_bytes(data), target=path)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def manifest_entry(path: Path, rows: int) -> dict[str, Any]:
    return {"file": path.name, "sha256": sha256_file(path), "rows": rows}


#: ``derive(manifest, files)``: the derived metadata files of the new version (name -> bytes), given its manifest
#: and the Parquet file of each table (staged or current). Their writing is part of the commit.
Derive = Callable[[dict[str, Any], dict[str, Path]], Mapping[str, bytes]]

_PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def is_dataset(folder: Path) -> bool:
    return (Path(folder) / MANIFEST).is_file() or (Path(folder) / JOURNAL).is_file()


def check_writable(folder: Path, create: bool) -> None:
    """Refuse the packaged release, and a folder that is not a dataset unless ``create`` (then it is new or empty)."""
    if is_packaged_release(folder):
        raise ReadOnlyDataset(f"{folder} is the packaged release, which is read-only; pass --dataset DIR")
    if is_dataset(folder):
        return
    if not create:
        what = "does not exist" if not folder.exists() else f"has no {MANIFEST}"
        raise DatasetNotFound(f"no dataset at {folder}: the folder {what} (writers change existing datasets only)")
    if folder.exists() and not folder.is_dir():
        raise DatasetNotFound(f"{folder} is not a folder")
    if folder.is_dir() and any(p.name != LOCK and not p.name.startswith(TMP_PREFIX) for p in folder.iterdir()):
        raise DatasetNotFound(f"{folder} is not empty and has no {MANIFEST}: refusing to make a dataset there")


def write_tables(dataset_dir: Path, tables: dict[str, pa.Table], dataset_version: str | None = None,
                 derive: Derive | None = None, create: bool = True, timeout: float = 30.0) -> None:
    """Commit the given tables (and the derived files ``derive`` returns) with a new manifest, all or nothing.

    Takes the folder's lock, completes any interrupted commit, and refuses a folder whose files do not match
    its manifest (:class:`IntegrityError`); see the module's description.
    """
    with writing(dataset_dir, create, timeout) as base:
        commit_tables(dataset_dir, tables, dataset_version, derive, base)


@contextlib.contextmanager
def writing(dataset_dir: str | Path, create: bool = False, timeout: float = 30.0) -> Iterator[Snapshot | None]:
    """Hold the lock of a folder to write: yields its current version, checked sound (None for a new dataset).

    Refuses the packaged release, and a folder that is not a dataset unless ``create``.
    """
    folder = Path(dataset_dir)
    check_writable(folder, create)
    folder.mkdir(parents=True, exist_ok=True)
    with locked(folder, timeout):
        recover(folder)
        if not is_dataset(folder):
            check_writable(folder, create)  # still new: another writer did not make it meanwhile
            yield None
        else:
            yield sound_snapshot(folder)


def commit_tables(dataset_dir: str | Path, tables: dict[str, pa.Table], dataset_version: str | None = None,
                  derive: Derive | None = None, base: Snapshot | None = None) -> None:
    """The commit itself, by a caller inside :func:`writing` (``base``: the version it yielded)."""
    folder = Path(dataset_dir)
    manifest = base.manifest if base is not None else {"tables": {}}
    staged: dict[str, Path] = {}  # target name -> staged file
    committed = False
    try:
        for name, table in tables.items():
            table = table.cast(table_schema(name).arrow_schema())
            staged[table_path(folder, name).name] = _stage(
                folder, ".parquet", lambda p, t=table: pq.write_table(t, p), target=table_path(folder, name))
            _checkpoint(f"staged {name}")
        entries = dict(manifest["tables"])
        for name in tables:
            tmp = staged[table_path(folder, name).name]
            entries[name] = {**manifest_entry(tmp, tables[name].num_rows), "file": table_path(folder, name).name}
        new_manifest = {
            "dataset_version": dataset_version or manifest.get("dataset_version") or "0.0.0",
            "schema_version": schema_version(),
            "tables": {name: entries[name] for name in TABLES if name in entries},
            "id_high_water": id_high_water(manifest.get("id_high_water", {}), tables),
            **derived_from(folder, manifest, dataset_version, entries),  # a modified copy names its release
        }
        if derive is not None:
            files = {name: staged.get(table_path(folder, name).name, table_path(folder, name)) for name in TABLES}
            for target, data in derive(new_manifest, files).items():
                if not _PLAIN_NAME.match(target) or target in (MANIFEST, JOURNAL) or target.endswith(".parquet"):
                    raise ValueError(f"a derived file may not be named {target!r}")
                if (folder / target).is_file() and (folder / target).read_bytes() == data:
                    continue  # unchanged: not rewritten
                staged[target] = _stage(folder, Path(target).suffix, lambda p, d=data: p.write_bytes(d),
                                        target=folder / target)
            _checkpoint("staged derived files")
        manifest_bytes = (json.dumps(new_manifest, indent=2) + "\n").encode("utf-8")
        staged[MANIFEST] = _stage(folder, ".json", lambda p: p.write_bytes(manifest_bytes), target=folder / MANIFEST)
        _checkpoint("staged manifest")
        order = [t for t in staged if t != MANIFEST] + [MANIFEST]  # the manifest is renamed last
        journal = {"files": [{"target": t, "staged": staged[t].name, "sha256": sha256_file(staged[t])}
                             for t in order]}
        journal_tmp = _stage(folder, ".journal", lambda p: p.write_text(json.dumps(journal, indent=1)))
        _checkpoint("staged journal")
        os.replace(journal_tmp, folder / JOURNAL)
        _fsync_dir(folder)
        committed = True  # the commit point: from here on, the new version is what recovery gives
        _checkpoint("journal written")
        _apply(folder, journal)
    except BaseException:
        if not committed:
            for tmp in staged.values():
                tmp.unlink(missing_ok=True)
            with contextlib.suppress(NameError, OSError):
                journal_tmp.unlink(missing_ok=True)
            raise
        try:  # committed: finish the roll-forward now (an injected or transient failure interrupted it)
            recover(folder)
        except (OSError, StancetrackError) as exc:
            raise IntegrityError(f"the commit to {folder} is recorded but not yet applied ({_one_line(exc)}); "
                                 "the next reader or writer completes it") from None


def _apply(folder: Path, journal: dict[str, Any]) -> None:
    """Roll a journal forward: rename each staged file still present onto its target, then delete the journal."""
    for entry in journal["files"]:
        staged, target = folder / entry["staged"], folder / entry["target"]
        if staged.exists():
            if sha256_file(staged) != entry["sha256"]:
                raise IntegrityError(f"the interrupted commit in {folder} cannot be completed: {staged.name} "
                                     f"differs from the journal")
            os.replace(staged, target)
            _checkpoint(f"renamed {entry['target']}")
        elif not target.exists() or sha256_file(target) != entry["sha256"]:
            raise IntegrityError(f"the interrupted commit in {folder} cannot be completed: {staged.name} "
                                 f"is gone and {target.name} is not its new version")
    _fsync_dir(folder)
    (folder / JOURNAL).unlink()
    _fsync_dir(folder)
    _checkpoint("journal removed")


def _read_journal(folder: Path) -> dict[str, Any]:
    path = folder / JOURNAL
    try:
        journal = json.loads(path.read_bytes().decode("utf-8"))
        entries = journal["files"]
        ok = isinstance(entries, list) and all(
            isinstance(e, dict) and isinstance(e.get("target"), str) and _PLAIN_NAME.match(e["target"])
            and isinstance(e.get("staged"), str) and e["staged"].startswith(TMP_PREFIX)
            and _PLAIN_NAME.match(e["staged"][1:]) and isinstance(e.get("sha256"), str) for e in entries)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError, TypeError, KeyError):
        ok = False
    if not ok:
        raise IntegrityError(f"the interrupted commit in {folder} cannot be completed: {JOURNAL} is unreadable")
    return journal


def recover(dataset_dir: Path) -> bool:
    """Complete an interrupted commit and delete stale temporary files; the caller holds the lock.

    Returns True when there was anything to do.
    """
    folder = Path(dataset_dir)
    did = False
    if (folder / JOURNAL).exists():
        _apply(folder, _read_journal(folder))
        did = True
    for stale in folder.glob(f"{TMP_PREFIX}*"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
            did = True
    return did


# --- the lock ---------------------------------------------------------------------------------------------------

_held: dict[Path, tuple[int, int]] = {}  # folder -> (thread id, depth): the lock is re-entrant in one thread
_held_guard = threading.Lock()


@contextlib.contextmanager
def locked(dataset_dir: Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold the dataset's write lock; wait up to ``timeout`` seconds for another writer to finish."""
    from filelock import FileLock, Timeout

    folder = Path(dataset_dir).resolve()
    me = threading.get_ident()
    with _held_guard:
        owner = _held.get(folder)
        if owner is not None and owner[0] == me:
            _held[folder] = (me, owner[1] + 1)
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield
        finally:
            with _held_guard:
                _held[folder] = (me, _held[folder][1] - 1)
        return
    if not folder.is_dir():
        raise DatasetNotFound(f"no dataset folder at {dataset_dir}")
    lock = FileLock(str(folder / LOCK))
    try:
        lock.acquire(timeout=timeout if math.isfinite(timeout) else -1)
    except Timeout:
        raise LockTimeout(f"another writer holds {Path(dataset_dir) / LOCK}; waited {timeout:g} s. "
                          "Try again when it has finished.") from None
    with _held_guard:
        _held[folder] = (me, 1)
    try:
        yield
    finally:
        with _held_guard:
            _held.pop(folder, None)
        lock.release()
