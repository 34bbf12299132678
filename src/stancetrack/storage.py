"""The dataset on disk: one Parquet file per table and manifest.json, read and written atomically.

A write stages every changed table in a temporary file in the same folder, fsyncs it, renames it into place,
and writes the manifest last; a failed write leaves the previous version intact. A lock file keeps two
writers from losing each other's updates: the second waits, then fails with :class:`LockTimeout`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import DatasetNotFound, LockTimeout, ReadOnlyDataset, UnreadableTable
from .ids import id_high_water
from .lineage import derived_from
from .resources import is_packaged_release
from .schemas import TABLES, cast_to_schema, schema_version, table_schema

MANIFEST = "manifest.json"
LOCK = ".stancetrack.lock"


def table_path(dataset_dir: Path, name: str) -> Path:
    return Path(dataset_dir) / f"{name}.parquet"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(dataset_dir: Path) -> dict[str, Any]:
    path = Path(dataset_dir) / MANIFEST
    if not path.is_file():
        raise DatasetNotFound(f"no dataset at {dataset_dir}: {MANIFEST} is missing")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DatasetNotFound(f"{path} is not readable JSON: {exc}") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("tables"), dict):
        raise DatasetNotFound(f"{path} has no 'tables' object")
    return manifest


def read_table(dataset_dir: Path, name: str) -> pa.Table:
    """A table as stored, its columns cast to the schema's types where they have other ones."""
    path = table_path(dataset_dir, name)
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise UnreadableTable(f"{path.name} cannot be read as Parquet: {exc}") from exc
    return cast_to_schema(name, table, path.name)


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
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=folder)
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
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def manifest_entry(path: Path, rows: int) -> dict[str, Any]:
    return {"file": path.name, "sha256": sha256_file(path), "rows": rows}


def write_tables(dataset_dir: Path, tables: dict[str, pa.Table], dataset_version: str | None = None) -> None:
    """Write the given tables and a new manifest. Every file is staged before any is renamed into place."""
    folder = Path(dataset_dir)
    if is_packaged_release(folder):
        raise ReadOnlyDataset(f"{folder} is the packaged release, which is read-only; pass --dataset DIR")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        manifest = read_manifest(folder)
    except DatasetNotFound:
        manifest = {"tables": {}}
    staged: dict[str, Path] = {}
    try:
        for name, table in tables.items():
            table = table.cast(table_schema(name).arrow_schema())
            staged[name] = _stage(folder, ".parquet", lambda p, t=table: pq.write_table(t, p),
                                  target=table_path(folder, name))
        entries = dict(manifest["tables"])
        for name, tmp in staged.items():
            entries[name] = {**manifest_entry(tmp, tables[name].num_rows), "file": table_path(folder, name).name}
        new_manifest = {
            "dataset_version": dataset_version or manifest.get("dataset_version") or "0.0.0",
            "schema_version": schema_version(),
            "tables": {name: entries[name] for name in TABLES if name in entries},
            "id_high_water": id_high_water(manifest.get("id_high_water", {}), tables),
            **derived_from(folder, manifest, dataset_version, entries),  # a modified copy names its release
        }
        for name, tmp in staged.items():
            os.replace(tmp, table_path(folder, name))
        staged.clear()
        atomic_write_bytes(folder / MANIFEST, (json.dumps(new_manifest, indent=2) + "\n").encode("utf-8"))
    finally:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def locked(dataset_dir: Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold the dataset's write lock; wait up to ``timeout`` seconds for another writer to finish."""
    from filelock import FileLock, Timeout

    Path(dataset_dir).mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(Path(dataset_dir) / LOCK))
    try:
        lock.acquire(timeout=timeout)
    except Timeout as exc:
        raise LockTimeout(f"another writer holds {Path(dataset_dir) / LOCK}; waited {timeout:g} s. "
                          "Try again when it has finished.") from exc
    try:
        yield
    finally:
        lock.release()
